// Batch writer of suspect and its selectors: one statement per batch. A suspect's denRef is
// resolved by a join on the owner's dens (this file's earlier batches included, as they are
// in the same transaction); a row whose den is not there yet is not written and comes back in
// `unresolved` for the pipeline to retry at the end of the file. A stored suspect counts as
// changed when a column differs or its set of selectors does (compared as a sorted digest);
// its previous version, selectors included, goes to record_version, and its selectors are
// replaced by the new set (unwanted ones deleted, missing ones inserted). Absent is not null:
// columns the file did not carry keep their stored values (`src` reads them), and selectors of
// the identifier groups the file did not carry (SuspectRow.keptSelectorTypes) are neither
// compared nor deleted; the stored personKey stays when it came from such a group that is
// stronger than any identifier the file sends. The record's digest is stored as in dens.ts
// (`record_digest` here: `digest` is the selectors').
import { SUSPECT_COLUMN_BITS as bit } from '../rows.ts';
import { Prisma } from '../../prisma/generated/client/client.ts';
import { SUSPECT_INPUT, type TableInput } from './input.ts';
import {
  CODE_UPDATES,
  codeColumnsOf,
  codeValues,
  denOfRef,
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

export async function writeSuspects(run: RunStatement, ctx: WriteContext, input: TableInput | undefined): Promise<WriteResult> {
  if (!input) return NOTHING_WRITTEN;
  return toWriteResult(await run(suspectsStatement(ctx, input)));
}

/** The statement of one batch (exported for EXPLAIN in benchmarks). */
export function suspectsStatement(ctx: WriteContext, input: TableInput): Prisma.Sql {
  return Prisma.sql`
    WITH src AS (
      SELECT i.ord, i.v, i.selectors, i.ref, cur.retracted_at IS NOT NULL AS retracted, ${storedIfAbsent('sharing_level', bit.sharing_level, Prisma.sql`i.level::"SharingLevel"`)} AS sharing_level,
             CASE WHEN cur.id IS NOT NULL AND EXISTS (
                    -- The stored key came from a kept group stronger than what the file sends: it stays.
                    SELECT 1 FROM selector x
                     WHERE x.suspect_id = cur.id AND x.hash = cur.person_key AND x.type::text = ANY (i.kept)
                       AND (CASE x.type::text WHEN 'PASSPORT' THEN 0 WHEN 'NATIONAL_ID' THEN 1 WHEN 'NAME_DOB' THEN 2 ELSE 3 END) < i.key_rank)
                  THEN cur.person_key ELSE i.person_key END AS person_key,
             ${storedIfAbsent('nationality', bit.nationality, Prisma.sql`i.nationality::char(2)`)} AS nationality,
             ${storedIfAbsent('birth_year', bit.birth_year, Prisma.sql`i.birth_year::smallint`)} AS birth_year,
             ${storedIfAbsent('sex', bit.sex, Prisma.sql`i.sex::"Sex"`)} AS sex, i.role::"SuspectRole" AS role,
             i.status::"SuspectStatus" AS status, ${storedIfAbsent('status_on', bit.status_on, Prisma.sql`i.status_on`)} AS status_on,
             ${storedIfAbsent('trafficking_victim', bit.trafficking_victim, Prisma.sql`i.victim`)} AS trafficking_victim,
             i.den_ref, ${storedIfAbsent('den_id', bit.den_id, Prisma.sql`den.id`)} AS den_id, i.digest, i.kept, i.record_digest,
             ${codeValues(bit)}
        FROM (SELECT r.*, string_to_array(r.kept_types, ',') AS kept FROM (${inputRows(input, SUSPECT_INPUT)}) r) i
        ${storedRow('suspect', ctx.ownerId)}
        ${denOfRef(ctx.ownerId)}
    ), ready AS (
      SELECT * FROM src WHERE (den_ref IS NULL OR den_id IS NOT NULL) AND NOT retracted
    ), stored AS (
      -- Selectors of kept groups stay as they are: only the others are compared and replaced.
      SELECT s.id, r.kept,
             (s.operation_id, s.sharing_level, s.person_key, s.nationality, s.birth_year, s.sex, s.role, s.status, s.status_on,
              s.trafficking_victim, s.den_id, ${codeColumnsOf('s')})
             IS DISTINCT FROM
             (${ctx.operationId}::uuid, r.sharing_level, r.person_key, r.nationality, r.birth_year, r.sex, r.role, r.status,
              r.status_on, r.trafficking_victim, r.den_id, ${codeColumnsOf('r')}) AS columns_changed,
             sel.digest AS stored_digest, sel.replaced IS DISTINCT FROM r.digest AS selectors_changed
        FROM ready r
        CROSS JOIN LATERAL (SELECT * FROM suspect x WHERE x.owner_id = ${ctx.ownerId}::uuid AND x.source_ref = r.ref LIMIT 1) s
        CROSS JOIN LATERAL (
          SELECT coalesce(string_agg(x.type::text || ':' || x.hash, ',' ORDER BY (x.type::text || ':' || x.hash) COLLATE "C"), '') AS digest,
                 coalesce(string_agg(x.type::text || ':' || x.hash, ',' ORDER BY (x.type::text || ':' || x.hash) COLLATE "C")
                            FILTER (WHERE NOT (x.type::text = ANY (r.kept))), '') AS replaced
            FROM selector x WHERE x.suspect_id = s.id
        ) sel
    ), history AS (
      -- The version keeps the stored selectors as "TYPE:hash" strings (the digest already read).
      INSERT INTO record_version (id, kind, record_id, owner_id, submission_id, data, superseded_at)
      SELECT gen_random_uuid(), 'SUSPECT', s.id, s.owner_id, s.submission_id,
             (to_jsonb(s) - 'ingest_digest') || jsonb_build_object('selectors', to_jsonb(string_to_array(nullif(c.stored_digest, ''), ','))),
             ${ctx.now}::timestamptz
        FROM stored c CROSS JOIN LATERAL (SELECT * FROM suspect x WHERE x.id = c.id LIMIT 1) s
       WHERE c.columns_changed OR c.selectors_changed
      RETURNING 1
    ), up AS (
      INSERT INTO suspect AS s (id, owner_id, source_ref, submission_id, operation_id, sharing_level, created_at, updated_at,
                                person_key, nationality, birth_year, sex, role, status, status_on, trafficking_victim, den_id,
                                ${codeColumnsOf()}, ingest_digest)
      SELECT gen_random_uuid(), ${ctx.ownerId}::uuid, r.ref, ${ctx.submissionId}::uuid, ${ctx.operationId}::uuid, r.sharing_level,
             ${ctx.now}::timestamptz, ${ctx.now}::timestamptz, r.person_key, r.nationality, r.birth_year, r.sex, r.role, r.status,
             r.status_on, r.trafficking_victim, r.den_id, ${codeColumnsOf('r')}, r.record_digest
        FROM ready r
      ON CONFLICT (owner_id, source_ref) DO UPDATE
         SET submission_id = EXCLUDED.submission_id, operation_id = EXCLUDED.operation_id, sharing_level = EXCLUDED.sharing_level,
             updated_at = EXCLUDED.updated_at, person_key = EXCLUDED.person_key, nationality = EXCLUDED.nationality,
             birth_year = EXCLUDED.birth_year, sex = EXCLUDED.sex, role = EXCLUDED.role, status = EXCLUDED.status,
             status_on = EXCLUDED.status_on, trafficking_victim = EXCLUDED.trafficking_victim, den_id = EXCLUDED.den_id, ${CODE_UPDATES},
             ingest_digest = EXCLUDED.ingest_digest
       WHERE (s.operation_id, s.sharing_level, s.person_key, s.nationality, s.birth_year, s.sex, s.role, s.status, s.status_on,
              s.trafficking_victim, s.den_id, ${codeColumnsOf('s')})
             IS DISTINCT FROM
             (EXCLUDED.operation_id, EXCLUDED.sharing_level, EXCLUDED.person_key, EXCLUDED.nationality, EXCLUDED.birth_year,
              EXCLUDED.sex, EXCLUDED.role, EXCLUDED.status, EXCLUDED.status_on, EXCLUDED.trafficking_victim, EXCLUDED.den_id,
              ${codeColumnsOf('EXCLUDED')})
          OR s.id IN (SELECT id FROM stored WHERE selectors_changed)
          OR s.ingest_digest IS DISTINCT FROM EXCLUDED.ingest_digest
      RETURNING s.id, s.source_ref, (s.xmax = 0) AS inserted
    ), wanted AS (
      SELECT r.ref, w.type, w.hash FROM src r CROSS JOIN LATERAL jsonb_to_recordset(r.selectors) AS w(type text, hash text)
    ), resync AS (
      -- Selectors are written for new suspects and rewritten only where the set changed.
      SELECT up.id, up.source_ref, up.inserted FROM up
       WHERE up.inserted OR up.id IN (SELECT id FROM stored WHERE selectors_changed)
    ), selectors_removed AS (
      DELETE FROM selector x USING resync r JOIN stored c ON c.id = r.id
       WHERE x.suspect_id = r.id AND NOT r.inserted AND NOT (x.type::text = ANY (c.kept))
         AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.ref = r.source_ref AND w.type = x.type::text AND w.hash = x.hash)
    ), selectors_of_new AS (
      -- A suspect this statement inserted has no selector rows yet: its own go in as they are
      -- (once each), without the conflict check each row of an upsert pays (~5 µs a row).
      INSERT INTO selector (id, suspect_id, type, hash)
      SELECT gen_random_uuid(), n.id, n.type::"SelectorType", n.hash
        FROM (SELECT DISTINCT r.id, w.type, w.hash FROM resync r JOIN wanted w ON w.ref = r.source_ref WHERE r.inserted) n
    ), selectors_added AS (
      INSERT INTO selector (id, suspect_id, type, hash)
      SELECT gen_random_uuid(), r.id, w.type::"SelectorType", w.hash FROM resync r JOIN wanted w ON w.ref = r.source_ref
       WHERE NOT r.inserted
      ON CONFLICT (suspect_id, type, hash) DO NOTHING
    )
    SELECT (SELECT count(*) FROM up WHERE inserted)::int AS inserted,
           (SELECT count(*) FROM history)::int AS updated,
           ${unwrittenRows(true)}`;
}
