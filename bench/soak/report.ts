// The soak's per-minute table, its verdict line and its results file.
import { mkdir, writeFile } from 'node:fs/promises';
import type { ReadSample } from '../isolation/pressure.ts';
import type { DatabaseStats } from './database-stats.ts';
import type { Kinds, StreamMinute, SubmitMinute } from './workload.ts';

export type Minute = {
  minute: number;
  /** The machine's 1-minute load average at the end of the minute (2 cores, shared). */
  load1: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** CPU of the gateway process and of the database's PostgreSQL backends in this minute, in % of one core. */
  gatewayCpuPct: number;
  postgresCpuPct: number | null;
  reads: ReadSample;
  summaries: ReadSample;
  matches: ReadSample;
  submissions: SubmitMinute;
  stream: StreamMinute;
  /** Every error of the minute, by load and kind (`read graphql INTERNAL`, `submit 5xx 503`, …). */
  errors: Kinds;
  /** Rows and dead rows read before the bench's stand-in VACUUM of this minute, if it ran one. */
  database: DatabaseStats;
  vacuumed: boolean;
};

export const TARGET_GROWTH = 0.1;

export type Verdict = {
  from: number;
  to: number;
  rssGrowth: number;
  p99Growth: number;
  /** Least-squares slope of A's read p99 over the minutes after the warm-up, in % of their mean per minute. */
  p99TrendPctPerMinute: number;
  errors: number;
  eventsRaised: number;
  eventsReceived: number;
  met: boolean;
};

const errorCount = (kinds: Kinds) => Object.values(kinds).reduce((n, k) => n + k, 0);

export function verdictOf(minutes: Minute[], warmupMinutes: number, events: { raised: number; received: number }): Verdict {
  const first = minutes[warmupMinutes]!;
  const last = minutes.at(-1)!;
  const rssGrowth = last.rssMiB / first.rssMiB - 1;
  const p99Growth = last.reads.p99 / Math.max(1, first.reads.p99) - 1;
  const after = minutes.slice(warmupMinutes);
  const xs = after.map((m) => m.minute);
  const ys = after.map((m) => m.reads.p99);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(xs), mean(ys)];
  const sxx = xs.reduce((n, x) => n + (x - mx) ** 2, 0);
  const slope = sxx ? xs.reduce((n, x, i) => n + (x - mx) * (ys[i]! - my), 0) / sxx : 0;
  const errors = minutes.reduce((n, m) => n + errorCount(m.errors), 0);
  const met = rssGrowth < TARGET_GROWTH && p99Growth < TARGET_GROWTH && errors === 0 && events.received === events.raised;
  return {
    from: first.minute,
    to: last.minute,
    rssGrowth,
    p99Growth,
    p99TrendPctPerMinute: my ? (slope / my) * 100 : 0,
    errors,
    eventsRaised: events.raised,
    eventsReceived: events.received,
    met,
  };
}

const pad = (v: string | number, n: number) => String(v).padStart(n);

export const TABLE_HEADER =
  'min load  RSS MiB heap MiB gw CPU% pg CPU% | read p50  p99 n     | summ p99 | match p99 | submit n p50 s | events p99 ms | ' +
  'audit  replay versions dead susp susp MiB | errors';

export function formatMinute(m: Minute, warmup: boolean): string {
  const errors = Object.entries(m.errors).map(([kind, n]) => `${kind} ×${n}`).join(', ');
  return [
    `${pad(m.minute, 3)}${warmup ? '*' : ' '}${pad(m.load1.toFixed(2), 4)}`,
    `${pad(m.rssMiB.toFixed(1), 8)} ${pad(m.heapUsedMiB.toFixed(1), 8)} ${pad(m.gatewayCpuPct, 7)} ${pad(m.postgresCpuPct ?? '-', 7)}`,
    `| ${pad(m.reads.p50, 8)} ${pad(m.reads.p99, 4)} ${pad(m.reads.requests, 5)}`,
    `| ${pad(m.summaries.p99, 8)} | ${pad(m.matches.p99, 9)}`,
    `| ${pad(m.submissions.count, 8)} ${pad(m.submissions.p50Seconds.toFixed(2), 5)}`,
    `| ${pad(m.stream.events, 6)} ${pad(m.stream.p99DelayMs, 6)}`,
    `| ${pad(m.database.rows.audit_event, 6)} ${pad(m.database.rows.replay_cache, 6)} ${pad(m.database.rows.record_version, 8)} ${pad(m.database.deadRows.suspect, 9)} ${pad(m.database.suspectMiB.toFixed(1), 8)}`,
    `| ${errors || 'none'}`,
  ].join(' ');
}

export function formatVerdict(v: Verdict, minutes: Minute[]): string {
  const first = minutes.find((m) => m.minute === v.from)!;
  const last = minutes.find((m) => m.minute === v.to)!;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return (
    `soak: minute ${v.from} → ${v.to}: RSS ${first.rssMiB} → ${last.rssMiB} MiB (${pct(v.rssGrowth)}), ` +
    `read p99 ${first.reads.p99} → ${last.reads.p99} ms (${pct(v.p99Growth)}; trend ${v.p99TrendPctPerMinute.toFixed(1)}%/min), ` +
    `${v.errors} errors, events ${v.eventsReceived}/${v.eventsRaised} delivered; ` +
    `target < 10% growth, no error, every event delivered: ${v.met ? 'MET' : 'MISSED'}`
  );
}

/** bench/results/soak-<timestamp>.json; answers its path. */
export async function writeSoakResults(dir: string, figures: Record<string, unknown>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const at = new Date();
  const file = `${dir}soak-${at.toISOString().replace(/[:.]/g, '-')}.json`;
  await writeFile(file, `${JSON.stringify({ at: at.toISOString(), node: process.version, ...figures }, null, 2)}\n`);
  return file;
}
