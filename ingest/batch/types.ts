// What every batch writer (one per table, in this folder) gets and answers, and the one SQL
// fragment two of them share (the den a row's denRef names). A writer runs
// one set-based statement per batch inside the submission's transaction: the previous
// versions of rows it is about to change go to record_version, new rows are inserted,
// changed rows updated, and rows equal to what is stored are left alone (IS DISTINCT FROM),
// which is what the report counts as `unchanged`.
import { Prisma } from '../../prisma/generated/client/client.ts';

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

export type WriteResult = {
  inserted: number;
  updated: number;
  /** Indexes (into the batch) of rows not written because their denRef found no den yet. */
  unresolved: number[];
};

export type CountRow = { inserted: number; updated: number; unresolved: number[] | null };

export function toWriteResult(rows: CountRow[]): WriteResult {
  const row = rows[0];
  return {
    inserted: Number(row?.inserted ?? 0),
    updated: Number(row?.updated ?? 0),
    unresolved: (row?.unresolved ?? []).map((ord) => Number(ord) - 1),
  };
}

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
