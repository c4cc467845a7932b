// Governed linkage, watches (issue 10 §7): a match that keeps listening. An agency gives the
// identifiers of a case, a purpose and an end (`until`, at most 90 days ahead, 30 by
// default); the gateway keeps their selectors — the same keyed hashes `match` computes, never
// a value — and when a later submission of ANOTHER agency stores a record carrying one of
// them, the watcher gets WATCH_HIT with a hitRef and the record's owner MATCH_HIT
// (ingest/linkage.ts fires them). The watcher's own submissions never fire its watches: it
// knows its own records. Governed like a match: the identifiers count against the daily
// match quota when the watch is created, the audit chain holds the purpose, case ref, count
// and selector hashes. Only the watching agency lists or cancels a watch; to any other it
// does not exist (NOT_FOUND, as a missing id). Cancelled and expired watches never fire.
import { appendAuditEvent } from '../kernel/audit.ts';
import { ErrorCode, LiaisonError } from '../kernel/errors.ts';
import type { Viewer } from '../kernel/viewer.ts';
import { chargeMatchQuota } from '../ingest/linkage.ts';
import type { PrismaClient } from '../prisma/generated/client/client.ts';
import type { SelectorType } from '../prisma/generated/client/enums.ts';
import { matchProbes, type MatchRequest } from './match.ts';

export const DEFAULT_WATCH_DAYS = 30;
export const MAX_WATCH_DAYS = 90;
const DAY_MS = 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const WATCH_STATUSES = ['ACTIVE', 'EXPIRED', 'CANCELLED'] as const;
export type WatchStatus = (typeof WATCH_STATUSES)[number];

export type WatchRequest = MatchRequest & { until?: Date | null | undefined };
export type WatchServices = { pseudonymKey: string; now: () => Date; defaultQuotaPerDay?: number };

export type WatchRow = {
  id: string;
  purpose: string;
  caseRef: string | null;
  identifiers: number;
  createdAt: Date;
  until: Date;
  cancelledAt: Date | null;
};

export const watchStatus = (w: Pick<WatchRow, 'until' | 'cancelledAt'>, at: Date): WatchStatus =>
  w.cancelledAt ? 'CANCELLED' : w.until.getTime() <= at.getTime() ? 'EXPIRED' : 'ACTIVE';

const WATCH_SELECT = { id: true, purpose: true, caseRef: true, identifiers: true, createdAt: true, until: true, cancelledAt: true } as const;

function untilOf(requested: Date | null | undefined, at: Date): Date {
  if (requested === null || requested === undefined) return new Date(at.getTime() + DEFAULT_WATCH_DAYS * DAY_MS);
  const refuse = (message: string) =>
    new LiaisonError(ErrorCode.BAD_USER_INPUT, `until: ${message}`, { issues: [{ field: 'until', code: 'OUT_OF_RANGE', message }] });
  if (Number.isNaN(requested.getTime()) || requested.getTime() <= at.getTime()) throw refuse('a time in the future');
  if (requested.getTime() > at.getTime() + MAX_WATCH_DAYS * DAY_MS) throw refuse(`at most ${MAX_WATCH_DAYS} days ahead`);
  return requested;
}

/** Creates a watch for the viewer's agency (see the header of this file). */
export async function createWatch(prisma: PrismaClient, viewer: Viewer, request: WatchRequest, services: WatchServices): Promise<WatchRow> {
  const { checked, probes } = matchProbes(request, services.pseudonymKey);
  const at = services.now();
  const until = untilOf(request.until, at);
  const selectors = [...new Map(probes.map((p) => [`${p.type}:${p.hash}`, { type: p.type as SelectorType, hash: p.hash }])).values()];
  return prisma.$transaction(async (tx) => {
    await chargeMatchQuota(tx, viewer.agencyId, probes.length, at, services.defaultQuotaPerDay);
    const watch = await tx.watch.create({
      data: {
        agencyId: viewer.agencyId,
        subject: viewer.subject,
        purpose: checked.purpose,
        caseRef: checked.caseRef ?? null,
        identifiers: probes.length,
        createdAt: at,
        until,
        selectors: { createMany: { data: selectors } },
      },
      select: WATCH_SELECT,
    });
    await appendAuditEvent(
      tx,
      {
        agencyCode: viewer.agencyCode,
        subject: viewer.subject,
        action: 'watch.create',
        target: watch.id,
        outcome: 'ok',
        detail: {
          purpose: checked.purpose,
          ...(checked.caseRef ? { caseRef: checked.caseRef } : {}),
          count: probes.length,
          until: until.toISOString(),
          selectors: selectors.map((s) => `${s.type}:${s.hash}`),
        },
      },
      at,
    );
    return watch;
  });
}

const noSuchWatch = () => new LiaisonError(ErrorCode.NOT_FOUND, 'No such watch.');

/** The viewer's own watch, or NOT_FOUND (another agency's and a missing one alike). */
export async function findWatch(prisma: PrismaClient, viewer: Viewer, id: string): Promise<WatchRow> {
  const watch = UUID.test(id) ? await prisma.watch.findFirst({ where: { id, agencyId: viewer.agencyId }, select: WATCH_SELECT }) : null;
  if (!watch) throw noSuchWatch();
  return watch;
}

/** The viewer's agency's watches under a page's window, ordered by id (the other lists' paging). */
export const ownWatchesWhere = (viewer: Viewer) => ({ agencyId: viewer.agencyId });
export const WATCH_VIEW_SELECT = WATCH_SELECT;

/** Cancels one of the viewer's agency's watches: it never fires again. Cancelling twice changes nothing. */
export async function cancelWatch(prisma: PrismaClient, viewer: Viewer, id: string, at: Date): Promise<WatchRow> {
  const watch = await findWatch(prisma, viewer, id);
  if (watch.cancelledAt) return watch;
  return prisma.$transaction(async (tx) => {
    const cancelled = await tx.watch.update({ where: { id: watch.id }, data: { cancelledAt: at }, select: WATCH_SELECT });
    await appendAuditEvent(tx, { agencyCode: viewer.agencyCode, subject: viewer.subject, action: 'watch.cancel', target: watch.id, outcome: 'ok' }, at);
    return cancelled;
  });
}
