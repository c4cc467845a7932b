// What the ingest worker (ingest/parse-worker.ts) does with a file, off the thread that
// answers requests: the adapter's items are read in batches; each batch's records get their
// keyed digest (ingest/record-digest.ts) and ONE lookup says which are stored unchanged; those
// become `unchanged` events and go no further. The others are pseudonymized (anonymization
// at the door: nothing after this step sees a raw identifier) and converted to the rows the
// batch writers take. Events keep the file's order, so the report lists issues as before.
import type { Issue, Item, Location, RecordItem } from '../adapters/contract.ts';
import { pseudonymize } from '../adapters/pseudonymize.ts';
import { recordDigest, type DigestContext } from './record-digest.ts';
import type { RecordKindName } from './report.ts';
import { toRow, type Row, type RowProblem } from './rows.ts';
import type { DigestProbe } from './unchanged.ts';
import { withDefaults } from './defaults.ts';

export type PreparedEvent =
  /** An adapter issue, as the adapter yielded it. */
  | { t: 'issue'; issue: Issue }
  /** A record whose stored row carries its digest: counted unchanged, nothing to write. */
  | { t: 'unchanged' }
  /** A pseudonymized record: its row, or the problems that make it invalid, and its warnings. */
  | { t: 'record'; kind: RecordKindName; ref: string; at: Location; warnings: Issue[]; row?: Row; problems?: RowProblem[] };

export type PrepareOptions = {
  pseudonymKey: string;
  ownerCode: string;
  digestKey: Buffer;
  digest: DigestContext;
  /** Records per batch (and per lookup). */
  batchRecords: number;
  /** The adapter is not read beyond this many records (the pipeline refuses more anyway). */
  maxRecords: number;
};

export type FindUnchanged = (probes: DigestProbe[]) => Promise<number[]>;

const locationOf = (item: RecordItem): Location => ({
  ...(item.line !== undefined ? { line: item.line } : {}),
  ...(item.path !== undefined ? { path: item.path } : {}),
});

const withLocation = (issue: Issue, at: Location): Issue => (issue.line === undefined && issue.path === undefined ? { ...issue, ...at } : issue);

function prepareRecord(item: RecordItem, options: PrepareOptions, digest: string | null): PreparedEvent {
  const at = locationOf(item);
  const { record, warnings } = pseudonymize(item.record, { key: options.pseudonymKey, ownerCode: options.ownerCode });
  const converted = toRow(withDefaults(record, options.digest.defaults), at, digest);
  return {
    t: 'record',
    kind: record.kind,
    ref: record.ref,
    at,
    warnings: warnings.map((w) => withLocation(w, at)),
    ...('problems' in converted ? { problems: converted.problems } : { row: converted.row }),
  };
}

async function prepareBatch(items: Item[], options: PrepareOptions, findUnchanged: FindUnchanged): Promise<PreparedEvent[]> {
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
  const unchanged = new Set((await findUnchanged(probes)).map((i) => probed[i]));
  return items.map((item) => {
    if (item.kind === 'issue') return { t: 'issue', issue: item };
    if (unchanged.has(item)) return { t: 'unchanged' };
    return prepareRecord(item, options, digests.get(item) ?? null);
  });
}

/** The file's events in batches of at most `batchRecords` items (records and issues). */
export async function* prepareBatches(items: AsyncIterable<Item>, options: PrepareOptions, findUnchanged: FindUnchanged): AsyncGenerator<PreparedEvent[]> {
  let batch: Item[] = [];
  let total = 0;
  for await (const item of items) {
    batch.push(item);
    if (item.kind === 'record') total++;
    // Issues count too, so that a file of nothing but issues is still sent in bounded batches.
    if (batch.length >= options.batchRecords || total > options.maxRecords) {
      yield await prepareBatch(batch, options, findUnchanged);
      batch = [];
      if (total > options.maxRecords) return;
    }
  }
  if (batch.length > 0) yield await prepareBatch(batch, options, findUnchanged);
}
