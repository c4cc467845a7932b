// What every batch writer (one per table, in this folder) gets and answers. A writer runs
// one set-based statement per batch inside the submission's transaction: the previous
// versions of rows it is about to change go to record_version, new rows are inserted,
// changed rows updated, and rows equal to what is stored are left alone (IS DISTINCT FROM),
// which is what the report counts as `unchanged`.
import type { Prisma } from '../../prisma/generated/client/client.ts';

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
