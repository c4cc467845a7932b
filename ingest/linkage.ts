// Governed linkage below the schema: the selector lookup of `match` (schema/match.ts), the
// rule every lookup shares (a record answers unless retracted or not matchable, funds by their
// account under either account type), the daily match quota, and what a submission must do when one of the records it stores carries an identifier another agency
// already holds or watches (issue 10, §5 and §7):
// - every other agency's unretracted record carrying one of the submission's selectors gets
//   its owner a LINKED_BY_SUBMISSION event (which record, which agency, when; never a value);
// - each linked identifier counts against the submitter's match quota exactly as a `match` of
//   it would. Over the quota the records are still stored (they are the submitter's own data)
//   and the owners are still told; the quota then reads used up for the rest of the day;
// - every live watch of another agency on one of those selectors fires: the watcher gets
//   WATCH_HIT with a hitRef (as a match hit, usable for requestDisclosure), the owner MATCH_HIT.
// A suspect's personKey is the selector of its strongest identifier (or a key of that record
// alone), so links by personKey are links by selector. The submitter learns nothing of any
// link from its submission: the report says nothing, and keys shown through the API are bound
// to the viewer and the record's owner (schema/exposed-keys.ts).
import { createHash, randomBytes } from 'node:crypto';
import { appendAuditEvent } from '../kernel/audit.ts';
import { secondsToNextUtcDay, utcDay } from '../kernel/dates.ts';
import { ErrorCode, LiaisonError } from '../kernel/errors.ts';
import type { HandlingCode, RecordKind, SourceReliability } from '../prisma/generated/client/enums.ts';
import { Prisma } from '../prisma/generated/client/client.ts';
import type { Tx } from './batch/types.ts';

export const DEFAULT_MATCH_QUOTA_PER_DAY = 1_000;
export const HIT_REF_TTL_DAYS = 30;

/** A selector as stored: its type (the Prisma SelectorType, NAME_DOB included) and keyed hash. */
export type SelectorProbe = { type: string; hash: string };

/** A record's handling code and 4x4 evaluation, as every hit shows them. */
export type RecordCodes = {
  handling: HandlingCode;
  handlingNote: string | null;
  sourceReliability: SourceReliability;
  informationAssessment: number;
};

/**
 * A record carrying one of the probes: which probe, which record, whose (id and agency code),
 * its codes, and whether the asking viewer may already see it (false without `visibility`).
 */
export type SelectorFound<P extends SelectorProbe = SelectorProbe> = {
  probe: P;
  kind: RecordKind;
  id: string;
  ownerId: string;
  ownerCode: string;
  visible: boolean;
  codes: RecordCodes;
};

type CodesRow = { handling: HandlingCode; handling_note: string | null; source_reliability: SourceReliability; information_assessment: number };
const codesOf = (row: CodesRow): RecordCodes => ({
  handling: row.handling,
  handlingNote: row.handling_note,
  sourceReliability: row.source_reliability,
  informationAssessment: row.information_assessment,
});

/** Account selectors: an intercepted fund carries one as its accountKey. */
const ACCOUNT_TYPES = new Set(['BANK_ACCOUNT', 'CRYPTO_WALLET']);
/** ACCOUNT_TYPES as an SQL list, for `type IN (…)`. */
const ACCOUNT_TYPES_SQL = [...ACCOUNT_TYPES].map((t) => `'${t}'`).join(', ');

/**
 * Whether the record row `alias` answers a match, a watch or a submission's link: not retracted,
 * and not kept out by its owner (`matchable: false`). Every lookup below uses this one rule.
 */
const answers = (alias: string) => `${alias}.retracted_at IS NULL AND ${alias}.matchable`;

/**
 * The sharing rules as SQL conditions over the suspect row `s` and the intercepted_fund row `f`
 * (schema/sharing.ts visibleRecordSql builds them), with their bound values as $1..$n: the
 * lookup numbers its own parameters after them.
 */
export type VisibilitySql = { suspect: string; fund: string; values: readonly unknown[] };

type FoundRow = { kind: RecordKind; type: string | null; hash: string; id: string; owner_id: string; owner_code: string; visible: boolean } & CodesRow;

/** Items by key, in their order (Map.groupBy needs Node 21). */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const same = groups.get(key);
    if (same) same.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Today's match quota of an agency, to be charged `count` identifiers by the lookup's own statement. */
export type QuotaCharge = { agencyId: string; count: number; at: Date; defaultQuotaPerDay?: number | undefined };
export type QuotaState = { quotaPerDay: number; quotaRemaining: number };

/**
 * Every record that can answer a match carrying one of the probes' selectors, whatever its
 * sharing level: not retracted and matchable (the owner's `matchable: false` keeps a record out
 * of every match, watch and submission-time link). Suspects by their selectors, intercepted
 * funds by their account or wallet, with their owner's code, in ONE statement; with
 * `visibility`, each row also says whether the viewer may already see it. Hashes are bound as
 * char(64)[], the columns' type, so the hash indexes serve the lookup. (A submission's links
 * are looked up inside its own statement, linkSql below, by the same rule.)
 *
 * With `charge`, the same statement first takes `charge.count` identifiers from the agency's
 * quota for today (as chargeMatchQuota does) and looks up nothing unless they were taken: over
 * the quota it throws RATE_LIMITED, having taken and found nothing. One round trip for both.
 */
export async function lookUpSelectors<P extends SelectorProbe>(
  tx: Pick<Tx, '$queryRawUnsafe'>,
  probes: readonly P[],
  options: { visibility?: VisibilitySql; charge: QuotaCharge },
): Promise<{ found: SelectorFound<P>[]; quota: QuotaState }>;
export async function lookUpSelectors<P extends SelectorProbe>(
  tx: Pick<Tx, '$queryRawUnsafe'>,
  probes: readonly P[],
  options?: { visibility?: VisibilitySql },
): Promise<{ found: SelectorFound<P>[] }>;
export async function lookUpSelectors<P extends SelectorProbe>(
  tx: Pick<Tx, '$queryRawUnsafe'>,
  probes: readonly P[],
  options: { visibility?: VisibilitySql; charge?: QuotaCharge } = {},
): Promise<{ found: SelectorFound<P>[]; quota?: QuotaState }> {
  const { charge } = options;
  if (probes.length === 0 && !charge) return { found: [] };
  const values: unknown[] = [...(options.visibility?.values ?? [])];
  const bind = (value: unknown, cast: string) => {
    values.push(value);
    return `$${values.length}::${cast}`;
  };
  const hashes = bind([...new Set(probes.map((p) => p.hash))], 'char(64)[]');
  const accountHashes = [...new Set(probes.filter((p) => ACCOUNT_TYPES.has(p.type)).map((p) => p.hash))];
  let lookup = `SELECT DISTINCT 'SUSPECT'::text AS kind, sel.type::text AS type, sel.hash, s.id, s.owner_id, a.code AS owner_code,
         ${options.visibility?.suspect ?? 'false'} AS visible, s.handling, s.handling_note, s.source_reliability, s.information_assessment
    FROM selector sel JOIN suspect s ON s.id = sel.suspect_id JOIN agency a ON a.id = s.owner_id
   WHERE sel.hash = ANY(${hashes}) AND ${answers('s')}`;
  if (accountHashes.length > 0) {
    const accounts = bind(accountHashes, 'char(64)[]');
    lookup += `
  UNION ALL
  SELECT 'INTERCEPTED_FUND'::text, NULL::text, f.account_key, f.id, f.owner_id, a.code,
         ${options.visibility?.fund ?? 'false'}, f.handling, f.handling_note, f.source_reliability, f.information_assessment
    FROM intercepted_fund f JOIN agency a ON a.id = f.owner_id
   WHERE f.account_key = ANY(${accounts}) AND ${answers('f')}`;
  }
  let sql = lookup;
  if (charge) {
    const agency = bind(charge.agencyId, 'uuid');
    const day = bind(utcDay(charge.at), 'date');
    const count = bind(charge.count, 'int');
    const fallback = bind(charge.defaultQuotaPerDay ?? DEFAULT_MATCH_QUOTA_PER_DAY, 'int');
    // `before` is the statement's snapshot: today's use before this charge, taken or not. The
    // lookup's condition on `charged` is a one-time filter: refused, it reads no selector.
    sql = `WITH lim AS (SELECT COALESCE(match_quota_per_day, ${fallback}) AS quota FROM agency WHERE id = ${agency}),
     ins AS (
       INSERT INTO match_quota_usage (agency_id, day, used)
       SELECT ${agency}, ${day}, ${count} FROM lim WHERE ${count} <= lim.quota
       ON CONFLICT (agency_id, day) DO UPDATE SET used = match_quota_usage.used + EXCLUDED.used
        WHERE match_quota_usage.used + EXCLUDED.used <= (SELECT quota FROM lim)
       RETURNING used),
     charged AS (
       SELECT lim.quota, (SELECT used FROM ins) AS used,
              (SELECT u.used FROM match_quota_usage u WHERE u.agency_id = ${agency} AND u.day = ${day}) AS before
         FROM lim),
     found AS (${lookup})
SELECT c.quota AS charge_quota, c.used AS charge_used, c.before AS charge_before, f.*
  FROM charged c LEFT JOIN found f ON EXISTS (SELECT 1 FROM charged WHERE used IS NOT NULL)`;
  }
  const rows = await tx.$queryRawUnsafe<(FoundRow & Partial<ChargeColumns>)[]>(sql, ...values);
  let quota: QuotaState | undefined;
  if (charge) {
    const first = rows[0];
    if (!first) throw new Error(`agency ${charge.agencyId} is missing`);
    if (first.charge_used === null || first.charge_used === undefined) throw quotaExceeded(first.charge_quota!, first.charge_before ?? 0, charge.at);
    quota = { quotaPerDay: first.charge_quota!, quotaRemaining: first.charge_quota! - first.charge_used };
  }
  const found: SelectorFound<P>[] = [];
  const of = (probe: P, row: FoundRow): SelectorFound<P> => ({
    probe,
    kind: row.kind,
    id: row.id,
    ownerId: row.owner_id,
    ownerCode: row.owner_code,
    visible: row.visible,
    codes: codesOf(row),
  });
  // Rows by hash: one pass over the rows, whatever the number of probes (a charge's row without
  // a record has no hash, and no probe asks for that).
  const rowsByHash = groupBy(rows, (row) => row.hash ?? '');
  for (const probe of probes) {
    const account = ACCOUNT_TYPES.has(probe.type);
    for (const row of rowsByHash.get(probe.hash) ?? []) {
      if (row.kind === 'SUSPECT' ? row.type === probe.type : account) found.push(of(probe, row));
    }
  }
  return quota ? { found, quota } : { found };
}

/** The quota columns of a lookup that charged (lookUpSelectors with `charge`). */
type ChargeColumns = { charge_quota: number; charge_used: number | null; charge_before: number | null };

export const hitRefHash = (hitRef: string) => createHash('sha256').update(hitRef, 'utf8').digest('hex');

/** A fresh hitRef (given once to the requester) and the hash that is stored instead. */
export function newHitRef(): { hitRef: string; refHash: string } {
  const hitRef = randomBytes(32).toString('base64url');
  return { hitRef, refHash: hitRefHash(hitRef) };
}

export const hitRefExpiry = (at: Date) => new Date(at.getTime() + HIT_REF_TTL_DAYS * 86_400_000);

const quotaExceeded = (limit: number, spent: number, at: Date) =>
  new LiaisonError(ErrorCode.RATE_LIMITED, `The daily match quota of ${limit} identifiers is used up (${spent} used today); it renews at 00:00 UTC.`, {
    headers: { 'Retry-After': String(secondsToNextUtcDay(at)) },
    issues: [{ field: 'identifiers', code: 'MATCH_QUOTA_EXCEEDED', message: `${Math.max(0, limit - spent)} of ${limit} left today` }],
  });

/**
 * Takes `count` identifiers from the agency's quota for today — its own daily setting, else
 * `defaultQuotaPerDay` — in one statement, or throws RATE_LIMITED (Retry-After: the seconds to
 * 00:00 UTC) and takes nothing. Returns the quota and what is left of it.
 */
export async function chargeMatchQuota(
  tx: Tx,
  agencyId: string,
  count: number,
  at: Date,
  defaultQuotaPerDay = DEFAULT_MATCH_QUOTA_PER_DAY,
): Promise<QuotaState> {
  // The charge of a lookup without probes: the same statement, no selector read.
  return (await lookUpSelectors(tx, [], { charge: { agencyId, count, at, defaultQuotaPerDay } })).quota;
}

/**
 * Counts `count` identifiers against today's quota even past it (submission-time linkage: the
 * records are stored whatever the quota says); returns what is left, at least 0.
 */
async function forceMatchQuota(tx: Tx, agencyId: string, count: number, at: Date, defaultQuotaPerDay = DEFAULT_MATCH_QUOTA_PER_DAY): Promise<number> {
  const rows = await tx.$queryRaw<{ quota: number; used: number }[]>`
    INSERT INTO match_quota_usage (agency_id, day, used) VALUES (${agencyId}::uuid, ${utcDay(at)}::date, ${count}::int)
    ON CONFLICT (agency_id, day) DO UPDATE SET used = match_quota_usage.used + EXCLUDED.used
    RETURNING used, (SELECT COALESCE(match_quota_per_day, ${defaultQuotaPerDay}::int) FROM agency WHERE id = ${agencyId}::uuid) AS quota`;
  const row = rows[0];
  return row ? Math.max(0, row.quota - row.used) : 0;
}

/** A hit row as stored: the hash of its hitRef, never the hitRef. */
export type StoredHit = {
  refHash: string;
  requesterId: string;
  ownerId: string;
  kind: RecordKind;
  recordId: string;
  purpose: string;
  caseRef: string | null;
  createdAt: Date;
  expiresAt: Date;
};
/** An outbox row (agency_event). */
export type OutboxEvent = { agencyId: string; type: string; payload: Record<string, unknown>; createdAt: Date };

/**
 * The hit rows and outbox events as data-modifying CTEs (`hits`, `events`) over unnest arrays,
 * whatever their number: for a statement that also appends the audit event recording them
 * (kernel/audit.ts appendAuditEvent's `alongside`). None when there is nothing to write.
 */
export function hitAndEventWrites(hits: readonly StoredHit[], events: readonly OutboxEvent[]): Prisma.Sql[] {
  const writes: Prisma.Sql[] = [];
  const col = <K extends keyof StoredHit>(key: K) => hits.map((h) => h[key]);
  if (hits.length > 0) {
    writes.push(Prisma.sql`hits AS (
      INSERT INTO match_hit (ref_hash, requester_id, owner_id, kind, record_id, purpose, case_ref, created_at, expires_at)
      SELECT h.ref_hash, h.requester_id, h.owner_id, h.kind::"RecordKind", h.record_id, h.purpose, h.case_ref, h.created_at, h.expires_at
        FROM unnest(${col('refHash')}::text[], ${col('requesterId')}::uuid[], ${col('ownerId')}::uuid[], ${col('kind')}::text[],
                    ${col('recordId')}::uuid[], ${col('purpose')}::text[], ${col('caseRef')}::text[], ${col('createdAt')}::timestamptz[],
                    ${col('expiresAt')}::timestamptz[])
          AS h(ref_hash, requester_id, owner_id, kind, record_id, purpose, case_ref, created_at, expires_at)
      RETURNING 1)`);
  }
  if (events.length > 0) {
    writes.push(Prisma.sql`events AS (
      INSERT INTO agency_event (agency_id, type, payload, created_at)
      SELECT e.agency_id, e.type, e.payload::jsonb, e.created_at
        FROM unnest(${events.map((e) => e.agencyId)}::uuid[], ${events.map((e) => e.type)}::text[],
                    ${events.map((e) => JSON.stringify(e.payload))}::text[], ${events.map((e) => e.createdAt)}::timestamptz[]) WITH ORDINALITY
          AS e(agency_id, type, payload, created_at, n)
       ORDER BY e.n
      RETURNING 1)`);
  }
  return writes;
}

export type SubmissionLinkage = {
  submissionId: string;
  owner: { id: string; code: string };
  subject: string;
  operationCode: string;
  at: Date;
  defaultQuotaPerDay?: number | undefined;
};

export type LinkageOutcome = { links: number; identifiers: number; watchHits: number };

/** At most this many linked selectors are listed in a submission's audit entry; the count is always there. */
export const AUDITED_LINK_SELECTORS = 1_000;

type WatchHitRow = { watch_id: string; agency_id: string; agency_code: string; purpose: string; case_ref: string | null; kind: RecordKind; record_id: string };
type LinkRow = { links: number; identifiers: number; selector_count: number; selectors: string[] | null; watch_hits: WatchHitRow[] | null };

/**
 * The most records of the submission one probe is compared with to leave them out of its lookup
 * (linkSql); a probe that more of them carry is looked up with its own records and their owner
 * leaves them out.
 */
const OWN_EXCLUDED_MAX = 16;

/** linkSql's condition that the row of id `column` is not one of the probe `m`'s own records (up to OWN_EXCLUDED_MAX of them). */
const notOwn = (column: string) => Prisma.raw(`(cardinality(m.own) > ${OWN_EXCLUDED_MAX} OR ${column} <> ALL (m.own))`);

/**
 * The whole lookup side of a submission's linkage as ONE statement, run inside PostgreSQL so
 * that no selector travels to the process (a 100,000-record file stores 200,000; loading them
 * through the driver and building an event per linked record in JS took seconds of the
 * answering thread and gigabytes of memory, issue 11 §3):
 * - `mine`: the selectors of the records this submission inserted or changed (equal rows keep
 *   their older submission), a fund's account under both account types; `probes`: each
 *   distinct one once (a phone shared by every record of a file is one probe, not one per
 *   record: per record, the join grew with the square of the file), with the ids of the file's
 *   own records that carry it, whose rows `found` leaves out before reading them;
 * - `found`: other agencies' unretracted, matchable records carrying one of them, with the
 *   probe's type (a suspect by a selector of the same type; a fund by its account);
 * - one LINKED_BY_SUBMISSION event per linked record, inserted here;
 * - the count of distinct identifiers that linked (the quota charge), the first
 *   AUDITED_LINK_SELECTORS of them for the audit entry, and every live watch of another agency
 *   on one of them with the record it fires on (one row per watch and record).
 * No EXISTS or LIMIT over the joins: a fast-start plan over freshly written, unanalysed tables
 * chose nested loops over sequential scans and took minutes (REL-01 on PostgreSQL).
 */
function linkSql(s: SubmissionLinkage): Prisma.Sql {
  return Prisma.sql`
    WITH mine AS MATERIALIZED (
      SELECT 'SUSPECT'::text AS kind, s.id AS record_id, sel.type::text AS type, sel.hash
        FROM suspect s JOIN selector sel ON sel.suspect_id = s.id
       WHERE s.submission_id = ${s.submissionId}::uuid AND s.retracted_at IS NULL
      UNION ALL
      SELECT 'INTERCEPTED_FUND', f.id, t.type, f.account_key
        FROM intercepted_fund f CROSS JOIN unnest(ARRAY[${Prisma.raw(ACCOUNT_TYPES_SQL)}]::text[]) AS t(type)
       WHERE f.submission_id = ${s.submissionId}::uuid AND f.retracted_at IS NULL AND f.account_key IS NOT NULL),
    -- Each probe with the submission's own records that carry it: every probe finds those,
    -- and they are the submitter's, so they are left out before their rows are read (up to
    -- OWN_EXCLUDED_MAX of them: a number every record of a file shares is checked the long way,
    -- by its records' owner, not compared with every one of them for each row that carries it).
    probes AS MATERIALIZED (SELECT type, hash, array_agg(record_id) AS own FROM mine GROUP BY type, hash),
    found AS MATERIALIZED (
      SELECT 'SUSPECT'::text AS kind, o.id, o.owner_id, m.type, m.hash
        FROM probes m JOIN selector sel ON sel.hash = m.hash AND sel.type::text = m.type AND ${notOwn('sel.suspect_id')}
        JOIN suspect o ON o.id = sel.suspect_id
       WHERE o.owner_id <> ${s.owner.id}::uuid AND ${Prisma.raw(answers('o'))}
      UNION ALL
      SELECT 'INTERCEPTED_FUND', o.id, o.owner_id, m.type, m.hash
        FROM probes m JOIN intercepted_fund o ON o.account_key = m.hash AND ${notOwn('o.id')}
       WHERE m.type IN (${Prisma.raw(ACCOUNT_TYPES_SQL)}) AND o.owner_id <> ${s.owner.id}::uuid AND ${Prisma.raw(answers('o'))}),
    linked AS (SELECT DISTINCT kind, id, owner_id FROM found),
    events AS (
      INSERT INTO agency_event (agency_id, type, payload, created_at)
      SELECT owner_id, 'LINKED_BY_SUBMISSION',
             jsonb_build_object('recordType', kind, 'recordId', id, 'linkedBy', ${s.owner.code}::text, 'operation', ${s.operationCode}::text,
                                'at', ${s.at.toISOString()}::text),
             ${s.at}::timestamptz
        FROM linked ORDER BY owner_id, kind, id
      RETURNING 1),
    selectors AS (SELECT DISTINCT type || ':' || hash AS selector FROM found)
    SELECT (SELECT count(*) FROM events)::int AS links,
           (SELECT count(DISTINCT hash) FROM found)::int AS identifiers,
           (SELECT count(*) FROM selectors)::int AS selector_count,
           (SELECT array_agg(selector ORDER BY selector) FROM (SELECT selector FROM selectors ORDER BY selector LIMIT ${AUDITED_LINK_SELECTORS}) AS first) AS selectors,
           (SELECT json_agg(h) FROM (
              SELECT DISTINCT w.id AS watch_id, w.agency_id, a.code AS agency_code, w.purpose, w.case_ref, m.kind, m.record_id
                FROM mine m JOIN watch_selector ws ON ws.hash = m.hash AND ws.type::text = m.type
                JOIN watch w ON w.id = ws.watch_id JOIN agency a ON a.id = w.agency_id
               WHERE w.cancelled_at IS NULL AND w.until > ${s.at}::timestamptz AND w.agency_id <> ${s.owner.id}::uuid
               ORDER BY w.id, m.kind, m.record_id) AS h) AS watch_hits`;
}

/** Sort and hash memory of a submission's linkage statement (per backend, for one statement at a time). */
const LINKAGE_WORK_MEM = '64MB';

/**
 * Governs what a submission links to (see the header of this file). Runs in the submission's
 * transaction after its records are written, so events, quota and hits commit with them.
 */
export async function linkSubmission(tx: Tx, s: SubmissionLinkage): Promise<LinkageOutcome> {
  // A 100,000-record file's selectors (200,000 rows in `mine`, its DISTINCT, the joins) spilled
  // to temporary files under the default 4 MB; the rest of the transaction (the submission row,
  // the summaries computed before commit) keeps the setting.
  await tx.$executeRawUnsafe(`SET LOCAL work_mem = '${LINKAGE_WORK_MEM}'`);
  const [row] = await tx.$queryRaw<LinkRow[]>(linkSql(s));
  const { links, identifiers } = row!;
  // Each identifier that linked counts as a match of it would (an account counts once, not per type).
  if (identifiers > 0) await forceMatchQuota(tx, s.owner.id, identifiers, s.at, s.defaultQuotaPerDay);

  // Watches: one hit per watch and stored record, however many of its selectors the watch holds.
  // The hitRef is made here: it goes to the watcher once and only its hash is stored.
  const hits: StoredHit[] = [];
  const events: OutboxEvent[] = [];
  for (const w of row!.watch_hits ?? []) {
    const { hitRef, refHash } = newHitRef();
    const reason = { purpose: w.purpose, ...(w.case_ref ? { caseRef: w.case_ref } : {}) };
    hits.push({ refHash, requesterId: w.agency_id, ownerId: s.owner.id, kind: w.kind, recordId: w.record_id, purpose: w.purpose, caseRef: w.case_ref, createdAt: s.at, expiresAt: hitRefExpiry(s.at) });
    events.push(
      {
        agencyId: w.agency_id,
        type: 'WATCH_HIT',
        payload: { watchId: w.watch_id, hitRef, owner: s.owner.code, recordType: w.kind, at: s.at.toISOString() },
        createdAt: s.at,
      },
      {
        agencyId: s.owner.id,
        type: 'MATCH_HIT',
        payload: { recordType: w.kind, recordId: w.record_id, matchedBy: w.agency_code, watch: true, ...reason, at: s.at.toISOString() },
        createdAt: s.at,
      },
    );
  }
  // The hits and events are written by the audit event's own statement (there is one whenever there are hits).
  if (links > 0 || hits.length > 0) {
    const selectors = row!.selectors ?? [];
    await appendAuditEvent(
      tx,
      {
        agencyCode: s.owner.code,
        subject: s.subject,
        action: 'submission.linkage',
        outcome: 'ok',
        target: s.submissionId,
        // `selectors` lists the first AUDITED_LINK_SELECTORS that linked, in order (TYPE:hash);
        // `selectorCount` says how many did. The rest follow from the submission's stored records.
        detail: { links, identifiers, watchHits: hits.length, selectorCount: row!.selector_count, selectors },
      },
      s.at,
      hitAndEventWrites(hits, events),
    );
  }
  return { links, identifiers, watchHits: hits.length };
}
