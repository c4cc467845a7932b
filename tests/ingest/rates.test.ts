// Reference rates: the shipped table, the parser's coded issues, and idempotent loading.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ensureReferenceRates, loadRates, parseRatesFile, readReferenceRates, REFERENCE_RATES_FILE } from '../../ingest/rates.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

const REQUIRED = ['USD', 'CNY', 'EUR', 'GBP', 'PHP', 'THB', 'MYR', 'VND', 'IDR', 'KHR', 'MMK', 'AED', 'USDT', 'BTC', 'ETH'];

test('the shipped table covers every required currency on several dates from 2019 to 2026 and says it is for reporting', async () => {
  const text = await readFile(REFERENCE_RATES_FILE, 'utf8');
  expect(text).toMatch(/REFERENCE RATES FOR REPORTING/);
  expect(text).toMatch(/NOT for accounting/);
  const rows = await readReferenceRates();
  for (const currency of REQUIRED) {
    const years = new Set(rows.filter((r) => r.currency === currency).map((r) => r.validOn.slice(0, 4)));
    expect([...years].sort(), currency).toEqual(['2019', '2020', '2021', '2022', '2023', '2024', '2025', '2026']);
  }
  expect(rows.filter((r) => r.currency === 'USD').every((r) => r.usdPerUnit === '1')).toBe(true);
  expect(rows.every((r) => Number(r.usdPerUnit) > 0)).toBe(true);
});

test('a bad rates file answers coded issues with their lines', () => {
  const text = [
    '# comment',
    'currency,valid_on,usd_per_unit,source',
    'EUR,2024-01-02,1.0956,ECB',
    'eur,2024-01-02,1.1,ECB',
    'GBP,2024-02-30,1.2,BoE',
    'GBP,2024-03-01,1.2e3,BoE',
    'GBP,2024-03-02,0.000,BoE',
    'THB,2024-01-02,0.029',
    'EUR,2024-01-02,1.0956,ECB',
  ].join('\n');
  const parsed = parseRatesFile(text);
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(parsed.issues).toEqual([
    { line: 4, field: 'currency', code: 'UNKNOWN_CURRENCY' },
    { line: 5, field: 'valid_on', code: 'INVALID_DATE' },
    { line: 6, field: 'usd_per_unit', code: 'MALFORMED_NUMBER' },
    { line: 7, field: 'usd_per_unit', code: 'OUT_OF_RANGE' },
    { line: 8, field: '(row)', code: 'MALFORMED_ROW' },
    { line: 9, field: 'valid_on', code: 'DUPLICATE_REF' },
  ]);
  const headerless = parseRatesFile('EUR,2024-01-02,1.0,ECB');
  expect(headerless.ok ? [] : headerless.issues.map((i) => `${i.line}:${i.code}`)).toEqual(Array(4).fill('1:MISSING_COLUMN'));
});

test('loading is idempotent and updates only changed rates; the values stay exact decimals', async () => {
  const rows = [
    { currency: 'XAU', validOn: '2024-01-02', usdPerUnit: '2063.123456789012345678', source: 'test' },
    { currency: 'XAU', validOn: '2025-01-02', usdPerUnit: '2624.5', source: 'test' },
  ];
  expect(await loadRates(db.prisma, rows)).toEqual({ inserted: 2, updated: 0 });
  expect(await loadRates(db.prisma, rows)).toEqual({ inserted: 0, updated: 0 });
  expect(await loadRates(db.prisma, [{ ...rows[1]!, usdPerUnit: '2625' }])).toEqual({ inserted: 0, updated: 1 });
  const [row] = await db.prisma.$queryRaw<{ v: string }[]>`
    SELECT usd_per_unit::text AS v FROM exchange_rate WHERE currency = 'XAU' AND valid_on = '2024-01-02'`;
  expect(row!.v).toBe('2063.123456789012345678');
});

test('ensureReferenceRates loads the shipped table into an empty or older table and leaves a newer one alone', async () => {
  await db.prisma.exchangeRate.deleteMany();
  await ensureReferenceRates(db.prisma);
  const shipped = await readReferenceRates();
  expect(await db.prisma.exchangeRate.count()).toBe(shipped.length);
  await db.prisma.exchangeRate.updateMany({ where: { currency: 'EUR' }, data: { usdPerUnit: '9' } });
  await loadRates(db.prisma, [{ currency: 'EUR', validOn: '2099-01-01', usdPerUnit: '2', source: 'operator' }]);
  await ensureReferenceRates(db.prisma);
  expect(await db.prisma.exchangeRate.count({ where: { currency: 'EUR', usdPerUnit: '9' } })).toBe(9);
});
