// Batch writer of scam_den: one statement per batch. `history` copies the stored version of
// every row about to change into record_version; `up` inserts new refs and updates changed
// ones, leaving equal rows untouched (their submission_id stays the one that wrote them).
// Both CTEs read the snapshot taken before the statement, so history sees the old values.
// Stored rows are looked up by one index probe per input row (LATERAL … LIMIT 1): a join would
// let the planner hash all of the owner's rows for every batch. `src` already holds the values
// to store: a column the file did not carry keeps its stored value (absent is not null), so the
// change test below sees such a column as unchanged.
// Every row written carries its record's digest (ingest/record-digest.ts); a row equal to
// what is stored but without that digest gets it (not a change: no history, not `updated`,
// which counts the history rows).
import { DEN_COLUMN_BITS as bit } from '../rows.ts';
import { Prisma } from '../../prisma/generated/client/client.ts';
import { DEN_INPUT, type TableInput } from './input.ts';
import {
  CODE_UPDATES,
  codeColumnsOf,
  codeValues,
  inputRows,
  NOTHING_WRITTEN,
  storedIfAbsent,
  storedRow,
  toWriteResult,
  unwrittenRows,
  type RunStatement,
  type WriteContext,
  type WriteResult,
} from './types.ts';

export async function writeDens(run: RunStatement, ctx: WriteContext, input: TableInput | undefined): Promise<WriteResult> {
  if (!input) return NOTHING_WRITTEN;
  return toWriteResult(await run(densStatement(ctx, input)));
}

/** The statement of one batch (exported for EXPLAIN in benchmarks). */
export function densStatement(ctx: WriteContext, input: TableInput): Prisma.Sql {
  return Prisma.sql`
    WITH input AS (${inputRows(input, DEN_INPUT)}
    ), src AS (
      SELECT i.ord, i.v, i.ref, cur.retracted_at IS NOT NULL AS retracted, ${storedIfAbsent('sharing_level', bit.sharing_level, Prisma.sql`i.level::"SharingLevel"`)} AS sharing_level,
             i.country::char(2) AS country, ${storedIfAbsent('region', bit.region, Prisma.sql`i.region`)} AS region,
             ${storedIfAbsent('geohash', bit.geohash, Prisma.sql`i.geohash::varchar(5)`)} AS geohash,
             i.den_type::"DenType" AS den_type, i.status::"DenStatus" AS status,
             ${storedIfAbsent('raided_on', bit.raided_on, Prisma.sql`i.raided_on`)} AS raided_on,
             ${storedIfAbsent('devices_seized', bit.devices_seized, Prisma.sql`i.devices_seized`)} AS devices_seized,
             ${storedIfAbsent('first_seen_on', bit.first_seen_on, Prisma.sql`i.first_seen_on`)} AS first_seen_on,
             ${codeValues(bit)}, i.digest
        FROM input i
        ${storedRow('scam_den', ctx.ownerId)}
    ), history AS (
      INSERT INTO record_version (id, kind, record_id, owner_id, submission_id, data, superseded_at)
      SELECT gen_random_uuid(), 'SCAM_DEN', d.id, d.owner_id, d.submission_id, to_jsonb(d) - 'ingest_digest', ${ctx.now}::timestamptz
        FROM src s
        CROSS JOIN LATERAL (SELECT * FROM scam_den x WHERE x.owner_id = ${ctx.ownerId}::uuid AND x.source_ref = s.ref LIMIT 1) d
       WHERE NOT s.retracted
         AND (d.operation_id, d.sharing_level, d.country, d.region, d.geohash, d.den_type, d.status, d.raided_on,
              d.devices_seized, d.first_seen_on, ${codeColumnsOf('d')})
             IS DISTINCT FROM
             (${ctx.operationId}::uuid, s.sharing_level, s.country, s.region, s.geohash, s.den_type, s.status, s.raided_on,
              s.devices_seized, s.first_seen_on, ${codeColumnsOf('s')})
      RETURNING 1
    ), up AS (
      INSERT INTO scam_den AS d (id, owner_id, source_ref, submission_id, operation_id, sharing_level, created_at, updated_at,
                                 country, region, geohash, den_type, status, raided_on, devices_seized, first_seen_on,
                                 ${codeColumnsOf()}, ingest_digest)
      SELECT gen_random_uuid(), ${ctx.ownerId}::uuid, s.ref, ${ctx.submissionId}::uuid, ${ctx.operationId}::uuid, s.sharing_level,
             ${ctx.now}::timestamptz, ${ctx.now}::timestamptz, s.country, s.region, s.geohash, s.den_type, s.status, s.raided_on,
             s.devices_seized, s.first_seen_on, ${codeColumnsOf('s')}, s.digest
        FROM src s
       WHERE NOT s.retracted
      ON CONFLICT (owner_id, source_ref) DO UPDATE
         SET submission_id = EXCLUDED.submission_id, operation_id = EXCLUDED.operation_id, sharing_level = EXCLUDED.sharing_level,
             updated_at = EXCLUDED.updated_at, country = EXCLUDED.country, region = EXCLUDED.region, geohash = EXCLUDED.geohash,
             den_type = EXCLUDED.den_type, status = EXCLUDED.status, raided_on = EXCLUDED.raided_on,
             devices_seized = EXCLUDED.devices_seized, first_seen_on = EXCLUDED.first_seen_on, ${CODE_UPDATES},
             ingest_digest = EXCLUDED.ingest_digest
       WHERE (d.operation_id, d.sharing_level, d.country, d.region, d.geohash, d.den_type, d.status, d.raided_on,
              d.devices_seized, d.first_seen_on, ${codeColumnsOf('d')})
             IS DISTINCT FROM
             (EXCLUDED.operation_id, EXCLUDED.sharing_level, EXCLUDED.country, EXCLUDED.region, EXCLUDED.geohash,
              EXCLUDED.den_type, EXCLUDED.status, EXCLUDED.raided_on, EXCLUDED.devices_seized, EXCLUDED.first_seen_on,
              ${codeColumnsOf('EXCLUDED')})
          OR d.ingest_digest IS DISTINCT FROM EXCLUDED.ingest_digest
      RETURNING (d.xmax = 0) AS inserted
    )
    SELECT (SELECT count(*) FROM up WHERE inserted)::int AS inserted, (SELECT count(*) FROM history)::int AS updated,
           ${unwrittenRows(false)}`;
}
