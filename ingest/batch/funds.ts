// Batch writer of intercepted_fund: one statement per batch, like dens.ts, plus two joins.
// amount_usd is the partner's figure when given; the amount itself for USD;
// else the amount times the reference rate of the latest valid_on on or before actionOn
// (the submission's date when the fund has none), rounded to cents; else NULL. All numeric,
// never a float. denRef resolves as in suspects.ts (unresolved rows are not written). Columns
// the file did not carry keep their stored values (rows.ts FUND_COLUMN_BITS). The record's digest
// is stored as in dens.ts.
import { FUND_COLUMN_BITS as bit } from '../rows.ts';
import { Prisma } from '../../prisma/generated/client/client.ts';
import { FUND_INPUT, type TableInput } from './input.ts';
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

export async function writeFunds(run: RunStatement, ctx: WriteContext, input: TableInput | undefined): Promise<WriteResult> {
  if (!input) return NOTHING_WRITTEN;
  return toWriteResult(await run(fundsStatement(ctx, input)));
}

/** The statement of one batch (exported for EXPLAIN in benchmarks). */
export function fundsStatement(ctx: WriteContext, input: TableInput): Prisma.Sql {
  return Prisma.sql`
    WITH input AS (${inputRows(input, FUND_INPUT)}
    ), merged AS (
      -- Absent is not null: columns the file did not carry keep their stored values. A stored
      -- amountUsd is kept only while the amount and currency it converts stay the same.
      SELECT i.ord, i.v, i.ref, cur.retracted_at IS NOT NULL AS retracted, ${storedIfAbsent('sharing_level', bit.sharing_level, Prisma.sql`i.level::"SharingLevel"`)} AS sharing_level,
             i.amount::numeric(38, 18) AS amount, i.currency::varchar(8) AS currency, i.amount_usd AS given_usd,
             (cur.id IS NOT NULL AND (i.absent & ${Prisma.raw(String(bit.amount_usd))}) <> 0 AND cur.amount = i.amount AND cur.currency = i.currency) AS keep_usd,
             cur.amount_usd AS stored_usd, i.channel, i.action,
             ${storedIfAbsent('action_on', bit.action_on, Prisma.sql`i.action_on`)} AS action_on,
             ${storedIfAbsent('account_key', bit.account, Prisma.sql`i.account_key::char(64)`)} AS account_key,
             ${storedIfAbsent('account_country', bit.account, Prisma.sql`i.account_country::char(2)`)} AS account_country,
             ${storedIfAbsent('victim_count', bit.victim_count, Prisma.sql`i.victim_count`)} AS victim_count,
             i.den_ref, ${storedIfAbsent('den_id', bit.den_id, Prisma.sql`den.id`)} AS den_id,
             ${codeValues(bit)}, i.digest
        FROM input i
        ${storedRow('intercepted_fund', ctx.ownerId)}
        ${denOfRef(ctx.ownerId)}
    ), src AS (
      SELECT m.ord, m.v, m.ref, m.retracted, ${codeColumnsOf('m')}, m.sharing_level, m.amount, m.currency,
             (CASE WHEN m.keep_usd THEN m.stored_usd
                   WHEN m.given_usd IS NOT NULL THEN m.given_usd
                   WHEN m.currency = 'USD' THEN m.amount
                   ELSE round(m.amount * rate.usd_per_unit, 2) END)::numeric(38, 18) AS amount_usd,
             m.channel::"FundChannel" AS channel, m.action::"FundAction" AS action, m.action_on,
             m.account_key, m.account_country, m.victim_count, m.den_ref, m.den_id, m.digest
        FROM merged m
        LEFT JOIN LATERAL (
          SELECT e.usd_per_unit FROM exchange_rate e
           WHERE NOT m.keep_usd AND m.given_usd IS NULL AND m.currency <> 'USD'
             AND e.currency = m.currency AND e.valid_on <= coalesce(m.action_on, ${ctx.today}::date)
           ORDER BY e.valid_on DESC LIMIT 1
        ) rate ON true
    ), ready AS (
      SELECT * FROM src WHERE (den_ref IS NULL OR den_id IS NOT NULL) AND NOT retracted
    ), history AS (
      INSERT INTO record_version (id, kind, record_id, owner_id, submission_id, data, superseded_at)
      SELECT gen_random_uuid(), 'INTERCEPTED_FUND', f.id, f.owner_id, f.submission_id, to_jsonb(f) - 'ingest_digest', ${ctx.now}::timestamptz
        FROM ready r
        CROSS JOIN LATERAL (SELECT * FROM intercepted_fund x WHERE x.owner_id = ${ctx.ownerId}::uuid AND x.source_ref = r.ref LIMIT 1) f
       WHERE (f.operation_id, f.sharing_level, f.amount, f.currency, f.amount_usd, f.channel, f.action, f.action_on, f.account_key,
              f.account_country, f.victim_count, f.den_id, ${codeColumnsOf('f')})
             IS DISTINCT FROM
             (${ctx.operationId}::uuid, r.sharing_level, r.amount, r.currency, r.amount_usd, r.channel, r.action, r.action_on,
              r.account_key, r.account_country, r.victim_count, r.den_id, ${codeColumnsOf('r')})
      RETURNING 1
    ), up AS (
      INSERT INTO intercepted_fund AS f (id, owner_id, source_ref, submission_id, operation_id, sharing_level, created_at, updated_at,
                                         amount, currency, amount_usd, channel, action, action_on, account_key, account_country,
                                         victim_count, den_id, ${codeColumnsOf()}, ingest_digest)
      SELECT gen_random_uuid(), ${ctx.ownerId}::uuid, r.ref, ${ctx.submissionId}::uuid, ${ctx.operationId}::uuid, r.sharing_level,
             ${ctx.now}::timestamptz, ${ctx.now}::timestamptz, r.amount, r.currency, r.amount_usd, r.channel, r.action, r.action_on,
             r.account_key, r.account_country, r.victim_count, r.den_id, ${codeColumnsOf('r')}, r.digest
        FROM ready r
      ON CONFLICT (owner_id, source_ref) DO UPDATE
         SET submission_id = EXCLUDED.submission_id, operation_id = EXCLUDED.operation_id, sharing_level = EXCLUDED.sharing_level,
             updated_at = EXCLUDED.updated_at, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
             amount_usd = EXCLUDED.amount_usd, channel = EXCLUDED.channel, action = EXCLUDED.action, action_on = EXCLUDED.action_on,
             account_key = EXCLUDED.account_key, account_country = EXCLUDED.account_country,
             victim_count = EXCLUDED.victim_count, den_id = EXCLUDED.den_id, ${CODE_UPDATES},
             ingest_digest = EXCLUDED.ingest_digest
       WHERE (f.operation_id, f.sharing_level, f.amount, f.currency, f.amount_usd, f.channel, f.action, f.action_on, f.account_key,
              f.account_country, f.victim_count, f.den_id, ${codeColumnsOf('f')})
             IS DISTINCT FROM
             (EXCLUDED.operation_id, EXCLUDED.sharing_level, EXCLUDED.amount, EXCLUDED.currency, EXCLUDED.amount_usd,
              EXCLUDED.channel, EXCLUDED.action, EXCLUDED.action_on, EXCLUDED.account_key, EXCLUDED.account_country,
              EXCLUDED.victim_count, EXCLUDED.den_id, ${codeColumnsOf('EXCLUDED')})
          OR f.ingest_digest IS DISTINCT FROM EXCLUDED.ingest_digest
      RETURNING (f.xmax = 0) AS inserted
    )
    SELECT (SELECT count(*) FROM up WHERE inserted)::int AS inserted,
           (SELECT count(*) FROM history)::int AS updated,
           ${unwrittenRows(true)}`;
}
