// One verdict line per target of issue 11, printed at the end of `npm run bench` from this
// run's figures only: MET or MISSED with the figure, or "not measured" when the part that
// measures it did not run (--part). The read targets come from bench/lib/report.ts's ratios,
// the ingest targets from the ingest part's rows (bench/ingest/report.ts's INGEST_TARGETS).
import type { IngestBenchResult } from '../ingest/run.ts';
import { INGEST_TARGETS, TARGET_FORMATS } from '../ingest/report.ts';
import { TARGETS, type Ratios } from './report.ts';

export type Verdict = { target: string; status: 'MET' | 'MISSED' | 'NOT MEASURED'; figure: string };

const judge = (target: string, value: number | null | undefined, ok: (v: number) => boolean, figure: (v: number) => string): Verdict =>
  value === null || value === undefined || Number.isNaN(value)
    ? { target, status: 'NOT MEASURED', figure: '' }
    : { target, status: ok(value) ? 'MET' : 'MISSED', figure: figure(value) };

const x = (v: number) => `${v.toFixed(2)}x`;

export function readVerdicts(r: Ratios | null): Verdict[] {
  const t = TARGETS;
  return [
    judge(`nested read: gateway >= ${t.gatewayOverBestRaw}x the best raw`, r?.gatewayOverBestRaw, (v) => v >= t.gatewayOverBestRaw, x),
    judge(`nested read: gateway >= ${t.gatewayOverPostgraphile}x PostGraphile`, r?.gatewayOverPostgraphile, (v) => v >= t.gatewayOverPostgraphile, x),
    judge(`nested read: server CPU <= ${t.serverCpuMsMax} ms/req`, r?.gatewayCpuMs, (v) => v <= t.serverCpuMsMax, (v) => `${v.toFixed(2)} ms`),
    judge(`nested read: p99 <= ${t.p99OverBestRawMax}x the best raw's p99`, r?.p99OverBestRaw, (v) => v <= t.p99OverBestRawMax, x),
    judge(`trivial me: gateway >= ${t.meOverRaw}x raw http + pg + jose`, r?.meOverRaw, (v) => v >= t.meOverRaw, x),
    judge(`summary p50 < ${t.summaryP50MaxMs} ms`, r?.summaryP50Ms, (v) => v < t.summaryP50MaxMs, (v) => `${v.toFixed(1)} ms`),
    judge(`auth + audit <= ${t.authCostMax * 100}%`, r?.authAuditCost, (v) => v <= t.authCostMax, (v) => `${(v * 100).toFixed(1)}%`),
  ];
}

/** The worst row of `rows` by `value` (lowest, or highest with `highest`), as "figure (format)". */
function worst<T>(rows: T[], value: (row: T) => number, label: (row: T) => string, highest = false): { value: number; label: string } | null {
  if (!rows.length) return null;
  const pick = rows.reduce((a, b) => ((highest ? value(b) > value(a) : value(b) < value(a)) ? b : a));
  return { value: value(pick), label: label(pick) };
}

export function ingestVerdicts(ingest: IngestBenchResult | null): Verdict[] {
  const t = INGEST_TARGETS;
  const rows = ingest?.throughput ?? [];
  const overCopy = (run: 'pipeline' | 'resubmit unchanged') =>
    worst(
      rows.filter((r) => r.database === 'PostgreSQL' && r.run === run && r.overCopy !== null),
      (r) => r.overCopy!,
      (r) => r.format,
    );
  const pglite = worst(
    rows.filter((r) => r.database === 'PGlite' && r.run === 'pipeline' && TARGET_FORMATS.includes(r.format)),
    (r) => r.records / r.seconds,
    (r) => r.format,
  );
  const rss = (database: 'PostgreSQL' | 'PGlite') => {
    const pair = (ingest?.rss ?? []).filter((r) => r.database === database).sort((a, b) => a.fileMb - b.fileMb);
    if (pair.length !== 2) return null;
    return { small: pair[0]!.peakRssMb, large: pair[1]!.peakRssMb };
  };
  const pgRss = rss('PostgreSQL');
  const liteRss = rss('PGlite');
  const pipeline = overCopy('pipeline');
  const resubmit = overCopy('resubmit unchanged');
  const flat = (p: { small: number; large: number }) => p.large <= p.small * (1 + t.rssFlatTolerance);
  return [
    judge(`ingest on PostgreSQL: every format >= ${t.postgresOverCopy}x COPY`, pipeline?.value, (v) => v >= t.postgresOverCopy, (v) => `lowest ${x(v)} (${pipeline!.label})`),
    judge(`ingest: unchanged resubmission >= ${t.resubmitOverCopy}x COPY`, resubmit?.value, (v) => v >= t.resubmitOverCopy, (v) => `lowest ${x(v)} (${resubmit!.label})`),
    judge(`ingest on PGlite >= ${t.pgliteRecordsPerSecond} records/s (${TARGET_FORMATS.join(', ')})`, pglite?.value, (v) => v >= t.pgliteRecordsPerSecond, (v) => `lowest ${v.toFixed(0)} records/s (${pglite!.label})`),
    judge(`peak RSS on PostgreSQL within ${t.rssFlatTolerance * 100}% (5 → 50 MB) and < ${t.rssMaxMb} MB`, pgRss?.large, (v) => flat(pgRss!) && v < t.rssMaxMb && pgRss!.small < t.rssMaxMb, (v) => `${pgRss!.small.toFixed(0)} → ${v.toFixed(0)} MB`),
    judge(`peak RSS on PGlite within ${t.rssFlatTolerance * 100}% (5 → 50 MB)`, liteRss?.large, () => flat(liteRss!), (v) => `${liteRss!.small.toFixed(0)} → ${v.toFixed(0)} MB`),
  ];
}

export function formatVerdicts(verdicts: Verdict[]): string {
  return verdicts.map((v) => `${v.status.padEnd(12)} ${v.target}${v.figure ? `: ${v.figure}` : ''}`).join('\n');
}
