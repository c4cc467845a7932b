// The input of one batch statement (dens.ts, suspects.ts, funds.ts): the batch's rows of one
// table as ONE JSON array, built in the ingest worker (ingest/prepare.ts) and passed through as
// a single parameter that PostgreSQL unpacks (jsonb_to_record). The thread that answers
// requests only hands the text on: no row objects to receive, no column arrays to build, no
// per-value parameter handling (in the isolation bench's big upload those were half of that
// thread's time, with the GC they caused). Each element carries its record's `at` (line or
// path) so that a row the statement did not write (its den not there yet, or retracted by its
// owner) comes back with what the report needs, and can be written again from its element.
// This module is pure: the worker imports it without the database client.
import type { Location } from '../../adapters/contract.ts';
import type { CodeValues, DenRow, FundRow, Row, SuspectRow } from '../rows.ts';

/** SQL types of the handling and evaluation inputs, the same on the three tables (their column names too). */
export const CODE_INPUT = { handling: 'text', handling_note: 'text', source_reliability: 'text', information_assessment: 'int', matchable: 'boolean' } as const;

/** The input columns of each table's statement, in its names, with their SQL types (`jsonb_to_record`'s column list). */
export const DEN_INPUT = {
  ref: 'text',
  level: 'text',
  country: 'text',
  region: 'text',
  geohash: 'text',
  den_type: 'text',
  status: 'text',
  raided_on: 'date',
  devices_seized: 'int',
  first_seen_on: 'date',
  absent: 'int',
  ...CODE_INPUT,
  digest: 'text',
} as const;

export const SUSPECT_INPUT = {
  ref: 'text',
  level: 'text',
  person_key: 'text',
  nationality: 'text',
  birth_year: 'int',
  sex: 'text',
  role: 'text',
  status: 'text',
  status_on: 'date',
  victim: 'boolean',
  den_ref: 'text',
  digest: 'text',
  absent: 'int',
  kept_types: 'text',
  key_rank: 'int',
  ...CODE_INPUT,
  record_digest: 'text',
  /** [{ type, hash }]: the suspect's selectors (unpacked by jsonb_to_recordset). */
  selectors: 'jsonb',
} as const;

export const FUND_INPUT = {
  ref: 'text',
  level: 'text',
  amount: 'numeric',
  currency: 'text',
  amount_usd: 'numeric',
  channel: 'text',
  action: 'text',
  action_on: 'date',
  account_key: 'text',
  account_country: 'text',
  victim_count: 'int',
  den_ref: 'text',
  absent: 'int',
  ...CODE_INPUT,
  digest: 'text',
} as const;

/** `ref text, level text, …`: a table's input columns as `jsonb_to_record`'s definition list. */
export const inputColumns = (spec: Record<string, string>): string =>
  Object.entries(spec)
    .map(([name, type]) => `${name} ${type}`)
    .join(', ');

/** Every input element also carries the record's place in the file. */
type Element<Spec> = { [K in keyof Spec]: unknown } & { at: Location };

const codeInput = (c: CodeValues): { [K in keyof typeof CODE_INPUT]: unknown } => ({
  handling: c.handling,
  handling_note: c.handlingNote,
  source_reliability: c.sourceReliability,
  information_assessment: c.informationAssessment,
  matchable: c.matchable,
});

export const denInput = (r: DenRow): Element<typeof DEN_INPUT> => ({
  ref: r.ref,
  level: r.level,
  country: r.country,
  region: r.region,
  geohash: r.geohash,
  den_type: r.denType,
  status: r.status,
  raided_on: r.raidedOn,
  devices_seized: r.devicesSeized,
  first_seen_on: r.firstSeenOn,
  absent: r.absent,
  ...codeInput(r.codes),
  digest: r.digest,
  at: r.at,
});

export const suspectInput = (r: SuspectRow): Element<typeof SUSPECT_INPUT> => ({
  ref: r.ref,
  level: r.level,
  person_key: r.personKey,
  nationality: r.nationality,
  birth_year: r.birthYear,
  sex: r.sex,
  role: r.role,
  status: r.status,
  status_on: r.statusOn,
  victim: r.traffickingVictim,
  den_ref: r.denRef,
  digest: r.selectorDigest,
  absent: r.absent,
  kept_types: r.keptSelectorTypes,
  key_rank: r.personKeyRank,
  ...codeInput(r.codes),
  record_digest: r.digest,
  selectors: r.selectors,
  at: r.at,
});

export const fundInput = (r: FundRow): Element<typeof FUND_INPUT> => ({
  ref: r.ref,
  level: r.level,
  amount: r.amount,
  currency: r.currency,
  amount_usd: r.amountUsd,
  channel: r.channel,
  action: r.action,
  action_on: r.actionOn,
  account_key: r.accountKey,
  account_country: r.accountCountry,
  victim_count: r.victimCount,
  den_ref: r.denRef,
  absent: r.absent,
  ...codeInput(r.codes),
  digest: r.digest,
  at: r.at,
});

/**
 * One table's rows of a batch: the JSON array in PostgreSQL's binary jsonb format (a version
 * byte, 1, then the UTF-8 text), and how many elements it holds. Bytes, not a string: the
 * worker hands their memory over to the thread that answers (postMessage's transfer, no copy),
 * and on PostgreSQL they go to the server as they are (ingest/batch/types.ts statementRunner).
 * A megabyte-long string would be copied on the way and, living in V8's large-object space
 * until the next full collection, made the gateway's memory grow with the size of the file.
 */
export type TableInput = { jsonb: Uint8Array; count: number };

/** The version byte that opens a jsonb value in PostgreSQL's binary format. */
export const JSONB_VERSION = 1;

/** A batch's rows by table, in the order the writers take them (dens first). */
export type BatchRows = { scamDen?: TableInput; suspect?: TableInput; interceptedFund?: TableInput };

/** A Buffer of `size` bytes over an ArrayBuffer of its own (transferable, unlike Node's pooled small buffers). */
export type BytesSource = (size: number) => Buffer;

const freshBytes: BytesSource = (size) => Buffer.allocUnsafeSlow(size);

/**
 * The elements as one table's input (undefined when there are none), written element by
 * element into one buffer from `bytes`: no string of the whole array is ever made.
 */
export function tableInput(elements: readonly unknown[], bytes: BytesSource = freshBytes): TableInput | undefined {
  if (elements.length === 0) return undefined;
  const parts = elements.map((element) => JSON.stringify(element));
  let size = 2 + parts.length; // the version byte, '[', the commas and ']'
  for (const part of parts) size += Buffer.byteLength(part, 'utf8');
  const jsonb = bytes(size);
  jsonb[0] = JSONB_VERSION;
  let at = 1 + jsonb.write('[', 1, 'latin1');
  parts.forEach((part, i) => {
    if (i > 0) at += jsonb.write(',', at, 'latin1');
    at += jsonb.write(part, at, 'utf8');
  });
  jsonb.write(']', at, 'latin1');
  return { jsonb, count: elements.length };
}

/** Buffers kept for reuse at most (two batches in flight, three tables each). */
const MAX_SHELVED = 6;
/** Capacity is rounded up to this, so that a buffer fits the next batches of about the same size. */
const CAPACITY_STEP = 64 * 1024;

/**
 * The ingest worker's buffers for table inputs, used again: the thread that writes the batches
 * gives each batch's buffers back once its statements have run (ingest/parse-pool.ts, `recycle`).
 * Without this, every batch's buffers moved to that thread and waited there for a full garbage
 * collection, which V8 starts only once such memory has grown by tens of megabytes: the
 * gateway's memory grew with the size of the file (bench/ingest, peak RSS).
 */
export class BufferShelf {
  private readonly shelved: ArrayBuffer[] = [];

  /** Keeps what was given back, the largest first when there are too many. */
  put(buffers: readonly ArrayBuffer[]): void {
    this.shelved.push(...buffers.filter((b) => b.byteLength > 0));
    this.shelved.sort((a, b) => a.byteLength - b.byteLength);
    this.shelved.splice(0, Math.max(0, this.shelved.length - MAX_SHELVED));
  }

  /** The smallest shelved buffer that holds `size` bytes, or a new one. */
  readonly take: BytesSource = (size) => {
    const i = this.shelved.findIndex((b) => b.byteLength >= size);
    const buffer = i >= 0 ? this.shelved.splice(i, 1)[0]! : Buffer.allocUnsafeSlow(Math.ceil(size / CAPACITY_STEP) * CAPACITY_STEP).buffer;
    return Buffer.from(buffer, 0, size);
  };

  clear(): void {
    this.shelved.length = 0;
  }
}

/** The memory of a batch's inputs, to be transferred with it (each input owns its ArrayBuffer). */
export function transferablesOf(rows: BatchRows): ArrayBuffer[] {
  return [rows.scamDen, rows.suspect, rows.interceptedFund].flatMap((input) => (input ? [input.jsonb.buffer as ArrayBuffer] : []));
}

/** A batch's valid rows, in file order within each table, as the three statements' inputs. */
export function batchRows(rows: readonly Row[], bytes?: BytesSource): BatchRows {
  const dens: unknown[] = [];
  const suspects: unknown[] = [];
  const funds: unknown[] = [];
  for (const r of rows) {
    if (r.kind === 'scamDen') dens.push(denInput(r.row));
    else if (r.kind === 'suspect') suspects.push(suspectInput(r.row));
    else funds.push(fundInput(r.row));
  }
  const out: BatchRows = {};
  const [scamDen, suspect, interceptedFund] = [tableInput(dens, bytes), tableInput(suspects, bytes), tableInput(funds, bytes)];
  if (scamDen) out.scamDen = scamDen;
  if (suspect) out.suspect = suspect;
  if (interceptedFund) out.interceptedFund = interceptedFund;
  return out;
}
