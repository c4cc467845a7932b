// Collects valid rows into batches and hands each batch to the per-table writers (dens first,
// so that suspects and funds of the same batch find them), adding up what the statements
// report. Rows whose denRef finds no den yet wait in `pending` (the den may come later in the
// file) and are written once more at the end; what still finds no den is DANGLING_REFERENCE.
// Memory: the batch being written, the one being filled, and the pending rows, which the
// record cap bounds. A row whose stored record its owner retracted is not written (a retraction
// is never undone by a later file): it counts as unchanged and `onRetracted` reports it.
import { writeDens } from './batch/dens.ts';
import { writeFunds } from './batch/funds.ts';
import { writeSuspects } from './batch/suspects.ts';
import type { Tx, WriteContext, WriteResult } from './batch/types.ts';
import type { SubmissionCounts } from './report.ts';
import type { DenRow, FundRow, Row, SuspectRow } from './rows.ts';

export const DEFAULT_BATCH_SIZE = 1000;

export type DanglingRow = { kind: 'suspect'; row: SuspectRow } | { kind: 'interceptedFund'; row: FundRow };

export class RecordWriter {
  private dens: DenRow[] = [];
  private suspects: SuspectRow[] = [];
  private funds: FundRow[] = [];
  private pendingSuspects: SuspectRow[] = [];
  private pendingFunds: FundRow[] = [];
  batches = 0;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly tx: Tx,
    private readonly ctx: WriteContext,
    private readonly counts: SubmissionCounts,
    private readonly batchSize: number = DEFAULT_BATCH_SIZE,
    private readonly onBatch: (batches: number) => void = () => {},
    private readonly onRetracted: (row: Row) => void = () => {},
  ) {}

  private get size(): number {
    return this.dens.length + this.suspects.length + this.funds.length;
  }

  async add(row: Row): Promise<void> {
    if (row.kind === 'scamDen') this.dens.push(row.row);
    else if (row.kind === 'suspect') this.suspects.push(row.row);
    else this.funds.push(row.row);
    if (this.size >= this.batchSize) await this.flush();
  }

  private tally(result: WriteResult, written: number): void {
    this.counts.accepted += result.inserted;
    this.counts.updated += result.updated;
    this.counts.unchanged += written - result.inserted - result.updated;
  }

  private async writeBatch<K extends Row['kind'], R extends Extract<Row, { kind: K }>['row']>(
    kind: K,
    rows: R[],
    write: (tx: Tx, ctx: WriteContext, rows: R[]) => Promise<WriteResult>,
  ): Promise<R[]> {
    if (rows.length === 0) return [];
    const result = await write(this.tx, this.ctx, rows);
    this.tally(result, rows.length - result.unresolved.length);
    for (const i of result.retracted) this.onRetracted({ kind, row: rows[i]! } as Row);
    return result.unresolved.map((i) => rows[i]!);
  }

  private async writeAll(dens: DenRow[], suspects: SuspectRow[], funds: FundRow[]): Promise<void> {
    await this.writeBatch('scamDen', dens, writeDens);
    this.pendingSuspects.push(...(await this.writeBatch('suspect', suspects, writeSuspects)));
    this.pendingFunds.push(...(await this.writeBatch('interceptedFund', funds, writeFunds)));
    this.onBatch(++this.batches);
  }

  /**
   * Hands the collected rows to the database and returns as soon as the PREVIOUS batch is
   * written, so the adapter parses batch n+1 while PostgreSQL writes batch n (one statement in
   * flight at a time, in file order). A failure surfaces at the next flush or at settle().
   */
  async flush(): Promise<void> {
    if (this.size === 0) return;
    const [dens, suspects, funds] = [this.dens, this.suspects, this.funds];
    this.dens = [];
    this.suspects = [];
    this.funds = [];
    await this.inFlight;
    this.inFlight = this.writeAll(dens, suspects, funds);
    this.inFlight.catch(() => {}); // observed by the next await of inFlight
  }

  /** Waits for the batch in flight (call before anything else uses the transaction). */
  async settle(): Promise<void> {
    await this.inFlight;
  }

  /** Writes what is left, retries the rows that waited for a den, answers those that found none. */
  async finish(): Promise<DanglingRow[]> {
    await this.flush();
    await this.settle();
    const dangling: DanglingRow[] = [];
    for (let i = 0; i < this.pendingSuspects.length; i += this.batchSize) {
      const left = await this.writeBatch('suspect', this.pendingSuspects.slice(i, i + this.batchSize), writeSuspects);
      dangling.push(...left.map((row) => ({ kind: 'suspect' as const, row })));
    }
    for (let i = 0; i < this.pendingFunds.length; i += this.batchSize) {
      const left = await this.writeBatch('interceptedFund', this.pendingFunds.slice(i, i + this.batchSize), writeFunds);
      dangling.push(...left.map((row) => ({ kind: 'interceptedFund' as const, row })));
    }
    this.pendingSuspects = [];
    this.pendingFunds = [];
    return dangling;
  }
}
