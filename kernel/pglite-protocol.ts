// The messages between the embedded database's thread (kernel/pglite-worker.ts, which holds
// the PGlite instance) and the thread that answers requests (kernel/pglite-thread.ts). Types
// only: both sides import them, neither imports the other.

/** What the thread is started with (its workerData). */
export type PGliteThreadStart = {
  dataDir: string;
  /** A dump of a data directory to start from (PGlite's loadDataDir), as its bytes. */
  dump: ArrayBuffer | undefined;
};

export type QueryCall = {
  op: 'query';
  sql: string;
  params: unknown[] | undefined;
  rowMode: 'array' | 'object' | undefined;
  /**
   * Types whose values come back as PostgreSQL's text: the caller parses them with parsers of
   * its own (functions cannot cross threads). Every other value is parsed by PGlite there.
   */
  rawTypes: number[];
  tx: number | undefined;
};

export type ToPGliteThread = { id: number } & (
  | QueryCall
  | { op: 'exec'; sql: string; tx: number | undefined }
  | { op: 'begin' }
  | { op: 'rollback'; tx: number }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'listen'; channel: string; listener: number }
  | { op: 'unlisten'; listener: number }
  | { op: 'dump'; compression: 'none' | 'gzip' | 'auto' }
  | { op: 'memory' }
  | { op: 'close' }
);

/** An error as it crosses the threads: rebuilt as the same class on the other side. */
export type WireError = {
  kind: 'database' | 'aborted' | 'other';
  name: string;
  message: string;
  length: number;
  /** The error's own fields of plain values (PostgreSQL's code, detail, constraint...; an errno). */
  fields: Record<string, string | number | boolean | undefined>;
};

export type FromPGliteThread =
  | { type: 'ready' }
  | { type: 'failed'; error: WireError }
  | { type: 'reply'; id: number; value: unknown }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'notify'; listener: number; payload: string };
