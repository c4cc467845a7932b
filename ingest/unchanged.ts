// The one lookup that lets an unchanged record skip pseudonymization and writing: which of a
// batch's records (kind, ref, digest) already have a stored row of this owner carrying the
// same digest (ingest/record-digest.ts). One statement per batch, one index probe per record.
import { Prisma } from '../prisma/generated/client/client.ts';
import type { RecordKindName } from './report.ts';

export type DigestProbe = { kind: RecordKindName; ref: string; digest: string };

type Queryable = { $queryRaw<T>(query: Prisma.Sql): Prisma.PrismaPromise<T> };

/**
 * Indexes (into `probes`) of the records whose stored row carries the same digest. Each probe
 * looks its row up through the owner's (owner_id, source_ref) index in a LATERAL subquery, so the
 * cost is one index probe per record whatever the owner holds. Written as correlated EXISTS,
 * PostgreSQL hashed every row of the owner's table once per batch instead (a sequential scan:
 * 14 ms for 1,000 probes against 20,000 suspects, growing with the table; a 100,000-record
 * resubmission made 100 such scans), which was most of PostgreSQL's time in an unchanged
 * resubmission.
 */
export async function findUnchanged(db: Queryable, ownerId: string, probes: readonly DigestProbe[]): Promise<number[]> {
  if (probes.length === 0) return [];
  const rows = await db.$queryRaw<{ unchanged: number[] | null }[]>(Prisma.sql`
    SELECT array_agg(i.ord::int - 1 ORDER BY i.ord) AS unchanged
      FROM unnest(${probes.map((p) => p.kind)}::text[], ${probes.map((p) => p.ref)}::text[], ${probes.map((p) => p.digest)}::text[])
           WITH ORDINALITY AS i(kind, ref, digest, ord)
     CROSS JOIN LATERAL (
           SELECT 1 FROM scam_den x WHERE i.kind = 'scamDen' AND x.owner_id = ${ownerId}::uuid AND x.source_ref = i.ref AND x.ingest_digest = i.digest
           UNION ALL
           SELECT 1 FROM suspect x WHERE i.kind = 'suspect' AND x.owner_id = ${ownerId}::uuid AND x.source_ref = i.ref AND x.ingest_digest = i.digest
           UNION ALL
           SELECT 1 FROM intercepted_fund x WHERE i.kind = 'interceptedFund' AND x.owner_id = ${ownerId}::uuid AND x.source_ref = i.ref AND x.ingest_digest = i.digest
           LIMIT 1) AS stored`);
  return (rows[0]?.unchanged ?? []).map(Number);
}
