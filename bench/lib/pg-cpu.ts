// CPU time spent by the PostgreSQL backends serving the bench database, read from /proc
// (Linux, server on this machine). A backend's command line names its database
// ("postgres: postgres liaison_bench_… 127.0.0.1(53422) idle"), so only the bench's own
// connections are counted, not other users of the same server. Unavailable → null.
// Deltas are taken per backend pid, so a pool closing idle connections does not spoil them.
import { readdir, readFile } from 'node:fs/promises';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on Linux for x86-64 and arm64. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** CPU ticks (utime + stime) in the text of a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat. */
export function statTicks(stat: string): number {
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
}

async function backendTicks(pid: string, database: string): Promise<number | undefined> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.startsWith('postgres:') || !cmdline.includes(` ${database} `)) return undefined;
    return statTicks(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // the process ended meanwhile, or /proc is not there
  }
}

export type PostgresCpu = Map<string, number>;

/** CPU milliseconds used so far by each backend of `database`, by pid; null when none is visible. */
export async function postgresCpu(database: string): Promise<PostgresCpu | null> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  } catch {
    return null;
  }
  const ticks = await Promise.all(pids.map(async (pid) => [pid, await backendTicks(pid, database)] as const));
  const found = ticks.filter((t): t is readonly [string, number] => t[1] !== undefined);
  if (found.length === 0) return null;
  return new Map(found.map(([pid, t]) => [pid, (t * 1000) / CLOCK_TICKS_PER_SECOND]));
}

/**
 * CPU used between two snapshots, backend by backend: a backend that started in between counts
 * whole; one that ended in between is lost (pools keep their connections while under load).
 */
export function postgresCpuDelta(before: PostgresCpu | null, after: PostgresCpu | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, ms] of after) total += Math.max(0, ms - (before.get(pid) ?? 0));
  return total;
}
