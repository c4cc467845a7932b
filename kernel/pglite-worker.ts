// The embedded database's own thread: holds the PGlite instance and runs what the thread that
// answers requests asks of it (kernel/pglite-thread.ts), so that PostgreSQL's work, compiled to
// WebAssembly and run synchronously, never holds that thread (a large submission's linkage
// statement held it 4.9-5.2 s, answering nothing meanwhile). Calls are forwarded to PGlite as
// they come: its own locks order them exactly as they did on one thread (a statement outside
// a transaction waits for the open one to end). Values are parsed here with PGlite's parsers,
// except the types whose parsers the caller has (they come back as PostgreSQL's text).
// Nothing here logs: statements' parameters hold pseudonyms and batches of records.
import { parentPort, workerData } from 'node:worker_threads';
import { messages, PGlite, TransactionAbortedError, type Transaction } from '@electric-sql/pglite';
import type { FromPGliteThread, PGliteThreadStart, QueryCall, ToPGliteThread, WireError } from './pglite-protocol.ts';

const port = parentPort;
if (!port) throw new Error('kernel/pglite-worker.ts runs as a worker thread (kernel/pglite-thread.ts)');
const post = (message: FromPGliteThread) => port.postMessage(message);
const start = workerData as PGliteThreadStart;

/** Ends a transaction's callback when the caller's own callback failed: PGlite rolls back. */
const CALLER_FAILED = Symbol('the caller rolled the transaction back');

type OpenTransaction = {
  tx: Transaction;
  finish: (commit: boolean) => void;
  /** Settles when PGlite has committed or rolled back. */
  settled: Promise<unknown>;
};

const transactions = new Map<number, OpenTransaction>();
const unlisteners = new Map<number, Promise<() => Promise<void>>>();
let nextTransaction = 1;

function wireError(error: unknown): WireError {
  const kind = error instanceof TransactionAbortedError ? 'aborted' : error instanceof messages.DatabaseError ? 'database' : 'other';
  if (typeof error !== 'object' || error === null) return { kind, name: 'Error', message: String(error), length: 0, fields: {} };
  // Emscripten's file-system errors (ErrnoError, with the errno that kernel/data-dir.ts reads)
  // are objects of their own class, not Errors: their fields are kept alike.
  const fields: WireError['fields'] = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === 'name' || key === 'message' || key === 'length' || key === 'stack') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === undefined) fields[key] = value;
  }
  const { name, message, length } = error as { name?: unknown; message?: unknown; length?: unknown };
  return {
    kind,
    name: typeof name === 'string' ? name : error.constructor.name,
    message: typeof message === 'string' ? message : String(error),
    length: typeof length === 'number' ? length : 0,
    fields,
  };
}

/** Parsers that leave each of `types` as PostgreSQL's text, cached by the set asked for. */
const rawParsers = new Map<string, Record<number, (value: string) => string>>();
function rawParsersFor(types: number[]): Record<number, (value: string) => string> | undefined {
  if (types.length === 0) return undefined;
  const key = types.join(',');
  let parsers = rawParsers.get(key);
  if (!parsers) {
    parsers = Object.fromEntries(types.map((t) => [t, (value: string) => value]));
    rawParsers.set(key, parsers);
  }
  return parsers;
}

function transactionOf(id: number): Transaction {
  const open = transactions.get(id);
  // As PGlite answers a statement on a transaction that has ended.
  if (!open) throw new Error('Transaction is closed');
  return open.tx;
}

function runQuery(pglite: PGlite, call: QueryCall) {
  const on = call.tx === undefined ? pglite : transactionOf(call.tx);
  const parsers = rawParsersFor(call.rawTypes);
  return on.query(call.sql, call.params, {
    ...(call.rowMode ? { rowMode: call.rowMode } : {}),
    ...(parsers ? { parsers } : {}),
  });
}

/** Opens a transaction and answers once its callback runs; `end` finishes it. */
async function begin(pglite: PGlite): Promise<number> {
  const id = nextTransaction++;
  let entered!: () => void;
  const open = new Promise<void>((resolve) => (entered = resolve));
  const settled = pglite.transaction(
    (tx) =>
      new Promise<void>((resolve, reject) => {
        transactions.set(id, { tx, finish: (commit) => (commit ? resolve() : reject(CALLER_FAILED)), settled });
        entered();
      }),
  );
  // BEGIN itself failed: no callback ran.
  await Promise.race([open, settled]);
  return id;
}

async function end(id: number, commit: boolean): Promise<void> {
  const open = transactions.get(id);
  if (!open) throw new Error('Transaction is closed');
  transactions.delete(id);
  open.finish(commit);
  try {
    await open.settled;
  } catch (error) {
    if (error !== CALLER_FAILED) throw error;
  }
}

async function answer(pglite: PGlite, call: ToPGliteThread): Promise<unknown> {
  switch (call.op) {
    case 'query':
      return runQuery(pglite, call);
    case 'exec':
      return (call.tx === undefined ? pglite : transactionOf(call.tx)).exec(call.sql);
    case 'begin':
      return begin(pglite);
    case 'rollback':
      return transactionOf(call.tx).rollback();
    case 'end':
      return end(call.tx, call.commit);
    case 'listen': {
      const unlisten = pglite.listen(call.channel, (payload) => post({ type: 'notify', listener: call.listener, payload }));
      unlisteners.set(call.listener, unlisten);
      await unlisten;
      return undefined;
    }
    case 'unlisten': {
      const unlisten = unlisteners.get(call.listener);
      unlisteners.delete(call.listener);
      if (unlisten) await (await unlisten)();
      return undefined;
    }
    case 'dump': {
      const dump = await pglite.dumpDataDir(call.compression);
      return dump.arrayBuffer();
    }
    case 'memory':
      return process.memoryUsage();
    case 'close':
      await pglite.close();
      return undefined;
  }
}

async function main(): Promise<void> {
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(start.dataDir, start.dump ? { loadDataDir: new Blob([start.dump]) } : {});
  } catch (error) {
    post({ type: 'failed', error: wireError(error) });
    return;
  }
  port!.on('message', (call: ToPGliteThread) => {
    answer(pglite, call).then(
      (value) => post({ type: 'reply', id: call.id, value }),
      (error: unknown) => post({ type: 'error', id: call.id, error: wireError(error) }),
    );
  });
  post({ type: 'ready' });
}

void main();
