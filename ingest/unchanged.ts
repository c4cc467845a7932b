// The one lookup that lets an unchanged record skip pseudonymization and writing: which of a
// batch's records (kind, ref, digest) already have a stored row of this owner carrying the
// same digest (ingest/record-digest.ts). One statement per batch, one index probe per record.
import { Prisma } from '../prisma/generated/client/client.ts';
import type { RecordKindName } from './report.ts';

export type DigestProbe = { kind: RecordKindName; ref: string; digest: string };

type Queryable = { $queryRaw<T>(query: Prisma.Sql): Prisma.PrismaPromise<T> };

/** Indexes (into `probes`) of the records whose stored row carries the same digest. */
export async function findUnchanged(db: Queryable, ownerId: string, probes: readonly DigestProbe[]): Promise<number[]> {
  if (probes.length === 0) return [];
  const rows = await db.$queryRaw<{ unchanged: number[] | null }[]>(Prisma.sql`
    SELECT array_agg(i.ord::int - 1) AS unchanged
      FROM unnest(${probes.map((p) => p.kind)}::text[], ${probes.map((p) => p.ref)}::text[], ${probes.map((p) => p.digest)}::text[])
           WITH ORDINALITY AS i(kind, ref, digest, ord)
     WHERE CASE i.kind
             WHEN 'scamDen' THEN EXISTS (SELECT 1 FROM scam_den x WHERE x.owner_id = ${ownerId}::uuid AND x.source_ref = i.ref AND x.ingest_digest = i.digest)
             WHEN 'suspect' THEN EXISTS (SELECT 1 FROM suspect x WHERE x.owner_id = ${ownerId}::uuid AND x.source_ref = i.ref AND x.ingest_digest = i.digest)
             ELSE EXISTS (SELECT 1 FROM intercepted_fund x WHERE x.owner_id = ${ownerId}::uuid AND x.source_ref = i.ref AND x.ingest_digest = i.digest)
           END`);
  return (rows[0]?.unchanged ?? []).map(Number);
}
