// Governed linkage below the schema: the ONE selector lookup that `match` (schema/match.ts),
// watches (schema/watch.ts) and submission-time linkage use, the daily match quota, and what a
// submission must do when one of the records it stores carries an identifier another agency
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
import type { Prisma } from '../prisma/generated/client/client.ts';
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

/** A record carrying one of the probes: which probe, which record, whose, and its codes. */
export type SelectorFound<P extends SelectorProbe = SelectorProbe> = { probe: P; kind: RecordKind; id: string; ownerId: string; codes: RecordCodes };

type CodesRow = { handling: HandlingCode; handling_note: string | null; source_reliability: SourceReliability; information_assessment: number };
const codesOf = (row: CodesRow): RecordCodes => ({
  handling: row.handling,
  handlingNote: row.handling_note,
  sourceReliability: row.source_reliability,
  informationAssessment: row.information_assessment,
});

/** Account selectors: an intercepted fund carries one as its accountKey. */
const ACCOUNT_TYPES = new Set(['BANK_ACCOUNT', 'CRYPTO_WALLET']);

/**
 * Every record that can answer a match carrying one of the probes' selectors, whatever its
 * sharing level: not retracted and matchable (the owner's `matchable: false` keeps a record out
 * of every match, watch and submission-time link). Suspects by their selectors, intercepted
 * funds by their account or wallet. `excludeOwnerId` leaves out one agency's records (a
 * submitter's, a watcher's own). Hashes are bound as char(64)[], the columns' type, so the
 * hash indexes serve the lookup.
 */
export async function lookUpSelectors<P extends SelectorProbe>(tx: Tx, probes: readonly P[], options: { excludeOwnerId?: string } = {}): Promise<SelectorFound<P>[]> {
  if (probes.length === 0) return [];
  const hashes = [...new Set(probes.map((p) => p.hash))];
  const accountHashes = [...new Set(probes.filter((p) => ACCOUNT_TYPES.has(p.type)).map((p) => p.hash))];
  const exclude = options.excludeOwnerId ?? null;
  const [selectors, funds] = await Promise.all([
    tx.$queryRaw<({ type: string; hash: string; id: string; owner_id: string } & CodesRow)[]>`
      SELECT DISTINCT sel.type::text AS type, sel.hash, s.id, s.owner_id,
             s.handling, s.handling_note, s.source_reliability, s.information_assessment
        FROM selector sel JOIN suspect s ON s.id = sel.suspect_id
       WHERE sel.hash = ANY(${hashes}::char(64)[]) AND s.retracted_at IS NULL AND s.matchable
         AND (${exclude}::uuid IS NULL OR s.owner_id <> ${exclude}::uuid)`,
    accountHashes.length === 0
      ? Promise.resolve([])
      : tx.$queryRaw<({ hash: string; id: string; owner_id: string } & CodesRow)[]>`
          SELECT account_key AS hash, id, owner_id, handling, handling_note, source_reliability, information_assessment
            FROM intercepted_fund
           WHERE account_key = ANY(${accountHashes}::char(64)[]) AND retracted_at IS NULL AND matchable
             AND (${exclude}::uuid IS NULL OR owner_id <> ${exclude}::uuid)`,
  ]);
  const found: SelectorFound<P>[] = [];
  for (const probe of probes) {
    for (const row of selectors) {
      if (row.hash === probe.hash && row.type === probe.type) found.push({ probe, kind: 'SUSPECT', id: row.id, ownerId: row.owner_id, codes: codesOf(row) });
    }
    if (!ACCOUNT_TYPES.has(probe.type)) continue;
    for (const row of funds) {
      if (row.hash === probe.hash) found.push({ probe, kind: 'INTERCEPTED_FUND', id: row.id, ownerId: row.owner_id, codes: codesOf(row) });
    }
  }
  return found;
}

export const hitRefHash = (hitRef: string) => createHash('sha256').update(hitRef, 'utf8').digest('hex');

/** A fresh hitRef (given once to the requester) and the hash that is stored instead. */
export function newHitRef(): { hitRef: string; refHash: string } {
  const hitRef = randomBytes(32).toString('base64url');
  return { hitRef, refHash: hitRefHash(hitRef) };
}

export const hitRefExpiry = (at: Date) => new Date(at.getTime() + HIT_REF_TTL_DAYS * 86_400_000);

/** The agency's daily quota of identifiers: its own setting, else the gateway's default. */
export async function matchQuotaOf(tx: Tx, agencyId: string, defaultQuotaPerDay = DEFAULT_MATCH_QUOTA_PER_DAY): Promise<number> {
  const agency = await tx.agency.findUniqueOrThrow({ where: { id: agencyId }, select: { matchQuotaPerDay: true } });
  return agency.matchQuotaPerDay ?? defaultQuotaPerDay;
}

/**
 * Takes `count` identifiers from today's quota, or throws RATE_LIMITED (Retry-After: the
 * seconds to 00:00 UTC); returns what is left. `force` (submission-time linkage) always
 * counts them, even past the quota: the records are stored whatever the quota says.
 */
export async function takeMatchQuota(tx: Tx, agencyId: string, limit: number, count: number, at: Date, force = false): Promise<number> {
  const day = utcDay(at);
  if (force) {
    const rows = await tx.$queryRaw<{ used: number }[]>`
      INSERT INTO match_quota_usage (agency_id, day, used) VALUES (${agencyId}::uuid, ${day}::date, ${count}::int)
      ON CONFLICT (agency_id, day) DO UPDATE SET used = match_quota_usage.used + EXCLUDED.used
      RETURNING used`;
    return Math.max(0, limit - (rows[0]?.used ?? count));
  }
  const rows = await tx.$queryRaw<{ used: number }[]>`
    INSERT INTO match_quota_usage (agency_id, day, used)
    SELECT ${agencyId}::uuid, ${day}::date, ${count}::int WHERE ${count}::int <= ${limit}::int
    ON CONFLICT (agency_id, day) DO UPDATE SET used = match_quota_usage.used + EXCLUDED.used
     WHERE match_quota_usage.used + EXCLUDED.used <= ${limit}::int
    RETURNING used`;
  const used = rows[0]?.used;
  if (used === undefined) {
    const current = await tx.matchQuotaUsage.findUnique({ where: { agencyId_day: { agencyId, day } }, select: { used: true } });
    const spent = current?.used ?? 0;
    throw new LiaisonError(ErrorCode.RATE_LIMITED, `The daily match quota of ${limit} identifiers is used up (${spent} used today); it renews at 00:00 UTC.`, {
      headers: { 'Retry-After': String(secondsToNextUtcDay(at)) },
      issues: [{ field: 'identifiers', code: 'MATCH_QUOTA_EXCEEDED', message: `${Math.max(0, limit - spent)} of ${limit} left today` }],
    });
  }
  return limit - used;
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

type StoredProbe = SelectorProbe & { kind: RecordKind; recordId: string };

/** The selectors of the records this submission inserted or changed (equal rows keep their older submission). */
async function storedProbes(tx: Tx, submissionId: string): Promise<StoredProbe[]> {
  const rows = await tx.$queryRaw<{ kind: RecordKind; id: string; type: string; hash: string }[]>`
    SELECT 'SUSPECT' AS kind, s.id, sel.type::text AS type, sel.hash
      FROM suspect s JOIN selector sel ON sel.suspect_id = s.id
     WHERE s.submission_id = ${submissionId}::uuid AND s.retracted_at IS NULL
    UNION ALL
    SELECT 'INTERCEPTED_FUND', f.id, t.type, f.account_key
      FROM intercepted_fund f CROSS JOIN (VALUES ('BANK_ACCOUNT'), ('CRYPTO_WALLET')) AS t(type)
     WHERE f.submission_id = ${submissionId}::uuid AND f.retracted_at IS NULL AND f.account_key IS NOT NULL`;
  return rows.map((r) => ({ kind: r.kind, recordId: r.id, type: r.type, hash: r.hash }));
}

type WatchRow = { id: string; agency_id: string; purpose: string; case_ref: string | null; type: string; hash: string };

/** Live watches of other agencies on any of the hashes. */
function liveWatchesOn(tx: Tx, hashes: string[], ownerId: string, at: Date): Promise<WatchRow[]> {
  return tx.$queryRaw<WatchRow[]>`
    SELECT w.id, w.agency_id, w.purpose, w.case_ref, ws.type::text AS type, ws.hash
      FROM watch_selector ws JOIN watch w ON w.id = ws.watch_id
     WHERE ws.hash = ANY(${hashes}::char(64)[]) AND w.cancelled_at IS NULL AND w.until > ${at}::timestamptz
       AND w.agency_id <> ${ownerId}::uuid`;
}

/**
 * Governs what a submission links to (see the header of this file). Runs in the submission's
 * transaction after its records are written, so events, quota and hits commit with them.
 */
export async function linkSubmission(tx: Tx, s: SubmissionLinkage): Promise<LinkageOutcome> {
  const probes = await storedProbes(tx, s.submissionId);
  if (probes.length === 0) return { links: 0, identifiers: 0, watchHits: 0 };
  const distinct = [...new Map(probes.map((p) => [`${p.type}:${p.hash}`, { type: p.type, hash: p.hash }])).values()];
  const [found, watches] = await Promise.all([
    lookUpSelectors(tx, distinct, { excludeOwnerId: s.owner.id }),
    liveWatchesOn(tx, [...new Set(distinct.map((p) => p.hash))], s.owner.id, s.at),
  ]);
  const events: Prisma.AgencyEventCreateManyInput[] = [];

  // LINKED_BY_SUBMISSION: one per record of another agency, however many selectors link it.
  const linked = new Map<string, SelectorFound>();
  for (const f of found) if (!linked.has(f.id)) linked.set(f.id, f);
  for (const f of linked.values()) {
    events.push({
      agencyId: f.ownerId,
      type: 'LINKED_BY_SUBMISSION',
      payload: { recordType: f.kind, recordId: f.id, linkedBy: s.owner.code, operation: s.operationCode, at: s.at.toISOString() },
      createdAt: s.at,
    });
  }
  // Each identifier that linked counts as a match of it would (an account counts once, not per type).
  const identifiers = new Set(found.map((f) => f.probe.hash)).size;
  if (identifiers > 0) {
    const limit = await matchQuotaOf(tx, s.owner.id, s.defaultQuotaPerDay);
    await takeMatchQuota(tx, s.owner.id, limit, identifiers, s.at, true);
  }

  // Watches: one hit per watch and stored record, however many of its selectors the watch holds.
  const hits: Prisma.MatchHitCreateManyInput[] = [];
  const fired = new Set<string>();
  const watcherIds = [...new Set(watches.map((w) => w.agency_id))];
  const codeOf = new Map(
    watcherIds.length === 0 ? [] : (await tx.agency.findMany({ where: { id: { in: watcherIds } }, select: { id: true, code: true } })).map((a) => [a.id, a.code]),
  );
  for (const w of watches) {
    for (const p of probes) {
      if (p.hash !== w.hash || p.type !== w.type || fired.has(`${w.id}:${p.recordId}`)) continue;
      fired.add(`${w.id}:${p.recordId}`);
      const { hitRef, refHash } = newHitRef();
      const reason = { purpose: w.purpose, ...(w.case_ref ? { caseRef: w.case_ref } : {}) };
      hits.push({ refHash, requesterId: w.agency_id, ownerId: s.owner.id, kind: p.kind, recordId: p.recordId, ...reason, createdAt: s.at, expiresAt: hitRefExpiry(s.at) });
      events.push(
        {
          agencyId: w.agency_id,
          type: 'WATCH_HIT',
          payload: { watchId: w.id, hitRef, owner: s.owner.code, recordType: p.kind, at: s.at.toISOString() },
          createdAt: s.at,
        },
        {
          agencyId: s.owner.id,
          type: 'MATCH_HIT',
          payload: { recordType: p.kind, recordId: p.recordId, matchedBy: codeOf.get(w.agency_id) ?? '', watch: true, ...reason, at: s.at.toISOString() },
          createdAt: s.at,
        },
      );
    }
  }
  if (hits.length > 0) await tx.matchHit.createMany({ data: hits });
  if (events.length > 0) await tx.agencyEvent.createMany({ data: events });
  if (linked.size > 0 || hits.length > 0) {
    await appendAuditEvent(
      tx,
      {
        agencyCode: s.owner.code,
        subject: s.subject,
        action: 'submission.linkage',
        outcome: 'ok',
        target: s.submissionId,
        detail: { links: linked.size, identifiers, watchHits: hits.length, selectors: [...new Set(found.map((f) => `${f.probe.type}:${f.probe.hash}`))] },
      },
      s.at,
    );
  }
  return { links: linked.size, identifiers, watchHits: hits.length };
}
