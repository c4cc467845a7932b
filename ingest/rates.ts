// Reference exchange rates (for amountUsd): the dated table the project ships in
// ingest/rates/, its parser, and the set-based upsert into exchange_rate that both start-up
// (ensureReferenceRates) and `liaison rates load FILE` use. Rates are decimal strings end to
// end (numeric(38,18) in the database): never a binary float.
import { readFile } from 'node:fs/promises';
import type { PrismaClient } from '../prisma/generated/client/client.ts';

export const REFERENCE_RATES_FILE = new URL('./rates/reference-rates.csv', import.meta.url);

export type RateRow = { currency: string; validOn: string; usdPerUnit: string; source: string };
export type RatesIssue = { line: number; field: string; code: string };

const HEADER = ['currency', 'valid_on', 'usd_per_unit', 'source'] as const;
const CURRENCY = /^[A-Z][A-Z0-9]{2,7}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** numeric(38,18), strictly positive. */
const DECIMAL = /^\d{1,20}(\.\d{1,18})?$/;
const MAX_SOURCE = 200;
const LOAD_BATCH = 5000;

function isRealDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text && Number(m[1]) >= 1900;
}

/** Splits on the first three commas, so a source may itself contain commas. */
function cellsOf(line: string): string[] {
  const cells: string[] = [];
  let rest = line;
  for (let i = 0; i < 3; i++) {
    const at = rest.indexOf(',');
    if (at < 0) break;
    cells.push(rest.slice(0, at).trim());
    rest = rest.slice(at + 1);
  }
  cells.push(rest.trim());
  return cells;
}

function checkRow(cells: string[], line: number, issues: RatesIssue[]): RateRow | undefined {
  const before = issues.length;
  if (cells.length !== 4) {
    issues.push({ line, field: '(row)', code: 'MALFORMED_ROW' });
    return undefined;
  }
  const [currency, validOn, usdPerUnit, source] = cells as [string, string, string, string];
  if (!CURRENCY.test(currency)) issues.push({ line, field: 'currency', code: 'UNKNOWN_CURRENCY' });
  if (!isRealDate(validOn)) issues.push({ line, field: 'valid_on', code: 'INVALID_DATE' });
  if (!DECIMAL.test(usdPerUnit)) issues.push({ line, field: 'usd_per_unit', code: 'MALFORMED_NUMBER' });
  else if (!/[1-9]/.test(usdPerUnit)) issues.push({ line, field: 'usd_per_unit', code: 'OUT_OF_RANGE' });
  if (source.length === 0) issues.push({ line, field: 'source', code: 'MISSING_FIELD' });
  else if (source.length > MAX_SOURCE) issues.push({ line, field: 'source', code: 'TOO_LARGE' });
  return issues.length === before ? { currency, validOn, usdPerUnit, source } : undefined;
}

/** Parses a rates file: `#` comments and blank lines, a header, then one rate per line. */
export function parseRatesFile(text: string): { ok: true; rows: RateRow[] } | { ok: false; issues: RatesIssue[] } {
  const issues: RatesIssue[] = [];
  const rows: RateRow[] = [];
  const seen = new Set<string>();
  let header = false;
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = index + 1;
      const trimmed = raw.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      if (!header) {
        header = true;
        const names = trimmed.split(',').map((c) => c.trim().toLowerCase());
        HEADER.forEach((name, i) => {
          if (names[i] !== name) issues.push({ line, field: name, code: 'MISSING_COLUMN' });
        });
        return;
      }
      const row = checkRow(cellsOf(trimmed), line, issues);
      if (!row) return;
      const key = `${row.currency}|${row.validOn}`;
      if (seen.has(key)) issues.push({ line, field: 'valid_on', code: 'DUPLICATE_REF' });
      seen.add(key);
      rows.push(row);
    });
  if (!header) issues.push({ line: 1, field: 'currency', code: 'MISSING_COLUMN' });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, rows };
}

/** Upserts rates in batches; rows equal to the stored ones are not rewritten. */
export async function loadRates(prisma: PrismaClient, rows: readonly RateRow[]): Promise<{ inserted: number; updated: number }> {
  let inserted = 0;
  let updated = 0;
  for (let i = 0; i < rows.length; i += LOAD_BATCH) {
    const batch = rows.slice(i, i + LOAD_BATCH);
    const [result] = await prisma.$queryRaw<{ inserted: number; updated: number }[]>`
      WITH up AS (
        INSERT INTO exchange_rate AS e (currency, valid_on, usd_per_unit, source)
        SELECT u.currency, u.valid_on, u.usd_per_unit, u.source
          FROM unnest(${batch.map((r) => r.currency)}::text[], ${batch.map((r) => r.validOn)}::date[],
                      ${batch.map((r) => r.usdPerUnit)}::numeric[], ${batch.map((r) => r.source)}::text[])
            AS u(currency, valid_on, usd_per_unit, source)
        ON CONFLICT (currency, valid_on) DO UPDATE SET usd_per_unit = EXCLUDED.usd_per_unit, source = EXCLUDED.source
         WHERE (e.usd_per_unit, e.source) IS DISTINCT FROM (EXCLUDED.usd_per_unit, EXCLUDED.source)
        RETURNING (e.xmax = 0) AS inserted
      )
      SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, (count(*) FILTER (WHERE NOT inserted))::int AS updated FROM up`;
    inserted += Number(result?.inserted ?? 0);
    updated += Number(result?.updated ?? 0);
  }
  return { inserted, updated };
}

export async function readReferenceRates(): Promise<RateRow[]> {
  const parsed = parseRatesFile(await readFile(REFERENCE_RATES_FILE, 'utf8'));
  // The shipped file is part of the code: a broken one is a programmer error.
  if (!parsed.ok) throw new Error(`${REFERENCE_RATES_FILE.pathname} is invalid: ${JSON.stringify(parsed.issues.slice(0, 5))}`);
  return parsed.rows;
}

/**
 * Loads the shipped table when exchange_rate is empty or its latest date is older than the
 * file's (a newer gateway version ships newer rates); a table an operator has kept more
 * recent than the shipped one is left alone.
 */
export async function ensureReferenceRates(prisma: PrismaClient): Promise<void> {
  const rows = await readReferenceRates();
  const fileLatest = rows.reduce((max, r) => (r.validOn > max ? r.validOn : max), '');
  const [stored] = await prisma.$queryRaw<{ latest: string | null }[]>`SELECT max(valid_on)::text AS latest FROM exchange_rate`;
  if (stored?.latest && stored.latest >= fileLatest) return;
  await loadRates(prisma, rows);
}
