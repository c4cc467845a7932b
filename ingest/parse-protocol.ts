// The messages between the ingest pipeline's thread (ingest/parse-pool.ts) and an ingest
// worker thread (ingest/parse-worker.ts). A job carries secrets (the pseudonym key, the
// spool's key): they travel by postMessage inside this process only and are never logged.
import type { ParseContext } from '../adapters/contract.ts';
import type { PreparedBatch } from './prepare.ts';
import type { DigestContext } from './record-digest.ts';
import type { SpoolSource } from './spool.ts';
import type { DigestProbe } from './unchanged.ts';

/** The nice value an ingest worker gives its own thread (ISO-32): the lowest priority there is. */
export const WORKER_NICE = 19;

export type WorkerJob = {
  id: number;
  format: string;
  context: ParseContext;
  spool: SpoolSource;
  pseudonymKey: string;
  ownerCode: string;
  digest: DigestContext;
  batchRecords: number;
  maxRecords: number;
};

export type ToWorker =
  | { type: 'job'; job: WorkerJob }
  /** The pipeline took one prepared batch: the worker may send another (of `batchRecords` records, when given). */
  | { type: 'ack'; job: number; batchRecords?: number }
  /** The pipeline needs no more (a file error, the record cap): stop reading. */
  | { type: 'cancel'; job: number }
  /** The answer to a lookup: indexes of the probes whose stored row carries the same digest. */
  | { type: 'unchanged'; job: number; lookup: number; unchanged: number[] }
  /** A written batch's buffers (transferred back), for the worker to fill again (ingest/batch/input.ts BufferShelf). */
  | { type: 'recycle'; job: number; buffers: ArrayBuffer[] };

export type FromWorker =
  /** The worker's code is loaded (ParsePool.warm waits for it). */
  | { type: 'ready' }
  | { type: 'lookup'; job: number; lookup: number; probes: DigestProbe[] }
  | { type: 'batch'; job: number; batch: PreparedBatch }
  | { type: 'done'; job: number }
  /** An unexpected failure (adapters do not throw for bad input): its name only, never a message that could quote data. */
  | { type: 'error'; job: number; name: string };
