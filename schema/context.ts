// What a request carries through the gateway: the database client, the authenticated
// viewer (or null before authentication), and services shared by GraphQL and REST.
import type { KeyObject } from 'node:crypto';
import type { PrismaClient } from '../prisma/generated/client/client.ts';
import type { PlainStatements } from '../kernel/db.ts';
import type { IngestServices } from '../ingest/services.ts';
import type { Viewer } from '../kernel/viewer.ts';
import type { Logger } from '../kernel/logger.ts';
import type { EventFeed } from './events.ts';

export type { Scope } from '../kernel/scopes.ts';
export type { Viewer } from '../kernel/viewer.ts';
export type { IngestServices } from '../ingest/services.ts';

export type RequestContext = {
  prisma: PrismaClient;
  /** Where compiled reads and matches send their statements (kernel/db.ts, outside Prisma's runtime); `prisma` when absent. */
  statements?: PlainStatements | undefined;
  viewer: Viewer | null;
  requestId: string;
  log: Logger;
  now: () => Date;
  /** The request's edge context, where `viewer` came from; the operation name is noted here. */
  edge: EdgeContext;
  ingest: IngestServices | undefined;
  /** The live event feed of the subscription `events`; undefined where nothing streams. */
  events?: EventFeed | undefined;
  /** Seals and opens paging cursors (schema/cursor.ts): the same in every process of a deployment. */
  cursorKey: KeyObject;
  /** Hours an owner has to decide a disclosure request (LIAISON_DISCLOSURE_DUE_HOURS; 48 when absent). */
  disclosureDueHours?: number;
  /** Record reads answered by one compiled SQL statement per root field (schema/compiled/); false: the Prisma path. */
  compiledReads?: boolean;
};

/**
 * The one per-request object of the HTTP edge (the Fastify request holds it, Yoga receives it
 * as its server context): authentication writes the viewer here once, and the GraphQL
 * context, the plugins, the REST handlers and the access log read it from here.
 */
export type EdgeContext = {
  viewer: Viewer | null;
  operationName?: string;
  /** The gateway's own id of the request (a UUID): in the access log, the audit log and the `x-request-id` answer. */
  requestId: string;
  /** The caller's `x-request-id`, printable ASCII cut to 128 characters: logged for correlation, never trusted as an id. */
  clientRequestId?: string;
  /** The caller's address as the socket reports it: the key of the limit on failed authentication. */
  clientIp?: string;
  /** Where the caller stands in each rate limit this request counted in (api/limits/): sent as RateLimit headers. */
  rateLimits?: RateLimitState[];
  /** Slots the request holds (api/limits/), given back at the latest when its connection closes. */
  releases?: (() => void)[];
  /** Ends the request's count as foreground work (kernel/foreground.ts); absent for uploads and streams. */
  leaveForeground?: () => void;
};

/** One rate limit as the IETF RateLimit headers describe it: quota per window, what is left, seconds to reset. */
export type RateLimitState = { policy: string; quota: number; windowSeconds: number; remaining: number; resetSeconds: number };
