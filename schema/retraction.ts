// Retraction (issue 10 §8): the owner withdraws one of its records. In one transaction the stored
// version goes to record_version (history is kept), the record gets retractedAt and the reason,
// agencies holding a live disclosure grant for it get RECORD_RETRACTED, so do the agencies whose
// watch fired on it (without the record id or the reason: they hold only a hitRef), every
// pending disclosure request on it is closed (DENIED with a fixed reason, the requester told by
// DISCLOSURE_DECIDED), and the audit chain records it. From then on the sharing rules (schema/sharing.ts) hide it from everyone but its
// owner on every read path, and matching (schema/match.ts) never answers with it. Only the owner
// may retract: another agency's record, a missing one and a malformed id are one NOT_FOUND. A
// retraction is final: a later file with the same sourceRef is not written over it
// (ingest/batch/*: the report's RETRACTED_NOT_REVIVED warning).
import { z } from 'zod';
import { appendAuditEvent } from '../kernel/audit.ts';
import { ErrorCode, LiaisonError } from '../kernel/errors.ts';
import type { Viewer } from '../kernel/viewer.ts';
import type { Tx } from '../ingest/batch/types.ts';
import type { RecordKind } from '../prisma/generated/client/enums.ts';
import { Prisma, type PrismaClient } from '../prisma/generated/client/client.ts';
import { markOperationChanged } from './operations.ts';

export const MAX_RETRACTION_REASON = 500;

export type Retraction = { id: string; recordType: RecordKind; sourceRef: string; retractedAt: Date; reason: string };

const TABLE: Record<RecordKind, string> = { SCAM_DEN: 'scam_den', SUSPECT: 'suspect', INTERCEPTED_FUND: 'intercepted_fund' };
const GRANT_COLUMN = { SCAM_DEN: 'scamDenId', SUSPECT: 'suspectId', INTERCEPTED_FUND: 'interceptedFundId' } as const;

const inputSchema = z.object({
  id: z.uuid(),
  reason: z.string().trim().min(1, 'a reason is required').max(MAX_RETRACTION_REASON),
});

const notFound = () => new LiaisonError(ErrorCode.NOT_FOUND, 'No such record.');

/**
 * Raises RECORD_RETRACTED to each of `agencyIds` about one retracted record. Grant holders are
 * told by retractRecord; the watches of issue 10 §7 call this with their watchers' agencies.
 */
export async function raiseRecordRetracted(
  tx: Tx,
  record: { kind: RecordKind; id: string; owner: string; reason: string },
  agencyIds: readonly string[],
  at: Date,
): Promise<number> {
  const recipients = [...new Set(agencyIds)];
  if (recipients.length === 0) return 0;
  await tx.agencyEvent.createMany({
    data: recipients.map((agencyId) => ({
      agencyId,
      type: 'RECORD_RETRACTED',
      payload: { recordType: record.kind, recordId: record.id, owner: record.owner, reason: record.reason, at: at.toISOString() },
      createdAt: at,
    })),
  });
  return recipients.length;
}

/** Retracts the viewer's own record `id` (see the header of this file). */
export async function retractRecord(
  prisma: PrismaClient,
  viewer: Viewer,
  input: { id: string; reason: string },
  services: { now: () => Date },
): Promise<Retraction> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    if (parsed.error.issues.some((i) => i.path[0] === 'id')) throw notFound();
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `Invalid retraction: reason: ${parsed.error.issues[0]!.message}`, {
      issues: [{ field: 'reason', code: 'INVALID', message: parsed.error.issues[0]!.message }],
    });
  }
  const { id, reason } = parsed.data;
  const at = services.now();
  return prisma.$transaction(async (tx) => {
    // The row is locked: two retractions of one record serialize, the second sees the first.
    const record = await lockOwnRecord(tx, viewer, id);
    if (!record) throw notFound();
    const { kind } = record;
    if (record.retractedAt) {
      throw new LiaisonError(ErrorCode.CONFLICT, 'The record is already retracted.', { issues: [{ field: 'id', code: 'ALREADY_RETRACTED' }] });
    }
    const table = Prisma.raw(TABLE[kind]);
    // History: the version before the retraction, as every update keeps it.
    await tx.$executeRaw`
      INSERT INTO record_version (id, kind, record_id, owner_id, submission_id, data, superseded_at)
      SELECT gen_random_uuid(), ${kind}::"RecordKind", x.id, x.owner_id, x.submission_id, to_jsonb(x), ${at}::timestamptz
        FROM ${table} x WHERE x.id = ${id}::uuid`;
    const [retracted] = await tx.$queryRaw<{ operation_id: string | null }[]>`
      UPDATE ${table} SET retracted_at = ${at}::timestamptz, retraction_reason = ${reason}, updated_at = ${at}::timestamptz
       WHERE id = ${id}::uuid RETURNING operation_id::text`;
    // The operation's summaries no longer count the record, in every process, from the next read.
    if (retracted?.operation_id) await markOperationChanged(tx, retracted.operation_id, at);
    const grants = await tx.recordGrant.findMany({
      where: { [GRANT_COLUMN[kind]]: id, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: at } }] },
      select: { granteeId: true },
    });
    const told = await raiseRecordRetracted(tx, { kind, id, owner: viewer.agencyCode, reason }, grants.map((g) => g.granteeId), at);
    const watchersTold = await tellWatchers(tx, { kind, id, owner: viewer.agencyCode }, at);
    const closed = await closePendingDisclosures(tx, { kind, id, owner: viewer.agencyCode }, viewer.subject, at);
    await appendAuditEvent(
      tx,
      {
        agencyCode: viewer.agencyCode,
        subject: viewer.subject,
        action: 'record.retract',
        target: id,
        outcome: 'ok',
        detail: { recordType: kind, grantHoldersTold: told, watchersTold, pendingRequestsClosed: closed },
      },
      at,
    );
    return { id, recordType: kind, sourceRef: record.sourceRef, retractedAt: at, reason };
  });
}

/** The reason a pending disclosure request on a retracted record is closed with (DENIED). */
export const RETRACTED_REQUEST_REASON = 'Closed without a decision: the owner retracted the record.';

/**
 * Watchers of the record: agencies whose watch fired on it (a WATCH_HIT: a hit of theirs on the
 * record made at or after the watch's creation, while it was live, on one of the watch's
 * selectors). Each gets one RECORD_RETRACTED naming its watches, the record type and the owner:
 * never the record id nor the owner's reason, which a watcher without a grant was never shown.
 * Returns how many agencies were told.
 */
async function tellWatchers(tx: Tx, record: { kind: RecordKind; id: string; owner: string }, at: Date): Promise<number> {
  const selectorsOf =
    record.kind === 'SUSPECT'
      ? Prisma.sql`SELECT sel.type::text AS type, sel.hash FROM selector sel WHERE sel.suspect_id = ${record.id}::uuid`
      : record.kind === 'INTERCEPTED_FUND'
        ? Prisma.sql`SELECT t.type, f.account_key AS hash FROM intercepted_fund f CROSS JOIN (VALUES ('BANK_ACCOUNT'), ('CRYPTO_WALLET')) AS t(type)
                      WHERE f.id = ${record.id}::uuid AND f.account_key IS NOT NULL`
        : null;
  if (!selectorsOf) return 0; // Dens carry no selector: no watch can fire on one.
  const rows = await tx.$queryRaw<{ agency_id: string; watch_ids: string[] }[]>`
    SELECT w.agency_id, array_agg(DISTINCT w.id::text ORDER BY w.id::text) AS watch_ids
      FROM (${selectorsOf}) rs
      JOIN watch_selector ws ON ws.hash = rs.hash AND ws.type::text = rs.type
      JOIN watch w ON w.id = ws.watch_id
     WHERE EXISTS (
             SELECT 1 FROM match_hit h
              WHERE h.kind = ${record.kind}::"RecordKind" AND h.record_id = ${record.id}::uuid AND h.requester_id = w.agency_id
                AND h.created_at >= w.created_at AND h.created_at < w.until
                AND (w.cancelled_at IS NULL OR h.created_at <= w.cancelled_at))
     GROUP BY w.agency_id`;
  if (rows.length === 0) return 0;
  await tx.agencyEvent.createMany({
    data: rows.map((r) => ({
      agencyId: r.agency_id,
      type: 'RECORD_RETRACTED',
      payload: { recordType: record.kind, owner: record.owner, watchIds: r.watch_ids, at: at.toISOString() },
      createdAt: at,
    })),
  });
  return rows.length;
}

/**
 * Closes every pending (or overdue) disclosure request on the record: DENIED with
 * RETRACTED_REQUEST_REASON, decided by the retracting officer, and DISCLOSURE_DECIDED to each
 * requester, so that no request waits on a record that can no longer be disclosed. Returns the
 * number closed.
 */
async function closePendingDisclosures(tx: Tx, record: { kind: RecordKind; id: string; owner: string }, subject: string, at: Date): Promise<number> {
  const closed = await tx.$queryRaw<{ id: string; requester_id: string }[]>`
    UPDATE disclosure_request
       SET status = 'DENIED'::"DisclosureState", decided_at = ${at}::timestamptz, decided_by = ${subject}, decision_reason = ${RETRACTED_REQUEST_REASON}
     WHERE kind = ${record.kind}::"RecordKind" AND record_id = ${record.id}::uuid AND status = 'PENDING'::"DisclosureState"
    RETURNING id, requester_id`;
  if (closed.length === 0) return 0;
  await tx.agencyEvent.createMany({
    data: closed.map((r) => ({
      agencyId: r.requester_id,
      type: 'DISCLOSURE_DECIDED',
      payload: {
        requestId: r.id,
        decision: 'DENY',
        reason: RETRACTED_REQUEST_REASON,
        recordType: record.kind,
        retracted: true,
        decidedBy: record.owner,
        at: at.toISOString(),
      },
      createdAt: at,
    })),
  });
  return closed.length;
}

/** Locks the viewer's own record `id` (whichever its type) FOR UPDATE; null when the viewer owns no such record. */
async function lockOwnRecord(tx: Tx, viewer: Viewer, id: string): Promise<{ kind: RecordKind; sourceRef: string; retractedAt: Date | null } | null> {
  for (const kind of Object.keys(TABLE) as RecordKind[]) {
    const [row] = await tx.$queryRaw<{ source_ref: string; retracted_at: Date | null }[]>`
      SELECT source_ref, retracted_at FROM ${Prisma.raw(TABLE[kind])}
       WHERE id = ${id}::uuid AND owner_id = ${viewer.agencyId}::uuid FOR UPDATE`;
    if (row) return { kind, sourceRef: row.source_ref, retractedAt: row.retracted_at };
  }
  return null;
}
