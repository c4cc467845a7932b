// The child side of a bench server process: every server under test (bench/servers/*.ts) runs
// in its own Node process, started compiled by bench/run.ts (bench/lib/children.ts), and talks to the parent
// over the IPC channel only. The parent asks for "marks" (process.cpuUsage() and the number of
// SQL statements sent so far) at the start and end of a measured window; the deltas are the
// server's own CPU time and statements for the requests of that window.
//
// Statements are counted by wrapping pg's Client.prototype.query, which both the raw baseline
// (pg.Pool) and Prisma's @prisma/adapter-pg go through; BEGIN/COMMIT count as statements too.
// On request the child also samples itself with the V8 profiler (node:inspector) over exactly
// the measured window and writes a .cpuprofile.
import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import pg from 'pg';
import { startCpuProfile } from './profile.ts';
import type { ChildMessage, ParentMessage, Pauses } from './protocol.ts';

type Started = { port: number; close(): Promise<void> };

/** A gateway app listening on 127.0.0.1, as a started child: closing it closes its database too. */
export async function listenOnLoopback(app: { fastify: { listen(o: { host: string; port: number }): Promise<string> }; close(): Promise<void> }, db: { close(): Promise<void> }): Promise<Started> {
  const address = await app.fastify.listen({ host: '127.0.0.1', port: 0 });
  return {
    port: Number(new URL(address).port),
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

/** First SQL keyword and the table it names, e.g. `SELECT scam_den` or `INSERT replay_cache`. */
export function classifyStatement(sql: string): string {
  const text = sql.trim().replace(/\s+/g, ' ');
  const verb = (/^\w+/.exec(text)?.[0] ?? '?').toUpperCase();
  if (/pg_advisory_xact_lock/i.test(text)) return `${verb} pg_advisory_xact_lock`;
  const table = /\b(?:FROM|INTO|UPDATE)\s+((?:"?\w+"?\.)?"?\w+"?)/i.exec(text)?.[1]?.replace(/"/g, '').replace(/^public\./, '');
  return table ? `${verb} ${table}` : verb;
}

let statements = 0;
let breakdown: Map<string, number> | undefined;

function installStatementCounter(): void {
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
    statements++;
    if (breakdown) {
      const first = args[0] as string | { text?: string } | undefined;
      const sql = typeof first === 'string' ? first : (first?.text ?? '?');
      const key = classifyStatement(sql);
      breakdown.set(key, (breakdown.get(key) ?? 0) + 1);
    }
    return original.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** Event-loop delay and GC pauses, accumulated from one mark to the next. */
function pauseTracker(): { take(): Pauses } {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let gc: Pauses['gc'] = { count: 0, totalMs: 0, maxMs: 0, byKind: {} };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      const kind = GC_KINDS[entry.detail?.kind ?? -1] ?? 'other';
      const k = (gc.byKind[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
      for (const into of [gc, k]) {
        into.count++;
        into.totalMs += entry.duration;
        into.maxMs = Math.max(into.maxMs, entry.duration);
      }
    }
  }).observe({ entryTypes: ['gc'] });
  return {
    take() {
      const taken: Pauses = { loopDelayMs: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 }, gc };
      loop.reset();
      gc = { count: 0, totalMs: 0, maxMs: 0, byKind: {} };
      return taken;
    },
  };
}

let stopProfiler: ((file: string) => Promise<unknown>) | undefined;

async function startProfile(): Promise<void> {
  stopProfiler = await startCpuProfile();
}

async function stopProfile(file: string): Promise<void> {
  if (!stopProfiler) throw new Error('profiler not started');
  const stop = stopProfiler;
  stopProfiler = undefined;
  await stop(file);
}

/**
 * Starts the server, reports its port, then serves the parent's requests until told to exit
 * (or until the parent goes away: the child never outlives the bench).
 */
export async function runBenchChild(start: () => Promise<Started>): Promise<void> {
  if (!process.send) throw new Error('bench servers run as children of bench/run.ts (IPC channel missing)');
  installStatementCounter();
  const pauses = pauseTracker();
  const server = await start();
  let closing = false;
  const shutdown = async (code: number) => {
    if (closing) return;
    closing = true;
    const timer = setTimeout(() => process.exit(code), 5_000);
    try {
      await server.close();
    } finally {
      clearTimeout(timer);
      // A normal exit lets --cpu-prof write its profile.
      process.exit(code);
    }
  };
  process.on('disconnect', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('message', (raw) => {
    const message = raw as ParentMessage;
    switch (message.type) {
      case 'mark':
        send({ type: 'mark', cpu: process.cpuUsage(), statements, memory: process.memoryUsage(), pauses: pauses.take() });
        break;
      case 'breakdown':
        if (message.on) breakdown = new Map();
        else {
          send({ type: 'breakdown', counts: Object.fromEntries(breakdown ?? []) });
          breakdown = undefined;
        }
        break;
      case 'profile-start':
        void startProfile().then(() => send({ type: 'profile', started: true }));
        break;
      case 'profile-stop':
        void stopProfile(message.file).then(() => send({ type: 'profile', file: message.file }));
        break;
      case 'exit':
        void shutdown(0);
        break;
    }
  });
  send({ type: 'ready', port: server.port });
}

/** Reads a required environment variable of the child (set by bench/run.ts). */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set by bench/run.ts`);
  return value;
}
