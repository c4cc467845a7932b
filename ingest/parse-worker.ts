// An ingest worker thread: reads a spooled upload (decrypting it, ingest/spool.ts), parses it
// with the format's adapter and prepares its records (ingest/prepare.ts: digest, one lookup
// per batch through the main thread, pseudonymization, the batch statements' inputs), posting
// the prepared batches back.
// At most MAX_UNACKED batches are in flight: the worker waits for the pipeline to take one
// before sending more, so a fast parser never piles a file up in memory. Jobs run one at a
// time in arrival order. Nothing here logs: the job carries the pseudonym key and the spool's
// key, which must never appear anywhere; an error is reported by its name only.
// The thread runs at the lowest CPU priority (ISO-32): on a busy machine the threads that
// answer requests, and the database's, run first; an idle machine still gives it every cycle.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { getAdapter } from '../adapters/index.ts';
import { BufferShelf, transferablesOf } from './batch/input.ts';
import { prepareBatches } from './prepare.ts';
import { digestKey } from './record-digest.ts';
import { readSpool } from './spool.ts';
import { WORKER_NICE, type FromWorker, type ToWorker, type WorkerJob } from './parse-protocol.ts';
import type { DigestProbe } from './unchanged.ts';

const MAX_UNACKED = 2;

type Running = {
  id: number;
  /** Records per batch from the next batch on: the pipeline may change it with an ack. */
  sizing: { batchRecords: number };
  cancelled: boolean;
  unacked: number;
  wakeAck?: () => void;
  lookups: Map<number, (unchanged: number[]) => void>;
  nextLookup: number;
};

const port = parentPort;
if (!port) throw new Error('ingest/parse-worker.ts runs as a worker thread (ingest/parse-pool.ts)');
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

let running: Running | undefined;
let queue: Promise<void> = Promise.resolve();
/** The running job's buffers given back to be filled again; emptied when the job ends, so an idle worker holds none. */
const shelf = new BufferShelf();

async function runJob(job: WorkerJob): Promise<void> {
  const self: Running = { id: job.id, sizing: { batchRecords: job.batchRecords }, cancelled: false, unacked: 0, lookups: new Map(), nextLookup: 0 };
  running = self;
  try {
    const adapter = getAdapter(job.format);
    if (!adapter) throw new Error('unknown format');
    const source = { path: job.spool.path, key: Buffer.from(job.spool.key), iv: Buffer.from(job.spool.iv) };
    const findUnchanged = (probes: DigestProbe[]) =>
      probes.length === 0
        ? Promise.resolve([])
        : new Promise<number[]>((resolve) => {
            const lookup = self.nextLookup++;
            self.lookups.set(lookup, resolve);
            post({ type: 'lookup', job: self.id, lookup, probes });
          });
    const batches = prepareBatches(
      // An iterable that reads the spool from the start each time: a JSON reader reads it again
      // to place a syntax error instead of shadowing every file (adapters/shared/json-stream.ts).
      adapter.parse({ [Symbol.asyncIterator]: () => readSpool(source) }, job.context),
      {
        pseudonymKey: job.pseudonymKey,
        ownerCode: job.ownerCode,
        digestKey: digestKey(job.pseudonymKey),
        digest: job.digest,
        batchRecords: () => self.sizing.batchRecords,
        maxRecords: job.maxRecords,
        bytes: shelf.take,
      },
      findUnchanged,
    );
    for await (const batch of batches) {
      if (self.cancelled) break;
      while (self.unacked >= MAX_UNACKED && !self.cancelled) await new Promise<void>((wake) => (self.wakeAck = wake));
      if (self.cancelled) break;
      self.unacked++;
      // The rows' bytes move to the answering thread; nothing here reads them again.
      post({ type: 'batch', job: self.id, batch }, transferablesOf(batch.rows));
    }
    post({ type: 'done', job: self.id });
  } catch (error) {
    post({ type: 'error', job: self.id, name: error instanceof Error ? error.name : 'Error' });
  } finally {
    running = undefined;
    shelf.clear();
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'job':
      queue = queue.then(() => runJob(message.job));
      return;
    case 'ack':
    case 'cancel': {
      const job = running;
      if (!job || job.id !== message.job) return;
      if (message.type === 'ack') {
        job.unacked--;
        if (message.batchRecords !== undefined) job.sizing.batchRecords = message.batchRecords;
      } else {
        job.cancelled = true;
        // A lookup still waiting is answered "nothing unchanged": its batch is dropped anyway.
        for (const resolve of job.lookups.values()) resolve([]);
        job.lookups.clear();
      }
      job.wakeAck?.();
      job.wakeAck = undefined;
      return;
    }
    case 'recycle':
      if (running?.id === message.job) shelf.put(message.buffers);
      return;
    case 'unchanged': {
      const job = running;
      if (!job || job.id !== message.job) return;
      const resolve = job.lookups.get(message.lookup);
      job.lookups.delete(message.lookup);
      resolve?.(message.unchanged);
      return;
    }
  }
});

/**
 * Lowers this thread's (not the process's) CPU priority. On Linux a nice value belongs to a
 * thread, named by its id in /proc/thread-self; elsewhere, or where it is refused, the worker
 * keeps the normal priority.
 */
function lowerOwnPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, WORKER_NICE);
  } catch {
    // Not Linux, or not permitted: nothing else to do.
  }
}

lowerOwnPriority();
post({ type: 'ready' });
