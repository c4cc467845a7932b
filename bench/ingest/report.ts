// The ingest part's printed tables and verdicts, from this run's measurements only: the
// throughput table (pipeline, unchanged resubmit and COPY per format and database, with the
// ratio to COPY of the same rows) and the peak-RSS table, each row marked against the
// issue's targets (MET / MISSED, or blank where the issue sets none).
import type { BenchFormat } from './generate.ts';
import type { MemorySample } from './setup.ts';

export const INGEST_TARGETS = {
  postgresRecordsPerSecond: 24_000,
  postgresOverCopy: 0.6,
  resubmitOverCopy: 2,
  pgliteRecordsPerSecond: 12_000,
  rssMaxMb: 256,
  /** "The same for both sizes": the 50 MB file's peak within this share of the 5 MB file's. */
  rssFlatTolerance: 0.1,
} as const;
/** Formats the throughput targets name. */
export const TARGET_FORMATS: readonly BenchFormat[] = ['liaison-json', 'es-pn-csv'];

export type ThroughputRow = {
  format: BenchFormat;
  database: 'PostgreSQL' | 'PGlite';
  run: 'pipeline' | 'resubmit unchanged' | 'COPY';
  records: number;
  seconds: number;
  nodeCpuSeconds: number | null;
  postgresCpuSeconds: number | null;
  /** records/s over COPY's records/s for the same format (null for COPY itself and PGlite). */
  overCopy: number | null;
  verdict: string;
  note: string;
};

export type RssRow = {
  database: 'PostgreSQL' | 'PGlite';
  format: BenchFormat;
  fileMb: number;
  records: number;
  seconds: number;
  rssBeforeMb: number;
  peakRssMb: number;
  /** What the highest sampled RSS was made of. */
  atPeak: MemorySample;
  verdict: string;
};

const met = (ok: boolean, what: string) => `${ok ? 'MET' : 'MISSED'} (${what})`;

export function throughputVerdict(row: Omit<ThroughputRow, 'verdict'>): string {
  const rps = row.records / row.seconds;
  const named = TARGET_FORMATS.includes(row.format);
  const t = INGEST_TARGETS;
  if (row.run === 'COPY') return '';
  if (row.database === 'PGlite') return named ? met(rps >= t.pgliteRecordsPerSecond, `>= ${t.pgliteRecordsPerSecond} rec/s`) : '';
  if (row.run === 'resubmit unchanged') return row.overCopy === null ? '' : met(row.overCopy >= t.resubmitOverCopy, `>= ${t.resubmitOverCopy}x COPY`);
  if (!named || row.overCopy === null) return '';
  return [
    met(rps >= t.postgresRecordsPerSecond, `>= ${t.postgresRecordsPerSecond} rec/s`),
    met(row.overCopy >= t.postgresOverCopy, `>= ${t.postgresOverCopy}x COPY`),
  ].join(', ');
}

export function rssVerdicts(rows: RssRow[]): void {
  for (const database of ['PostgreSQL', 'PGlite'] as const) {
    const pair = rows.filter((r) => r.database === database).sort((a, b) => a.fileMb - b.fileMb);
    if (pair.length !== 2) continue;
    const [small, large] = pair as [RssRow, RssRow];
    const flat = large.peakRssMb <= small.peakRssMb * (1 + INGEST_TARGETS.rssFlatTolerance);
    small.verdict = '';
    large.verdict = met(flat, `flat: within ${INGEST_TARGETS.rssFlatTolerance * 100}% of the 5 MB peak`);
    if (database === 'PostgreSQL') {
      for (const r of pair) r.verdict = [r.verdict, met(r.peakRssMb < INGEST_TARGETS.rssMaxMb, `< ${INGEST_TARGETS.rssMaxMb} MB`)].filter(Boolean).join(', ');
    }
  }
}

function table(header: string[], rows: string[][], leftColumns: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i < leftColumns || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const fixed = (v: number | null, digits: number) => (v === null ? 'n/a' : v.toFixed(digits));

export function formatThroughput(rows: ThroughputRow[]): string {
  return table(
    ['format', 'database', 'run', 'records', 'seconds', 'records/s', 'ratio to COPY', 'gateway CPU s', 'PG CPU s', 'target'],
    rows.map((r) => [
      r.format,
      r.database,
      r.run + (r.note ? ` (${r.note})` : ''),
      String(r.records),
      r.seconds.toFixed(2),
      (r.records / r.seconds).toFixed(0),
      r.run === 'COPY' ? '1.00x' : r.overCopy === null ? 'n/a' : `${r.overCopy.toFixed(2)}x`,
      fixed(r.nodeCpuSeconds, 2),
      fixed(r.postgresCpuSeconds, 2),
      r.verdict,
    ]),
    3,
  );
}

export function formatRss(rows: RssRow[]): string {
  return table(
    ['format', 'database', 'size MB', 'records', 'seconds', 'RSS before MB', 'peak RSS MB', 'at peak: main heap / external / other MB', 'target'],
    rows.map((r) => [
      r.format,
      r.database,
      r.fileMb.toFixed(1),
      String(r.records),
      r.seconds.toFixed(2),
      r.rssBeforeMb.toFixed(0),
      r.peakRssMb.toFixed(0),
      [r.atPeak.heapTotalMb, r.atPeak.externalMb, r.atPeak.otherMb].map((v) => v.toFixed(0)).join(' / '),
      r.verdict,
    ]),
    2,
  );
}
