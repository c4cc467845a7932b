// The bounded pool of ingest worker threads (ingest/parse-worker.ts): parsing, mapping,
// digests and pseudonymization of uploads run there, never on the thread that answers
// requests, so a 50 MB file does not stall other partners' queries. Size: one worker per core
// but one (at least one); a submission leases a worker for its whole write transaction and
// waits, before its transaction, while all are busy. Workers start on first use, are kept,
// and do not keep the process alive once loaded and idle; one that dies is replaced at the next lease.
// The pipeline's side of a job is an async iterable of prepared batches (ingest/prepare.ts): the worker's lookups
// (which records are stored unchanged) are answered here, through the caller's `findUnchanged`,
// because the database connection lives on this thread.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerJob } from './parse-protocol.ts';
import type { PreparedBatch } from './prepare.ts';
import type { DigestProbe } from './unchanged.ts';

export type PrepareJob = Omit<WorkerJob, 'id'>;

export type WorkerLease = {
  /**
   * The file's prepared batches; leaving the loop early stops the worker's reading. With
   * `nextBatchRecords`, each batch taken tells the worker the size of the batches it prepares next.
   */
  prepare(job: PrepareJob, findUnchanged: (probes: DigestProbe[]) => Promise<number[]>, nextBatchRecords?: () => number): AsyncGenerator<PreparedBatch>;
  /**
   * Gives a written batch's buffers back to the worker, which fills them again for the batches
   * still to come (they leave this thread: the caller must not read them again). Nothing
   * happens once the job has ended or the lease is released.
   */
  recycle(buffers: readonly ArrayBuffer[]): void;
  release(): void;
};

/** The compiled worker (dist/, bin/build.mjs) when this file is compiled; else its tsx entry. */
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.js') ? './parse-worker.js' : './parse-worker.cjs', import.meta.url);
/**
 * Over this, the worker stops with ERR_WORKER_OUT_OF_MEMORY and the submission fails, nothing
 * stored. The young generation keeps V8's default size (a fixed bound, whatever the file): with
 * an 8 MB cap the garbage collector took 22% of the worker's profile samples (15% without), and
 * an unchanged resubmission of 100,000 records took 8.3 -> 7.4 s and 7.0 -> 6.3 s with the cap
 * lifted (two runs each).
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 256 };

type Slot = {
  worker: Worker;
  /** Settles when the worker's code is loaded (or it failed to start). */
  ready: Promise<void>;
  busy: boolean;
  dead: boolean;
  /** The running job's id. */
  job?: number;
  /** The running job's handlers. */
  onMessage?: (message: FromWorker) => void;
  onFailure?: (error: Error) => void;
};

export class ParsePool {
  private readonly slots: Slot[] = [];
  private readonly waiting: ((slot: Slot) => void)[] = [];
  private nextJob = 0;
  /** Jobs run, for tests that check the work left this thread. */
  jobsRun = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error('the ingest worker pool needs at least one worker');
  }

  private spawn(): Slot {
    // A small heap: what a job holds is bounded (two batches in flight, the file's refs), and a
    // small young generation keeps the process's peak memory from growing with the file.
    const worker = new Worker(WORKER_ENTRY, { execArgv: [], resourceLimits: WORKER_HEAP });
    let started = () => {};
    const ready = new Promise<void>((resolve) => (started = resolve));
    const slot: Slot = { worker, ready, busy: false, dead: false };
    const die = (error: Error) => {
      if (slot.dead) return;
      slot.dead = true;
      started();
      this.slots.splice(this.slots.indexOf(slot), 1);
      slot.onFailure?.(error);
    };
    worker.on('message', (message: FromWorker) => {
      if (message.type !== 'ready') return slot.onMessage?.(message);
      started();
      // Loaded: from now on an idle worker does not keep the process alive.
      if (!slot.busy) worker.unref();
    });
    // The worker's own error: by name only (its message could quote a value of the file).
    worker.on('error', (error) => die(new Error(`ingest worker failed (${error.name})`)));
    worker.on('exit', (code) => die(new Error(`ingest worker exited (code ${code})`)));
    // The worker stays referenced until it is loaded ('ready' above): warm() and a lease wait
    // for it, and an unreferenced worker still starting let such a process end early (exit 13,
    // the await unsettled). Never unref'd before its listeners either: adding a 'message'
    // listener to a Worker refs its port again, and such a worker kept its process alive for
    // good (one whose submission leased a worker but ran no job, an idempotent replay).
    this.slots.push(slot);
    return slot;
  }

  /**
   * Starts every worker and waits until their code is loaded, so that the first upload does
   * not pay for it (the server calls this before it listens). A worker that fails to start
   * is replaced at the next lease, which then reports the failure.
   */
  async warm(): Promise<void> {
    while (this.slots.length < this.size) this.spawn();
    await Promise.all(this.slots.map((s) => s.ready));
  }

  /** A worker of its own for one submission (waits while all are busy). */
  async lease(): Promise<WorkerLease> {
    const free = this.slots.find((s) => !s.busy && !s.dead) ?? (this.slots.length < this.size ? this.spawn() : undefined);
    const slot = free ?? (await new Promise<Slot>((resolve) => this.waiting.push(resolve)));
    slot.busy = true;
    let released = false;
    return {
      prepare: (job, findUnchanged, nextBatchRecords) => this.run(slot, { ...job, id: ++this.nextJob }, findUnchanged, nextBatchRecords),
      recycle: (buffers) => {
        // A detached buffer (byte length 0) cannot be transferred again.
        const movable = buffers.filter((b) => b.byteLength > 0);
        if (released || slot.dead || slot.job === undefined || movable.length === 0) return;
        const message: ToWorker = { type: 'recycle', job: slot.job, buffers: movable };
        slot.worker.postMessage(message, movable);
      },
      release: () => {
        if (released) return;
        released = true;
        slot.busy = false;
        const next = this.waiting.shift();
        if (!next) return;
        // A dead worker's turn goes to a new one.
        next(slot.dead ? this.spawn() : slot);
      },
    };
  }

  private async *run(
    slot: Slot,
    job: WorkerJob,
    findUnchanged: (probes: DigestProbe[]) => Promise<number[]>,
    nextBatchRecords?: () => number,
  ): AsyncGenerator<PreparedBatch> {
    if (slot.dead) throw new Error('ingest worker exited');
    const post = (message: ToWorker) => slot.worker.postMessage(message);
    const ready: PreparedBatch[] = [];
    let done = false;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    slot.onMessage = (message) => {
      if (message.type === 'ready' || message.job !== job.id) return;
      if (message.type === 'lookup') {
        findUnchanged(message.probes).then(
          (unchanged) => post({ type: 'unchanged', job: job.id, lookup: message.lookup, unchanged }),
          (error: unknown) => {
            failure = error instanceof Error ? error : new Error(String(error));
            notify();
          },
        );
        return;
      }
      if (message.type === 'batch') ready.push(message.batch);
      else if (message.type === 'done') done = true;
      else failure = new Error(`ingest worker failed (${message.name})`);
      notify();
    };
    slot.onFailure = (error) => {
      failure = error;
      notify();
    };
    this.jobsRun++;
    slot.job = job.id;
    slot.worker.ref();
    post({ type: 'job', job });
    try {
      for (;;) {
        const batch = ready.shift();
        if (batch) {
          post({ type: 'ack', job: job.id, ...(nextBatchRecords ? { batchRecords: nextBatchRecords() } : {}) });
          yield batch;
          continue;
        }
        if (failure) throw failure;
        if (done) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      if (!done && !slot.dead) post({ type: 'cancel', job: job.id });
      slot.onMessage = undefined;
      slot.onFailure = undefined;
      slot.job = undefined;
      if (!slot.dead) slot.worker.unref();
    }
  }
}

let shared: ParsePool | undefined;

/** The process's pool: one worker per core but one, at least one. */
export function sharedParsePool(): ParsePool {
  shared ??= new ParsePool(Math.max(1, availableParallelism() - 1));
  return shared;
}
