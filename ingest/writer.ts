// Hands each batch the ingest worker prepared (ingest/batch/input.ts: one JSON array per table)
// to the per-table statements (dens first, so that suspects and funds of the same batch find
// them), adding up what the statements report. Rows whose denRef finds no den yet come back
// from their statement as their input elements and wait in `pending` (the den may come later in
// the file); they are written once more at the end, and what still finds no den is
// DANGLING_REFERENCE. Memory: the batch being written, the one being prepared, and the pending
// elements, which the record cap bounds. A row whose stored record its owner retracted is not
// written (a retraction is never undone by a later file): it counts as unchanged and
// `onRetracted` reports it.
import { writeDens } from './batch/dens.ts';
import { writeFunds } from './batch/funds.ts';
import { tableInput, type BatchRows, type TableInput } from './batch/input.ts';
import { writeSuspects } from './batch/suspects.ts';
import type { RunStatement, Unwritten, WriteContext, WriteResult } from './batch/types.ts';
import type { RecordKindName, SubmissionCounts } from './report.ts';

export const DEFAULT_BATCH_SIZE = 1000;
/**
 * Records per batch while other partners are active (kernel/foreground.ts): statements a
 * quarter as long, which their requests wait behind less (isolation bench, big upload: A's p99
 * 3.4x -> 1.75x of its solo p99), for about 5% more time per record when alone.
 */
export const FOREGROUND_BATCH_SIZE = 100;

type Writer = (run: RunStatement, ctx: WriteContext, input: TableInput | undefined) => Promise<WriteResult>;

/** A row not written, with its kind. */
export type UnwrittenRow = Unwritten & { kind: RecordKindName };

const placeOf = (element: unknown): Unwritten => {
  const { ref, at } = element as Unwritten;
  return { ref, at };
};

export class RecordWriter {
  private pendingSuspects: unknown[] = [];
  private pendingFunds: unknown[] = [];
  batches = 0;
  private inFlight: Promise<void> = Promise.resolve();
  /** How long the last batch kept the database busy (its statements, one after another). */
  private lastBatchMs = 0;

  constructor(
    private readonly run: RunStatement,
    private readonly ctx: WriteContext,
    private readonly counts: SubmissionCounts,
    private readonly batchSize: number = DEFAULT_BATCH_SIZE,
    private readonly onBatch: (batches: number) => void = () => {},
    private readonly onRetracted: (row: UnwrittenRow) => void = () => {},
    /** Awaited before each batch is sent, with how long the previous one took (pacing, kernel/foreground.ts). */
    private readonly beforeBatch: (lastBatchMs: number) => Promise<void> = async () => {},
    /** Called with each input once its statement has run (the pipeline gives its buffer back to the ingest worker). */
    private readonly onWritten: (input: TableInput) => void = () => {},
  ) {}

  /** Writes one table's input; answers the elements whose den is not there yet. */
  private async writeTable(kind: RecordKindName, input: TableInput | undefined, write: Writer): Promise<unknown[]> {
    if (!input) return [];
    const result = await write(this.run, this.ctx, input);
    this.onWritten(input);
    const written = input.count - result.unresolved.length;
    this.counts.accepted += result.inserted;
    this.counts.updated += result.updated;
    this.counts.unchanged += written - result.inserted - result.updated;
    for (const row of result.retracted) this.onRetracted({ kind, ...row });
    return result.unresolved;
  }

  private async writeAll(rows: BatchRows): Promise<void> {
    const started = performance.now();
    await this.writeTable('scamDen', rows.scamDen, writeDens);
    this.pendingSuspects.push(...(await this.writeTable('suspect', rows.suspect, writeSuspects)));
    this.pendingFunds.push(...(await this.writeTable('interceptedFund', rows.interceptedFund, writeFunds)));
    this.lastBatchMs = performance.now() - started;
    this.onBatch(++this.batches);
  }

  /**
   * Hands a batch to the database and returns as soon as the PREVIOUS batch is written (and
   * `beforeBatch` let it go), so the worker prepares batch n+1 while PostgreSQL writes batch n
   * (one statement in flight at a time, in file order). A failure surfaces at the next add or
   * at settle().
   */
  async add(rows: BatchRows): Promise<void> {
    if (!rows.scamDen && !rows.suspect && !rows.interceptedFund) return;
    await this.inFlight;
    await this.beforeBatch(this.lastBatchMs);
    this.inFlight = this.writeAll(rows);
    this.inFlight.catch(() => {}); // observed by the next await of inFlight
  }

  /** Waits for the batch in flight (call before anything else uses the transaction). */
  async settle(): Promise<void> {
    await this.inFlight;
  }

  /** Writes the rows that waited for a den once more; answers those that still found none, in file order per kind. */
  async finish(): Promise<UnwrittenRow[]> {
    await this.settle();
    const dangling: UnwrittenRow[] = [];
    const retry = async (kind: 'suspect' | 'interceptedFund', pending: unknown[], write: Writer) => {
      for (let i = 0; i < pending.length; i += this.batchSize) {
        const left = await this.writeTable(kind, tableInput(pending.slice(i, i + this.batchSize)), write);
        dangling.push(...left.map((element) => ({ kind, ...placeOf(element) })));
      }
    };
    await retry('suspect', this.pendingSuspects, writeSuspects);
    await retry('interceptedFund', this.pendingFunds, writeFunds);
    this.pendingSuspects = [];
    this.pendingFunds = [];
    return dangling;
  }
}
