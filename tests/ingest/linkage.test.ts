// Cross-partner linkage: the five sample files, each sent by its own agency into one
// operation, become one picture — the person behind passport CN E12345678, reported in four
// of the files under four spellings, is one person; fund sums per currency are exact.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { operationSummary } from '../../schema/operations.ts';
import { selectorHash } from '../../adapters/pseudonymize.ts';
import { createIngestFixture, PSEUDONYM_KEY, SAMPLE_SENDERS, SAMPLES_DIR, type IngestFixture } from './support.ts';

const SENDERS = SAMPLE_SENDERS;

/** A decimal string without trailing zeros (`253000.000000000000000000` → `253000`). */
const plain = (d: string) => (d.includes('.') ? d.replace(/0+$/, '').replace(/\.$/, '') : d);

let f: IngestFixture;
/** The operation's lead (ES-PN), who computes the totals over all records. */
const lead = () => ({ agencyId: f.agencies['ES-PN']!.id });
beforeAll(async () => {
  f = await createIngestFixture(SENDERS.map((s) => s.agency));
  for (const sender of SENDERS) {
    const body = new Uint8Array(await readFile(new URL(sender.file, SAMPLES_DIR)));
    const { status, report } = await f.ingest(f.agencies[sender.agency]!, sender.format, body);
    expect({ file: sender.file, status, rejected: report.counts.rejected }).toEqual({ file: sender.file, status: 201, rejected: 0 });
  }
});
afterAll(async () => {
  await f?.close();
});

test('the person with passport CN E12345678 in four files is counted once in the operation summary', async () => {
  const personKey = selectorHash(PSEUDONYM_KEY, 'PASSPORT', 'CN:E12345678');
  const reports = await f.db.prisma.suspect.findMany({ where: { personKey }, select: { owner: { select: { code: true } } } });
  expect(reports.map((r) => r.owner.code).sort()).toEqual(['CN-MPS', 'DE-BKA', 'ES-PN', 'INTERPOL']);

  const summary = await operationSummary(f.db.prisma, f.operationId, lead());
  // 11 suspect records: the shared person + 7 others (ES-S-002, ES-S-003, XYR-0002, XYR-0003, P-1, the STIX actor, S-2).
  expect(await f.db.prisma.suspect.count()).toBe(11);
  expect(summary.suspects).toBe(8);
  expect(summary.scamDens).toBe(8);
});

test('fundsByCurrency sums are exact decimals', async () => {
  const summary = await operationSummary(f.db.prisma, f.operationId, lead());
  expect(summary.fundRecords).toBe(10);
  expect(summary.fundsByCurrency.map((c) => ({ currency: c.currency, amount: plain(c.amount) }))).toEqual([
    { currency: 'CNY', amount: '253000' }, // 125 000 + 3 000 + 125 000
    { currency: 'EUR', amount: '1246913.56' }, // 1 234 567,89 + 12 345.67
    { currency: 'PHP', amount: '2500000' },
    { currency: 'USDT', amount: '2025000' }, // 250 000 + 885 000 + 5 000 + 885 000
  ]);
  // Every fund has a USD figure: the partner's, or converted at the reference rate.
  expect(await f.db.prisma.interceptedFund.count({ where: { amountUsd: null } })).toBe(0);
});

test('den references of every format resolved within their owner', async () => {
  const [row] = await f.db.prisma.$queryRaw<{ linked: number; foreign: number }[]>`
    SELECT (SELECT count(*) FROM suspect WHERE den_id IS NOT NULL)::int
         + (SELECT count(*) FROM intercepted_fund WHERE den_id IS NOT NULL)::int AS linked,
           (SELECT count(*) FROM suspect s JOIN scam_den d ON d.id = s.den_id WHERE d.owner_id <> s.owner_id)::int
         + (SELECT count(*) FROM intercepted_fund x JOIN scam_den d ON d.id = x.den_id WHERE d.owner_id <> x.owner_id)::int AS foreign`;
  expect(row!.foreign).toBe(0);
  expect(row!.linked).toBe(17);
});
