// An agency's inbox: the events the gateway raised for it (owner notifications, disclosure
// steps, watch hits…), as stored in the outbox table agency_event by whoever raised them.
// One reader serves every way out — the GraphQL `events` query and subscription, GET
// /v1/events and the webhook deliverer — so all of them see the same rows in the same order:
// - only the viewer's own agency's events, only the types this gateway documents;
// - by ascending id, after a cursor (the id of the last event the caller has);
// - only ids up to agency_event_listable_up_to() (migration 20261206220000_agency_event_hold),
//   asked in a statement of its own before the one that lists: a transaction that got a
//   lower id but commits later would otherwise be passed by a cursor and never delivered.
//   Only transactions that insert events hold ids back, and only above their own; a long
//   transaction of any other kind, in this database or another, holds back nothing;
// - payloads without selector hashes or other hash-shaped values (defence in depth: inserters
//   never put identifiers in events, and this makes sure none gets out).
import { ErrorCode, LiaisonError } from '../kernel/errors.ts';
import type { Scope } from '../kernel/scopes.ts';
import type { Viewer } from '../kernel/viewer.ts';
import type { PrismaClient } from '../prisma/generated/client/client.ts';

export const EVENT_TYPES = [
  'MATCH_HIT',
  'LINKED_BY_SUBMISSION',
  'DISCLOSURE_REQUESTED',
  'DISCLOSURE_DECIDED',
  'DISCLOSURE_OVERDUE',
  'WATCH_HIT',
  'RECORD_RETRACTED',
  'PARTICIPANT_JOINED',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Either scope opens the inbox: it is the agency's own mail about its own records (an owner
 * needs records:read to act on a MATCH_HIT) and its own requests (a requester needs
 * match:query to act on a WATCH_HIT or a disclosure decision); no event shows another agency's
 * record.
 */
export const EVENT_SCOPES: readonly Scope[] = ['records:read', 'match:query'];
export const mayReadEvents = (viewer: Viewer) => viewer.scopes.some((s) => EVENT_SCOPES.includes(s));

export const DEFAULT_EVENTS_PAGE = 20;
export const MAX_EVENTS_PAGE = 100;

/** An event as every delivery path shows it. `id` is also the cursor. */
export type AgencyEventView = {
  id: string;
  type: EventType;
  occurredAt: Date;
  payload: Record<string, unknown>;
};

/**
 * What the HTTP edge provides for the subscription: live events of the viewer's agency,
 * starting after `after` (or from now: the moment the promise settles, before the response
 * starts), until the token expires or the caller leaves.
 */
export type EventFeed = {
  subscribe(viewer: Viewer, after: bigint | undefined): Promise<AsyncIterable<AgencyEventView>>;
};

const CURSOR = /^(0|[1-9]\d{0,18})$/;

/** A cursor as given by a caller (`after`): an event id; anything else is a named input error. */
export function parseEventCursor(text: string | null | undefined, field = 'after'): bigint | undefined {
  if (text === null || text === undefined || text === '') return undefined;
  if (!CURSOR.test(text) || BigInt(text) > 9_223_372_036_854_775_807n) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `${field}: an event id (the id of the last event you have), e.g. "42"`, {
      issues: [{ field, code: 'INVALID_CURSOR', message: 'an event id: digits only' }],
    });
  }
  return BigInt(text);
}

/** A page size as given by a caller: 1..100, default 20. */
export function eventPageSize(first: number | null | undefined, field = 'first'): number {
  if (first === null || first === undefined) return DEFAULT_EVENTS_PAGE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_EVENTS_PAGE) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `${field}: between 1 and ${MAX_EVENTS_PAGE}`, {
      issues: [{ field, code: 'INVALID_PAGE_SIZE', message: `between 1 and ${MAX_EVENTS_PAGE}` }],
    });
  }
  return first;
}

const HASH_SHAPED = /^[0-9a-f]{40,}$/i;
const HASH_KEYS = /hash|selector/i;

/** The payload without anything hash-shaped (see the header of this file). */
export function publicPayload(payload: unknown): Record<string, unknown> {
  const clean = (value: unknown): unknown => {
    if (typeof value === 'string') return HASH_SHAPED.test(value) ? undefined : value;
    if (Array.isArray(value)) return value.map(clean).filter((v) => v !== undefined);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([key]) => !HASH_KEYS.test(key))
          .map(([key, v]) => [key, clean(v)] as const)
          .filter(([, v]) => v !== undefined),
      );
    }
    return value;
  };
  const cleaned = clean(payload);
  return cleaned !== null && typeof cleaned === 'object' && !Array.isArray(cleaned) ? (cleaned as Record<string, unknown>) : {};
}

type EventRow = { id: bigint; type: string; payload: unknown; created_at: Date };

export const eventView = (row: EventRow): AgencyEventView => ({
  id: row.id.toString(),
  type: row.type as EventType,
  occurredAt: row.created_at,
  payload: publicPayload(row.payload),
});

/**
 * The highest event id a reader may list now (see the header of this file). Ask it in a
 * statement before the one that lists, never in the same: a transaction seen ending here must
 * have its rows in the listing statement's snapshot.
 */
async function listableUpTo(prisma: PrismaClient): Promise<bigint> {
  const rows = await prisma.$queryRaw<{ up_to: bigint | null }[]>`SELECT agency_event_listable_up_to() AS up_to`;
  return rows[0]?.up_to ?? 0n;
}

/** The agency's events after `after` and up to `upTo`, oldest first, at most `limit`. */
async function eventsUpTo(prisma: PrismaClient, agencyId: string, after: bigint, upTo: bigint, limit: number): Promise<AgencyEventView[]> {
  const rows = await prisma.$queryRaw<EventRow[]>`
    SELECT id, type, payload, created_at FROM agency_event
     WHERE agency_id = ${agencyId}::uuid AND id > ${after} AND id <= ${upTo}
       AND type = ANY(${[...EVENT_TYPES]}::text[])
     ORDER BY id
     LIMIT ${limit}`;
  return rows.map(eventView);
}

/** Whether the agency has committed events after `after` that `upTo` holds back. */
async function heldAbove(prisma: PrismaClient, agencyId: string, after: bigint, upTo: bigint): Promise<boolean> {
  const rows = await prisma.$queryRaw<{ held: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM agency_event
       WHERE agency_id = ${agencyId}::uuid AND id > ${after > upTo ? after : upTo}
         AND type = ANY(${[...EVENT_TYPES]}::text[])) AS held`;
  return rows[0]?.held ?? false;
}

/** The agency's events after `after`, oldest first, at most `limit` (see the header of this file). */
export async function listAgencyEvents(prisma: PrismaClient, agencyId: string, after: bigint | undefined, limit: number): Promise<AgencyEventView[]> {
  return eventsUpTo(prisma, agencyId, after ?? 0n, await listableUpTo(prisma), limit);
}

/** How many events the agency has, counted as listAgencyEvents lists them. */
export async function countAgencyEvents(prisma: PrismaClient, agencyId: string): Promise<number> {
  const upTo = await listableUpTo(prisma);
  const rows = await prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM agency_event
     WHERE agency_id = ${agencyId}::uuid AND id <= ${upTo}
       AND type = ANY(${[...EVENT_TYPES]}::text[])`;
  return rows[0]?.n ?? 0;
}

/**
 * A page of the live feed: the agency's events after `after`, as listAgencyEvents lists them,
 * and, when the page is not full, whether committed events beyond it are held back by a
 * transaction inserting events that still runs (the feed then looks again shortly). One
 * reading of how far it may list serves both: an event it holds back that is listable by the
 * time of the second statement only makes the feed look again.
 */
export async function agencyEventsPage(prisma: PrismaClient, agencyId: string, after: bigint, limit: number): Promise<{ events: AgencyEventView[]; held: boolean }> {
  const upTo = await listableUpTo(prisma);
  const events = await eventsUpTo(prisma, agencyId, after, upTo, limit);
  const last = events.at(-1);
  const held = events.length < limit && (await heldAbove(prisma, agencyId, last ? BigInt(last.id) : after, upTo));
  return { events, held };
}

/** The newest event id of the agency (0 when none): where a subscription without `after` starts. */
export async function latestEventId(prisma: PrismaClient, agencyId: string): Promise<bigint> {
  const rows = await prisma.$queryRaw<{ id: bigint | null }[]>`SELECT max(id) AS id FROM agency_event WHERE agency_id = ${agencyId}::uuid`;
  return rows[0]?.id ?? 0n;
}
