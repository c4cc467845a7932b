// What the ingest worker (ingest/parse-worker.ts) does with a file, off the thread that
// answers requests: the adapter's items are read in batches; each batch's records get their
// keyed digest (ingest/record-digest.ts) and ONE lookup says which are stored unchanged; those
// are counted and go no further. The others are pseudonymized (anonymization at the door:
// nothing after this step sees a raw identifier), checked and converted to rows, and the
// batch's valid rows become the batch statements' JSON inputs (ingest/batch/input.ts). What
// the pipeline's thread gets per batch is therefore small: the report's entries in file order,
// two counts, and one text per table.
import type { Issue, Item, Location, RecordItem } from '../adapters/contract.ts';
import { pseudonymize } from '../adapters/pseudonymize.ts';
import { batchRows, type BatchRows, type BytesSource } from './batch/input.ts';
import { recordDigest, type DigestContext } from './record-digest.ts';
import { toReportIssue, type ReportIssue } from './report.ts';
import { toRow, type Row } from './rows.ts';
import type { DigestProbe } from './unchanged.ts';
import { withDefaults } from './defaults.ts';

/** What the report takes from a batch, in file order. */
export type ReportEntry =
  /** An adapter issue, as the adapter yielded it (the report tells file errors and record errors apart). */
  | { t: 'issue'; issue: Issue }
  /** A warning about a record that is still written. */
  | { t: 'warning'; issue: ReportIssue }
  /** A record rejected by the checks before writing (rows.ts), with why. */
  | { t: 'rejected'; issues: ReportIssue[] };

export type PreparedBatch = {
  entries: ReportEntry[];
  /** Records read in this batch: written, rejected (entries) or unchanged. Adapter-refused ones are issues instead. */
  records: number;
  /** Records whose stored row carries their digest: nothing to write. */
  unchanged: number;
  /** The valid rows, as the batch statements take them. */
  rows: BatchRows;
};

export type PrepareOptions = {
  pseudonymKey: string;
  ownerCode: string;
  digestKey: Buffer;
  digest: DigestContext;
  /** Records per batch (and per lookup), read again for every batch. */
  batchRecords: number | (() => number);
  /** The adapter is not read beyond this many records (the pipeline refuses more anyway). */
  maxRecords: number;
  /** Where the batch inputs' bytes come from (the worker's BufferShelf); new buffers otherwise. */
  bytes?: BytesSource;
};

export type FindUnchanged = (probes: DigestProbe[]) => Promise<number[]>;

const locationOf = (item: RecordItem): Location => ({
  ...(item.line !== undefined ? { line: item.line } : {}),
  ...(item.path !== undefined ? { path: item.path } : {}),
});

const withLocation = (issue: Issue, at: Location): Issue => (issue.line === undefined && issue.path === undefined ? { ...issue, ...at } : issue);

/** A batch whose digests are computed and whose lookup is on its way. */
type LookedUpBatch = { items: Item[]; digests: Map<RecordItem, string | null>; probed: RecordItem[]; unchanged: Promise<number[]> };

/** Digests a batch's records and sends their one lookup, without waiting for its answer. */
function lookUpBatch(items: Item[], options: PrepareOptions, findUnchanged: FindUnchanged): LookedUpBatch {
  const digests = new Map<RecordItem, string | null>();
  const probes: DigestProbe[] = [];
  const probed: RecordItem[] = [];
  for (const item of items) {
    if (item.kind !== 'record') continue;
    const digest = recordDigest(options.digestKey, options.digest, item.record);
    digests.set(item, digest);
    if (digest !== null) {
      probes.push({ kind: item.record.kind, ref: item.record.ref, digest });
      probed.push(item);
    }
  }
  const unchanged = findUnchanged(probes);
  // Awaited once the next batch is read; a failure meanwhile is not an unhandled rejection.
  unchanged.catch(() => {});
  return { items, digests, probed, unchanged };
}

/** Once its lookup has answered: the batch's unchanged records counted, the others pseudonymized, checked and converted. */
async function prepareBatch(lookedUp: LookedUpBatch, options: PrepareOptions): Promise<PreparedBatch> {
  const { items, digests, probed } = lookedUp;
  const unchanged = new Set((await lookedUp.unchanged).map((i) => probed[i]));
  const batch: PreparedBatch = { entries: [], records: 0, unchanged: 0, rows: {} };
  const rows: Row[] = [];
  for (const item of items) {
    if (item.kind === 'issue') {
      batch.entries.push({ t: 'issue', issue: item });
      continue;
    }
    batch.records++;
    if (unchanged.has(item)) {
      batch.unchanged++;
      continue;
    }
    const at = locationOf(item);
    const { record, warnings } = pseudonymize(item.record, { key: options.pseudonymKey, ownerCode: options.ownerCode });
    for (const warning of warnings) batch.entries.push({ t: 'warning', issue: toReportIssue(withLocation(warning, at), record.kind) });
    const converted = toRow(withDefaults(record, options.digest.defaults), at, digests.get(item) ?? null);
    if ('problems' in converted) {
      const issues = converted.problems.map((p): ReportIssue => ({ ...at, field: p.field, code: p.code, severity: 'error', ref: record.ref, kind: record.kind }));
      batch.entries.push({ t: 'rejected', issues });
    } else rows.push(converted.row);
  }
  batch.rows = batchRows(rows, options.bytes);
  return batch;
}

/**
 * The file's items in batches of at most `batchRecords` items (records and issues). A batch's
 * lookup is sent as soon as the batch is cut, and answered while the next batch is read and
 * digested: the worker does not wait for the database between batches. This does not change
 * what a lookup answers: on PostgreSQL it runs outside the submission's transaction, so it never
 * sees this file's own writes; on the embedded database it runs in it, and a record's lookup can
 * only be affected by an earlier write of the same kind and ref, which the adapters refuse
 * within one file (DUPLICATE_REF, adapters/shared/records.ts).
 */
export async function* prepareBatches(items: AsyncIterable<Item>, options: PrepareOptions, findUnchanged: FindUnchanged): AsyncGenerator<PreparedBatch> {
  let batch: Item[] = [];
  let total = 0;
  let waiting: LookedUpBatch | undefined;
  const size = options.batchRecords;
  const batchRecords = typeof size === 'number' ? () => size : size;
  // Cuts the batch read so far and sends its lookup; answers the batch before it, once prepared.
  const cut = async (): Promise<PreparedBatch | undefined> => {
    const previous = waiting;
    waiting = lookUpBatch(batch, options, findUnchanged);
    batch = [];
    return previous && prepareBatch(previous, options);
  };
  for await (const item of items) {
    batch.push(item);
    if (item.kind === 'record') total++;
    // Issues count too, so that a file of nothing but issues is still sent in bounded batches.
    if (batch.length >= batchRecords() || total > options.maxRecords) {
      const ready = await cut();
      if (ready) yield ready;
      if (total > options.maxRecords) break;
    }
  }
  if (batch.length > 0) {
    const ready = await cut();
    if (ready) yield ready;
  }
  if (waiting) yield await prepareBatch(waiting, options);
}
