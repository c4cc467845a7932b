// Messages between bench/run.ts and its server children over the IPC channel, plus the
// environment contract of a child (which database, which viewer, which mode).

export type ParentMessage =
  | { type: 'mark' }
  /** on: start collecting a per-statement-kind breakdown; off: send it and stop. */
  | { type: 'breakdown'; on: boolean }
  /** Starts the V8 sampling profiler in the child; `profile-stop` writes it to `file`. */
  | { type: 'profile-start' }
  | { type: 'profile-stop'; file: string }
  | { type: 'exit' };

/**
 * The child's main-thread pauses since the previous mark: event-loop delay (p99, max) and
 * garbage-collection pauses (how many, their total and the longest, by kind), so a latency
 * spike seen by a client can be told apart as GC, other work on the thread, or waiting.
 */
export type Pauses = {
  loopDelayMs: { p99: number; max: number };
  gc: { count: number; totalMs: number; maxMs: number; byKind: Record<string, { count: number; totalMs: number; maxMs: number }> };
};

export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'mark'; cpu: NodeJS.CpuUsage; statements: number; memory: NodeJS.MemoryUsage; pauses: Pauses }
  | { type: 'breakdown'; counts: Record<string, number> }
  | { type: 'profile'; started?: boolean; file?: string };

/** Environment variables bench/run.ts sets for a child. */
export const ENV = {
  databaseUrl: 'BENCH_DATABASE_URL',
  pseudonymKey: 'BENCH_PSEUDONYM_KEY',
  /** Agency code of the viewer (raw baseline and the no-auth gateway use it as fixed viewer). */
  viewerCode: 'BENCH_VIEWER_CODE',
  /** `full` (real JWT verification + replay cache + audit) or `noauth` (fixed viewer, no-op audit). */
  gatewayMode: 'BENCH_GATEWAY_MODE',
  poolSize: 'BENCH_POOL_SIZE',
  /** The `aud` partner tokens carry (the raw auth handler checks it as the gateway does). */
  audience: 'BENCH_AUDIENCE',
  /** The PostGraphile child's role, whose row-level security applies the sharing rule. */
  postgraphileRole: 'BENCH_POSTGRAPHILE_ROLE',
} as const;

export type GatewayMode = 'full' | 'noauth';
