// Joint operations: creation and membership, shared by GraphQL mutations, the admin API
// and the CLI. The lead agency is always a participant. Codes are unique per lead agency
// (kernel/operation-code.ts), so creating one never reveals another agency's operation.
// Membership is by consent: agencies a partner names are invited and join only when they
// accept (each existing participant then gets a PARTICIPANT_JOINED event); only the operator
// registers participants directly, for agreements made offline. The operation summary is
// computed by SQL aggregates in the database over every record of the operation, whatever its
// sharing level (summaries are visible to the operation's participants).
import { z } from 'zod';
import { Prisma, type PrismaClient } from '../prisma/generated/client/client.ts';
import { OperationStatus } from '../prisma/generated/client/enums.ts';
import { findNamedOperation, qualifiedOperationCode, type NamedOperation } from '../kernel/operation-code.ts';
import { ISSUER_PATTERN, type Viewer } from '../kernel/viewer.ts';
import { badInput, ErrorCode, LiaisonError } from '../kernel/errors.ts';
import { visibleOperationWhere } from './sharing.ts';

type Tx = Prisma.TransactionClient;

const CODE = /^[A-Z0-9][A-Z0-9-]{1,62}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** YYYY-MM-DD naming a day of the calendar (not 2026-13-01 or 2026-02-30). */
const calendarDate = z
  .string()
  .regex(DATE, 'a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a calendar date (YYYY-MM-DD)');

export const createOperationInput = z
  .object({
    code: z.string().regex(CODE, 'upper-case letters, digits and dashes, e.g. FIRST-LIGHT-2022'),
    name: z.string().trim().min(1).max(200),
    lead: z.string().regex(ISSUER_PATTERN, 'an agency code, e.g. ES-PN'),
    participants: z.array(z.string().regex(ISSUER_PATTERN, 'an agency code, e.g. ES-PN')).max(200).default([]),
    startsOn: calendarDate.optional(),
    endsOn: calendarDate.optional(),
    status: z.enum(OperationStatus).default(OperationStatus.ACTIVE),
  })
  .refine((o) => !o.startsOn || !o.endsOn || o.startsOn <= o.endsOn, {
    path: ['endsOn'],
    message: 'must not be before startsOn',
  });
export type CreateOperationInput = z.input<typeof createOperationInput>;

/** Ids of the agencies by code; an unknown one is refused naming the input field that held it. */
async function agencyIdsByCode(prisma: Tx, codes: string[], fieldOf: (code: string) => string): Promise<Map<string, string>> {
  const rows = await prisma.agency.findMany({ where: { code: { in: codes } }, select: { id: true, code: true } });
  const found = new Map(rows.map((r) => [r.code, r.id]));
  const missing = codes.filter((c) => !found.has(c));
  if (missing.length) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `Unknown agency: ${missing.join(', ')}`, {
      issues: missing.map((c) => ({ field: fieldOf(c), code: 'UNKNOWN_AGENCY', message: `unknown agency ${c}` })),
    });
  }
  return found;
}

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

/**
 * Stores an operation led by `input.lead`. The other agencies named join at once when the
 * operator registers them (`participantsJoin`), and are only invited otherwise. The one
 * conflict is a code the lead itself already uses, which the lead can see anyway.
 */
async function insertOperation(prisma: PrismaClient, raw: CreateOperationInput, participantsJoin: boolean, at?: Date) {
  const parsed = createOperationInput.safeParse(raw);
  if (!parsed.success) throw badInput(parsed.error);
  const input = parsed.data;
  const codes = [...new Set([input.lead, ...input.participants])];
  const ids = await agencyIdsByCode(prisma, codes, (c) => (c === input.lead ? 'lead' : 'participants'));
  const membership = (code: string) =>
    code === input.lead || participantsJoin ? { joinedAt: at ?? new Date() } : { joinedAt: null };
  try {
    return await prisma.operation.create({
      data: {
        code: input.code,
        name: input.name,
        leadId: ids.get(input.lead)!,
        status: input.status,
        startsOn: input.startsOn ? new Date(`${input.startsOn}T00:00:00Z`) : null,
        endsOn: input.endsOn ? new Date(`${input.endsOn}T00:00:00Z`) : null,
        participants: {
          create: codes.map((code) => ({ agencyId: ids.get(code)!, ...(at ? { invitedAt: at } : {}), ...membership(code) })),
        },
      },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new LiaisonError(ErrorCode.CONFLICT, `${input.lead} already leads an operation ${input.code}.`, {
      issues: [{ field: 'code', code: 'CODE_IN_USE', message: 'the lead agency already uses this code' }],
    });
  }
}

/** The operator registers an operation; every participant named agreed offline and joins at once. */
export function createOperation(prisma: PrismaClient, raw: CreateOperationInput) {
  return insertOperation(prisma, raw, true);
}

/** A partner creates an operation it leads; the agencies it names are invited. */
export function createPartnerOperation(
  prisma: PrismaClient,
  viewer: Pick<Viewer, 'agencyCode'>,
  raw: Omit<CreateOperationInput, 'lead'>,
  at: Date,
) {
  return insertOperation(prisma, { ...raw, lead: viewer.agencyCode }, false, at);
}

const noSuchOperation = () => new LiaisonError(ErrorCode.NOT_FOUND, 'No such operation.');
const noSuchInvitation = () => new LiaisonError(ErrorCode.NOT_FOUND, 'No such invitation.');

/** Agencies that joined the operation: the ones a PARTICIPANT_JOINED event is for. */
const joinedWhere = (operationId: string) => ({ operationId, joinedAt: { not: null } });

/** Tells every other participant of the operation that `agency` joined it (agency_event outbox). */
async function announceJoin(tx: Tx, operation: NamedOperation, agency: { id: string; code: string }, at: Date) {
  const others = await tx.operationParticipant.findMany({
    where: { ...joinedWhere(operation.id), agencyId: { not: agency.id } },
    select: { agencyId: true },
  });
  if (others.length === 0) return;
  await tx.agencyEvent.createMany({
    data: others.map((p) => ({
      agencyId: p.agencyId,
      type: 'PARTICIPANT_JOINED',
      payload: {
        operation: qualifiedOperationCode(operation.lead.code, operation.code),
        agency: agency.code,
        joinedAt: at.toISOString(),
      },
      createdAt: at,
    })),
  });
}

/** Makes the agency a joined participant (from an invitation or none); false when it already was. */
async function join(tx: Tx, operation: NamedOperation, agency: { id: string; code: string }, at: Date): Promise<boolean> {
  const key = { operationId: operation.id, agencyId: agency.id };
  const accepted = await tx.operationParticipant.updateMany({ where: { ...key, joinedAt: null }, data: { joinedAt: at } });
  if (accepted.count === 0) {
    const created = await tx.operationParticipant.createMany({ data: [{ ...key, invitedAt: at, joinedAt: at }], skipDuplicates: true });
    if (created.count === 0) return false;
  }
  await announceJoin(tx, operation, agency, at);
  return true;
}

/**
 * The operator registers a participant that agreed offline (and the demo seed); it joins at
 * once. `operationRef` is `CODE` or `LEAD/CODE` among every operation.
 */
export async function addOperationParticipant(prisma: PrismaClient, operationRef: string, agencyCode: string, at = new Date()) {
  return prisma.$transaction(async (tx) => {
    const operation = await findNamedOperation(tx, operationRef, {}, 'operationCode');
    if (!operation) throw noSuchOperation();
    const ids = await agencyIdsByCode(tx, [agencyCode], () => 'agencyCode');
    await join(tx, operation, { id: ids.get(agencyCode)!, code: agencyCode }, at);
    return operation;
  });
}

/**
 * The lead invites an agency into an operation; it joins when it accepts. An operation the
 * caller does not take part in answers exactly like a missing one, whatever the caller's scopes.
 */
export async function inviteParticipant(prisma: PrismaClient, viewer: Viewer, operationRef: string, agencyCode: string, at: Date) {
  const operation = await findNamedOperation(prisma, operationRef, visibleOperationWhere(viewer), 'operationCode');
  if (!operation) throw noSuchOperation();
  if (operation.leadId !== viewer.agencyId) {
    throw new LiaisonError(ErrorCode.FORBIDDEN, 'Only the lead agency may invite participants.');
  }
  const ids = await agencyIdsByCode(prisma, [agencyCode], () => 'agencyCode');
  await prisma.operationParticipant.createMany({
    data: [{ operationId: operation.id, agencyId: ids.get(agencyCode)!, invitedAt: at, joinedAt: null }],
    skipDuplicates: true,
  });
  return operation;
}

/** The caller's pending invitation named by `operationRef`, or NOT_FOUND. */
async function pendingInvitation(tx: Tx, viewer: Viewer, operationRef: string): Promise<NamedOperation> {
  const operation = await findNamedOperation(
    tx,
    operationRef,
    { participants: { some: { agencyId: viewer.agencyId, joinedAt: null } } },
    'operationCode',
  );
  if (!operation) throw noSuchInvitation();
  return operation;
}

/** The invited agency accepts: it joins, and the other participants are told. */
export async function acceptInvitation(prisma: PrismaClient, viewer: Viewer, operationRef: string, at: Date) {
  return prisma.$transaction(async (tx) => {
    const operation = await pendingInvitation(tx, viewer, operationRef);
    if (!(await join(tx, operation, { id: viewer.agencyId, code: viewer.agencyCode }, at))) throw noSuchInvitation();
    return operation;
  });
}

/** The invited agency declines: the invitation is gone, as if it had never been made. */
export async function declineInvitation(prisma: PrismaClient, viewer: Viewer, operationRef: string) {
  return prisma.$transaction(async (tx) => {
    const operation = await pendingInvitation(tx, viewer, operationRef);
    await tx.operationParticipant.deleteMany({ where: { operationId: operation.id, agencyId: viewer.agencyId, joinedAt: null } });
    return operation;
  });
}

/** The caller's invitations not yet answered, oldest first. */
export function pendingInvitations(prisma: PrismaClient, viewer: Viewer) {
  return prisma.operationParticipant.findMany({
    where: { agencyId: viewer.agencyId, joinedAt: null },
    select: {
      invitedAt: true,
      operation: { select: { code: true, name: true, leadId: true, lead: { select: { code: true } } } },
    },
    orderBy: [{ invitedAt: 'asc' }, { operationId: 'asc' }],
  });
}

export type OperationSummary = {
  countries: number;
  scamDens: number;
  densRaided: number;
  suspects: number;
  suspectsArrested: number;
  suspectsSurrendered: number;
  suspectsWanted: number;
  traffickingVictims: number;
  devicesSeized: number;
  fundRecords: number;
  fundsByCurrency: { currency: string; amount: string }[];
  fundsInterceptedUsd: string;
};

type CachedSummary = { version: string; computedAt: number; readAt: number; summary: Promise<OperationSummary>; refreshing?: boolean };

/** Whose summary: the figures of one person depend on which reports the viewer can see (below). */
export type SummaryViewer = { agencyId: string; at?: Date | undefined };

/**
 * Summaries served from a per-process cache while the figures the viewer would get have not
 * changed. The version (one statement of indexed lookups, `summaryVersion`) covers whatever
 * the gateway changes: the operation's stored submissions (count and latest completion), its
 * retractions (`operation_data_version`, counted by `markOperationChanged`), and the disclosure
 * grants the viewer holds on suspects (how many are in force, the latest created and revoked:
 * a grant given, revoked or expired changes which reports the viewer sees). So every process
 * shows such a change on its next read, and the first reader waits for the new figures.
 * Changes made behind the gateway's back (direct SQL) show once the cached figures are older
 * than SUMMARY_MAX_AGE_MS: the read that finds them so still gets them, and starts one
 * computation in the background whose result the next reads get. That backstop ran every 30 s
 * when grants and retractions were not in the version: over an operation of 120,000 records a
 * computation takes about half a second of a PostgreSQL core and, on the embedded database,
 * 3–4 s of the one thread that answers every partner (the isolation bench's stalls, exactly
 * every 30 s). Concurrent callers share one computation. The cache is per operation and
 * viewing agency (visibility is checked before a summary is asked for).
 */
export const SUMMARY_MAX_AGE_MS = 15 * 60_000;
/** One cache per database client, so gateways (and tests) on other databases never share it. */
const summaryCaches = new WeakMap<PrismaClient, Map<string, CachedSummary>>();

/** What the viewer's figures of the operation depend on, as one string (see above). */
async function summaryVersion(prisma: PrismaClient | Tx, operationId: string, viewerId: string, at: Date): Promise<string> {
  const [row] = await prisma.$queryRaw<{ n: number; latest: Date | null; changes: bigint | null; grants: number; granted: Date | null; revoked: Date | null }[]>`
    SELECT s.n, s.latest, d.version AS changes, g.grants, g.granted, g.revoked
      FROM (SELECT count(*)::int AS n, max(completed_at) AS latest
              FROM submission WHERE operation_id = ${operationId}::uuid AND completed_at IS NOT NULL) s
      CROSS JOIN (SELECT (count(*) FILTER (WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${at}::timestamptz)))::int AS grants,
                         max(created_at) AS granted, max(revoked_at) AS revoked
                    FROM record_grant WHERE grantee_id = ${viewerId}::uuid AND suspect_id IS NOT NULL) g
      LEFT JOIN operation_data_version d ON d.operation_id = ${operationId}::uuid`;
  const time = (d: Date | null | undefined) => d?.toISOString() ?? '';
  return [row?.n ?? 0, time(row?.latest), row?.changes ?? 0, row?.grants ?? 0, time(row?.granted), time(row?.revoked)].join('|');
}

/**
 * Counts a change to the operation's records made outside a submission (inside the caller's
 * transaction), so every process's cached summaries of it are recomputed on their next read.
 */
export async function markOperationChanged(tx: Tx, operationId: string, at: Date): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO operation_data_version AS d (operation_id, version, changed_at) VALUES (${operationId}::uuid, 1, ${at}::timestamptz)
    ON CONFLICT (operation_id) DO UPDATE SET version = d.version + 1, changed_at = EXCLUDED.changed_at`;
}

function summaryCacheOf(prisma: PrismaClient): Map<string, CachedSummary> {
  let cache = summaryCaches.get(prisma);
  if (!cache) summaryCaches.set(prisma, (cache = new Map()));
  return cache;
}

/** Starts computing `version`'s figures for one cache key; readers of that version share them. */
function computeInto(cache: Map<string, CachedSummary>, key: string, version: string, now: number, compute: () => Promise<OperationSummary>): Promise<OperationSummary> {
  const summary = compute();
  const entry: CachedSummary = { version, computedAt: now, readAt: now, summary };
  cache.set(key, entry);
  summary.catch(() => {
    if (cache.get(key) === entry) cache.delete(key);
  });
  return summary;
}

export async function cachedOperationSummary(
  prisma: PrismaClient,
  operationId: string,
  viewer: SummaryViewer,
  now = Date.now(),
): Promise<OperationSummary> {
  const version = await summaryVersion(prisma, operationId, viewer.agencyId, viewer.at ?? new Date(now));
  const cache = summaryCacheOf(prisma);
  const key = `${operationId}:${viewer.agencyId}`;
  const cached = cache.get(key);
  if (cached && cached.version === version) {
    cached.readAt = now;
    if (now - cached.computedAt >= SUMMARY_MAX_AGE_MS && !cached.refreshing) refreshInBackground(prisma, cache, key, cached, operationId, viewer);
    return cached.summary;
  }
  return computeInto(cache, key, version, now, () => operationSummary(prisma, operationId, viewer));
}

/** Cached figures nobody read for this long are dropped instead of recomputed for a submission. */
export const SUMMARY_IDLE_MS = 10 * 60_000;

/**
 * Called inside a submission's transaction, just before it commits: computes through `tx`,
 * which already sees the submission's records, the figures this process holds for the
 * operation's recent readers, one after another, and returns what installs them once the
 * commit has succeeded. Readers after the commit find the new figures ready instead of
 * waiting for a computation: a partner's large file otherwise stalled every other partner's
 * next summary read for one whole computation (about 250 ms after a 100,000-record file in
 * the isolation bench, when the figures were recomputed after the commit). The submitter
 * waits for them instead. Other processes see the new version on their next read, as before.
 */
export async function summariesBeforeCommit(prisma: PrismaClient, tx: Tx, operationId: string, now = Date.now()): Promise<() => void> {
  const cache = summaryCaches.get(prisma);
  if (!cache) return () => {};
  const keys = [...cache.keys()].filter((key) => key.startsWith(`${operationId}:`));
  for (const key of keys) if (now - cache.get(key)!.readAt > SUMMARY_IDLE_MS) cache.delete(key);
  const live = keys.filter((key) => cache.has(key));
  if (live.length === 0) return () => {};
  const computed: [key: string, version: string, summary: OperationSummary][] = [];
  for (const key of live) {
    // The version and the figures are taken at the same instant (a grant may end in between).
    const viewer = { agencyId: key.slice(operationId.length + 1), at: new Date(now) };
    computed.push([key, await summaryVersion(tx, operationId, viewer.agencyId, viewer.at), await operationSummary(tx, operationId, viewer)]);
  }
  const computedAt = Date.now();
  return () => {
    for (const [key, version, summary] of computed) {
      // A reader that finds another version (a concurrent submission) computes its own.
      cache.set(key, { version, computedAt, readAt: cache.get(key)?.readAt ?? computedAt, summary: Promise.resolve(summary) });
    }
  };
}

/** Recomputes an aged entry once; readers keep the old figures until the new ones are in. */
function refreshInBackground(
  prisma: PrismaClient,
  cache: Map<string, CachedSummary>,
  key: string,
  aged: CachedSummary,
  operationId: string,
  viewer: SummaryViewer,
): void {
  aged.refreshing = true;
  const startedAt = Date.now();
  operationSummary(prisma, operationId, viewer).then(
    (summary) => {
      // A newer version may have replaced the entry meanwhile: it wins.
      if (cache.get(key) === aged) cache.set(key, { version: aged.version, computedAt: startedAt, readAt: aged.readAt, summary: Promise.resolve(summary) });
    },
    () => {
      aged.refreshing = false; // the next read tries again; the old figures stay meanwhile
    },
  );
}

/**
 * One SQL statement, aggregates only. Dens and funds: every live record of the operation,
 * whatever its level. Persons (docs/security.md, "Operation summaries"), for the viewing
 * agency V, so that the summary is no oracle and no partner silently changes V's figures:
 * - reports are grouped by personKey, except that V's own report whose personKey no other
 *   agency's report VISIBLE to V carries counts as a person of its own: whether it equals a
 *   report V cannot see never shows (else V could test identifiers by submitting probes);
 * - a person's status and trafficking flag come from the reports of it V can see when there
 *   is one (latest statusOn; ties: the more advanced status, PostgreSQL ordering enums by
 *   declaration), else from all its reports: a hidden report never overrides what V sees.
 * With every report visible to V (the usual case within an operation), this is the exact
 * count of distinct persons over all records.
 */
export async function operationSummary(prisma: PrismaClient | Tx, operationId: string, viewer: SummaryViewer): Promise<OperationSummary> {
  const at = viewer.at ?? new Date();
  const rows = await prisma.$queryRaw<OperationSummary[]>`
    WITH dens AS (
      SELECT count(DISTINCT country)::int AS countries,
             count(*)::int AS "scamDens",
             (count(*) FILTER (WHERE status IN ('RAIDED', 'DISMANTLED')))::int AS "densRaided",
             coalesce(sum(devices_seized), 0)::int AS "devicesSeized"
        FROM scam_den WHERE operation_id = ${operationId}::uuid AND retracted_at IS NULL
    ), reports AS (
      SELECT s.person_key, s.owner_id = ${viewer.agencyId}::uuid AS own, s.status, s.status_on, s.trafficking_victim,
             (s.owner_id = ${viewer.agencyId}::uuid OR s.sharing_level <> 'RED' OR EXISTS (
                SELECT 1 FROM record_grant g
                 WHERE g.suspect_id = s.id AND g.grantee_id = ${viewer.agencyId}::uuid AND g.revoked_at IS NULL
                   AND (g.expires_at IS NULL OR g.expires_at > ${at}::timestamptz))) AS visible
        FROM suspect s WHERE s.operation_id = ${operationId}::uuid AND s.retracted_at IS NULL
    ), seen AS (
      SELECT DISTINCT person_key FROM reports WHERE visible AND NOT own
    ), personal AS (
      SELECT CASE WHEN own AND NOT EXISTS (SELECT 1 FROM seen WHERE seen.person_key = r.person_key)
                  THEN 'own:' || r.person_key ELSE r.person_key END COLLATE "C" AS person,
             r.status, r.status_on, r.trafficking_victim, r.visible
        FROM reports r
    ), latest AS (
      -- One sort: a person's visible reports first, so the first row is its latest visible
      -- report when it has one, else its latest report.
      SELECT DISTINCT ON (person) status
        FROM personal ORDER BY person, visible DESC, status_on DESC NULLS LAST, status DESC
    ), persons AS (
      SELECT count(*)::int AS suspects,
             (count(*) FILTER (WHERE status IN ('ARRESTED', 'CHARGED', 'CONVICTED')))::int AS "suspectsArrested",
             (count(*) FILTER (WHERE status = 'SURRENDERED'))::int AS "suspectsSurrendered",
             (count(*) FILTER (WHERE status = 'WANTED'))::int AS "suspectsWanted"
        FROM latest
    ), victims AS (
      SELECT (count(*) FILTER (WHERE CASE WHEN any_visible THEN visible_victim ELSE any_victim END))::int AS "traffickingVictims"
        FROM (SELECT bool_or(visible) AS any_visible,
                     coalesce(bool_or(trafficking_victim) FILTER (WHERE visible), false) AS visible_victim,
                     bool_or(trafficking_victim) AS any_victim
                FROM personal GROUP BY person) p
    ), by_currency AS (
      SELECT currency, count(*) AS records, sum(amount) AS total, sum(amount_usd) AS usd
        FROM intercepted_fund WHERE operation_id = ${operationId}::uuid AND retracted_at IS NULL GROUP BY currency
    ), funds AS (
      SELECT coalesce(sum(records), 0)::int AS "fundRecords", coalesce(sum(usd), 0)::text AS "fundsInterceptedUsd",
             coalesce(json_agg(json_build_object('currency', currency, 'amount', total::text) ORDER BY currency), '[]'::json) AS "fundsByCurrency"
        FROM by_currency
    )
    SELECT * FROM dens, persons, victims, funds`;
  return rows[0]!;
}
