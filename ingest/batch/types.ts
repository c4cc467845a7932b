// What every batch writer (one per table, in this folder) gets and answers, and the one SQL
// fragment two of them share (the den a row's denRef names). A writer runs
// one set-based statement per batch inside the submission's transaction: the previous
// versions of rows it is about to change go to record_version, new rows are inserted,
// changed rows updated, and rows equal to what is stored are left alone (IS DISTINCT FROM),
// which is what the report counts as `unchanged`.
import type { Location } from '../../adapters/contract.ts';
import type { TransactionConnection } from '../../kernel/db.ts';
import { Prisma } from '../../prisma/generated/client/client.ts';
import type { CodeColumnBits } from '../rows.ts';
import { CODE_INPUT, inputColumns, type TableInput } from './input.ts';

export type Tx = Prisma.TransactionClient;

export type WriteContext = {
  ownerId: string;
  submissionId: string;
  operationId: string;
  /** Stamped on created_at / updated_at / superseded_at. */
  now: Date;
  /** YYYY-MM-DD: the rate date of a fund without actionOn. */
  today: string;
};

/** A row the statement did not write, as the report names it. */
export type Unwritten = { ref: string; at: Location };

export type WriteResult = {
  inserted: number;
  updated: number;
  /** The input elements (ingest/batch/input.ts) of rows not written because their denRef found no den yet, in file order. */
  unresolved: unknown[];
  /** Rows not written because the owner retracted the stored record (never revived). */
  retracted: Unwritten[];
};

export type CountRow = { inserted: number; updated: number; unresolved: unknown[] | null; retracted: Unwritten[] | null };

/** Sends one batch statement inside the submission's transaction and answers its rows. */
export type RunStatement = (statement: Prisma.Sql) => Promise<CountRow[]>;

/**
 * How the batch statements reach the transaction `tx`: over its own connection (kernel/db.ts
 * connectionOf). On PostgreSQL a batch's binary jsonb (its only Buffer parameter) goes to the
 * server as it is; on the embedded database, whose driver sends bytes as bytea, as its text.
 * Through Prisma only when no connection can be told for certain, as text: Prisma JSON-encodes
 * the parameters and the adapter decodes them again, which for a 1,000-record batch copies
 * about a megabyte twice more per table (bytes would go as base64, slower still).
 */
export function statementRunner(tx: Tx, connection: TransactionConnection | undefined): RunStatement {
  const text = new TextDecoder();
  /** A binary jsonb parameter (ingest/batch/input.ts) as its text: the version byte dropped. */
  const asText = (v: unknown) => (v instanceof Uint8Array ? text.decode(v.subarray(1)) : v);
  if (connection) {
    const values = (statement: Prisma.Sql) => (connection.binaryParameters ? statement.values : statement.values.map(asText));
    return async (statement) => (await connection.query<CountRow>({ text: statement.text, values: values(statement) })).rows;
  }
  return (statement) => tx.$queryRawUnsafe<CountRow[]>(statement.text, ...statement.values.map(asText));
}

export const NOTHING_WRITTEN: WriteResult = { inserted: 0, updated: 0, unresolved: [], retracted: [] };

export function toWriteResult(rows: CountRow[]): WriteResult {
  const row = rows[0];
  return {
    inserted: Number(row?.inserted ?? 0),
    updated: Number(row?.updated ?? 0),
    unresolved: row?.unresolved ?? [],
    retracted: row?.retracted ?? [],
  };
}

/**
 * A Buffer over the same memory (a Uint8Array that crossed from the worker is no longer one):
 * node-postgres sends a Buffer as a binary parameter, which for jsonb is exactly what
 * ingest/batch/input.ts wrote.
 */
const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/**
 * The batch's input relation (alias it `i`): one row per element of the JSON array with the
 * table's input columns, `ord` (1-based, file order) and the element itself as `v`.
 */
export const inputRows = (input: TableInput, spec: Record<string, string>): Prisma.Sql => Prisma.sql`
      SELECT u.*, e.ord, e.v
        FROM jsonb_array_elements(${asBuffer(input.jsonb)}::jsonb) WITH ORDINALITY AS e(v, ord)
        CROSS JOIN LATERAL jsonb_to_record(e.v) AS u(${Prisma.raw(inputColumns(spec))})`;

/** The statement's answer about the rows of `src` it did not write: retracted ones (ref and place) and, when `denRef` is resolved, those whose den is not there yet (their elements). */
export const unwrittenRows = (resolvesDens: boolean): Prisma.Sql => Prisma.sql`
           ${resolvesDens
             ? Prisma.sql`(SELECT jsonb_agg(v ORDER BY ord) FROM src WHERE den_ref IS NOT NULL AND den_id IS NULL AND NOT retracted)`
             : Prisma.sql`NULL::jsonb`} AS unresolved,
           (SELECT jsonb_agg(jsonb_build_object('ref', ref, 'at', v -> 'at') ORDER BY ord) FROM src WHERE retracted) AS retracted`;

/**
 * The den a row's `den_ref` names among the owner's dens, as `den.id` (NULL when there is
 * none yet). The input relation must be aliased `i`. One index probe per row.
 */
export const denOfRef = (ownerId: string): Prisma.Sql => Prisma.sql`
        LEFT JOIN LATERAL (
          SELECT d.id FROM scam_den d WHERE i.den_ref IS NOT NULL AND d.owner_id = ${ownerId}::uuid AND d.source_ref = i.den_ref LIMIT 1
        ) den ON true`;

/**
 * Absent is not null: the value of `column` for a row whose record the file carried without
 * that field (its bit set in `i.absent`) is the stored one (`cur`, the stored row or NULLs);
 * otherwise, and for a new record, `fresh`. Column names and bits are constants of rows.ts.
 */
export function storedIfAbsent(column: string, bit: number, fresh: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`CASE WHEN cur.id IS NOT NULL AND (i.absent & ${Prisma.raw(String(bit))}) <> 0 THEN cur.${Prisma.raw(column)} ELSE ${fresh} END`;
}

/** The stored row of the input row `i` (by owner and ref) as `cur`; NULLs for a new ref. One index probe per row. */
export const storedRow = (table: string, ownerId: string): Prisma.Sql => Prisma.sql`
        LEFT JOIN LATERAL (
          SELECT * FROM ${Prisma.raw(table)} x WHERE x.owner_id = ${ownerId}::uuid AND x.source_ref = i.ref LIMIT 1
        ) cur ON true`;

// ---- the handling and evaluation columns, the same on the three tables ----------------------

/** The handling and evaluation columns: the inputs' names are the columns'. */
const CODE_COLUMNS = Object.keys(CODE_INPUT) as (keyof typeof CODE_INPUT)[];

/** The code columns of `src`, from the input `i` and the stored row `cur` (absent is not null). */
export const codeValues = (bits: CodeColumnBits): Prisma.Sql => Prisma.sql`
             ${storedIfAbsent('handling', bits.handling, Prisma.sql`i.handling::"HandlingCode"`)} AS handling,
             ${storedIfAbsent('handling_note', bits.handling_note, Prisma.sql`i.handling_note`)} AS handling_note,
             ${storedIfAbsent('source_reliability', bits.source_reliability, Prisma.sql`i.source_reliability::"SourceReliability"`)} AS source_reliability,
             ${storedIfAbsent('information_assessment', bits.information_assessment, Prisma.sql`i.information_assessment::smallint`)} AS information_assessment,
             ${storedIfAbsent('matchable', bits.matchable, Prisma.sql`i.matchable`)} AS matchable`;

/** `a.handling, a.handling_note, …`: the code columns of one alias, for column lists and change tests. */
export const codeColumnsOf = (alias?: string): Prisma.Sql => Prisma.raw(CODE_COLUMNS.map((c) => (alias ? `${alias}.${c}` : c)).join(', '));

/** `handling = EXCLUDED.handling, …` for ON CONFLICT DO UPDATE. */
export const CODE_UPDATES = Prisma.raw(CODE_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', '));
