// The embedded database, run on a thread of its own (kernel/pglite-worker.ts) and reached from
// here with the part of PGlite's interface the gateway uses: statements, scripts, transactions,
// LISTEN, dumps. PGlite runs PostgreSQL compiled to WebAssembly synchronously on the thread
// that calls it, so on the thread that answers requests one large statement answered nothing
// else until it ended (a 100,000-record submission's linkage: 4.9-5.2 s, health checks and
// other partners included). Here that thread only sends the statement and parses what the
// caller's own parsers cover; PostgreSQL's work, and PGlite's parsing of the rest, run there.
// Errors come back as the classes PGlite throws (messages.DatabaseError and its subclass
// TransactionAbortedError, with every field), so callers tell them apart as before.
import { Worker } from 'node:worker_threads';
import { messages, TransactionAbortedError, type ParserOptions, type Results, type RowMode } from '@electric-sql/pglite';
import type { FromPGliteThread, PGliteThreadStart, ToPGliteThread, WireError } from './pglite-protocol.ts';

/** The compiled thread (dist/, bin/build.mjs) when this file is compiled; else its tsx entry. */
const THREAD_ENTRY = new URL(import.meta.url.endsWith('.js') ? './pglite-worker.js' : './pglite-worker.cjs', import.meta.url);

/** What a statement may ask for: PGlite's query options that can cross threads. */
export type EmbeddedQueryOptions = { rowMode?: RowMode; parsers?: ParserOptions };

/** A transaction of the embedded database, as PGlite's Transaction offers it. */
export type EmbeddedTransaction = {
  query<T>(sql: string, params?: unknown[], options?: EmbeddedQueryOptions): Promise<Results<T>>;
  exec(sql: string): Promise<Results[]>;
  rollback(): Promise<void>;
  readonly closed: boolean;
};

type Call = ToPGliteThread extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

function errorFrom(wire: WireError): Error {
  const error =
    wire.kind === 'aborted'
      ? new TransactionAbortedError()
      : wire.kind === 'database'
        ? new messages.DatabaseError(wire.message, wire.length, wire.name as messages.MessageName)
        : Object.assign(new Error(wire.message), { name: wire.name });
  return Object.assign(error, wire.fields);
}

export class PGliteThread {
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly listeners = new Map<number, (payload: string) => void>();
  private nextCall = 1;
  private nextListener = 1;
  /** Why the thread can answer nothing more (it stopped, or close() ran). */
  private stopped: Error | undefined;

  private constructor(private readonly worker: Worker) {
    // The thread keeps the process alive only while a call waits for it, as PGlite on this
    // thread did: an idle embedded database never holds a process open.
    worker.unref();
    worker.on('message', (message: FromPGliteThread) => this.receive(message));
    worker.on('error', (error) => this.stop(error));
    worker.on('exit', (code) => this.stop(new Error(`the embedded database's thread stopped (exit code ${code})`)));
  }

  /**
   * Starts the thread and opens the database in `dataDir` (`memory://` keeps it in memory),
   * from `dump` when given; resolves when it answers statements.
   */
  static async open(options: { dataDir: string; dump?: Blob | undefined }): Promise<PGliteThread> {
    const start: PGliteThreadStart = { dataDir: options.dataDir, dump: options.dump ? await options.dump.arrayBuffer() : undefined };
    const worker = new Worker(THREAD_ENTRY, { workerData: start, transferList: start.dump ? [start.dump] : [], execArgv: [] });
    await new Promise<void>((resolve, reject) => {
      // A thread that ends before it answers (no error event: an exit of its own) fails the start instead of leaving it waiting.
      const exited = (code: number) => reject(new Error(`the embedded database's thread stopped while starting (exit code ${code})`));
      const settle = (message: FromPGliteThread) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'failed') reject(errorFrom(message.error));
        else return;
        worker.off('message', settle);
        worker.off('error', reject);
        worker.off('exit', exited);
      };
      worker.on('message', settle);
      worker.once('error', reject);
      worker.once('exit', exited);
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    return new PGliteThread(worker);
  }

  private receive(message: FromPGliteThread): void {
    if (message.type === 'notify') {
      this.listeners.get(message.listener)?.(message.payload);
      return;
    }
    if (message.type !== 'reply' && message.type !== 'error') return;
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.settled(message.id);
    if (message.type === 'reply') waiting.resolve(message.value);
    else waiting.reject(errorFrom(message.error));
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private stop(reason: Error): void {
    this.stopped ??= reason;
    for (const [id, waiting] of this.pending) {
      this.settled(id);
      waiting.reject(reason);
    }
  }

  private call<T>(call: Call): Promise<T> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextCall++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, ...call } as ToPGliteThread);
    });
  }

  async query<T>(sql: string, params?: unknown[], options?: EmbeddedQueryOptions, tx?: number): Promise<Results<T>> {
    const parsers = options?.parsers;
    const result = await this.call<Results<T>>({
      op: 'query',
      sql,
      params,
      rowMode: options?.rowMode,
      rawTypes: parsers ? Object.keys(parsers).map(Number) : [],
      tx,
    });
    if (parsers && result.rows.length > 0 && result.fields.length > 0) parseColumns(result, parsers, options?.rowMode === 'array');
    return result;
  }

  exec(sql: string, tx?: number): Promise<Results[]> {
    return this.call({ op: 'exec', sql, tx });
  }

  /**
   * Runs `run` in a transaction, as PGlite's transaction() does: committed when it resolves
   * (unless it rolled back), rolled back when it throws. Statements outside it wait for it.
   */
  async transaction<T>(run: (tx: EmbeddedTransaction) => Promise<T>): Promise<T> {
    const id = await this.call<number>({ op: 'begin' });
    let closed = false;
    const tx: EmbeddedTransaction = {
      query: (sql, params, options) => this.query(sql, params, options, id),
      exec: (sql) => this.exec(sql, id),
      rollback: async () => {
        await this.call({ op: 'rollback', tx: id });
        closed = true;
      },
      get closed() {
        return closed;
      },
    };
    let value: T;
    try {
      value = await run(tx);
    } catch (error) {
      closed = true;
      await this.call({ op: 'end', tx: id, commit: false });
      throw error;
    }
    closed = true;
    await this.call({ op: 'end', tx: id, commit: true });
    return value;
  }

  /** LISTENs on `channel` (given as PGlite's listen takes it); resolves to the UNLISTEN. */
  async listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>> {
    const listener = this.nextListener++;
    this.listeners.set(listener, callback);
    await this.call({ op: 'listen', channel, listener });
    return async () => {
      this.listeners.delete(listener);
      await this.call({ op: 'unlisten', listener });
    };
  }

  /** The data directory as a tar archive (PGlite's dumpDataDir). */
  async dumpDataDir(compression: 'none' | 'gzip' | 'auto' = 'none'): Promise<Blob> {
    return new Blob([await this.call<ArrayBuffer>({ op: 'dump', compression })]);
  }

  /** The thread's own memory (its heap and buffers; the WebAssembly memory is among them). */
  memoryUsage(): Promise<NodeJS.MemoryUsage> {
    return this.call({ op: 'memory' });
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    await this.call({ op: 'close' });
    this.stopped = new Error('the embedded database is closed');
    await this.worker.terminate();
  }
}

/** Applies the caller's parsers to the columns of their types, which came back as text. */
function parseColumns(result: Results<unknown>, parsers: ParserOptions, arrays: boolean): void {
  const columns: { key: number | string; type: number; parse: (value: string, type: number) => unknown }[] = [];
  result.fields.forEach((field, index) => {
    const parse = parsers[field.dataTypeID];
    if (parse) columns.push({ key: arrays ? index : field.name, type: field.dataTypeID, parse });
  });
  if (columns.length === 0) return;
  for (const row of result.rows as Record<number | string, unknown>[]) {
    for (const { key, type, parse } of columns) {
      const value = row[key];
      if (value !== null && value !== undefined) row[key] = parse(value as string, type);
    }
  }
}
