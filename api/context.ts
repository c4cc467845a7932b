// What a request carries through the gateway: the database client, the authenticated
// viewer (or null before authentication), and services shared by GraphQL and REST.
import type { PrismaClient } from '../prisma/generated/client/client.ts';
import type { Logger } from './logger.ts';

export type Scope = 'records:read' | 'records:submit' | 'match:query' | 'operations:manage' | 'admin';

/** The agency and officer behind a verified token (DESIGN.md, "Partner access"). */
export type Viewer = {
  agencyId: string;
  agencyCode: string;
  agencyName: string;
  subject: string;
  scopes: Scope[];
  jti: string;
  expiresAt: Date;
};

export type RequestContext = {
  prisma: PrismaClient;
  viewer: Viewer | null;
  requestId: string;
  log: Logger;
  now: () => Date;
  /** Facts for the access log line, written on the Node request (see api/app.ts). */
  notes: RawRequestNotes;
};

export type RawRequestNotes = { liaisonViewer?: Viewer; liaisonOperationName?: string };

/** Credentials as a request presents them; the verifier decides what is acceptable. */
export type PresentedCredentials = { authorization?: string; queryToken?: string; bodyToken?: string };

export type TokenVerifier = { verify(credentials: PresentedCredentials): Promise<Viewer> };

export type AuditInput = {
  agencyCode?: string;
  subject?: string;
  action: string;
  target?: string;
  outcome: 'ok' | 'denied' | 'error';
  /** Ids, counts and codes only: never record contents or identifiers. */
  detail?: Record<string, unknown>;
};

export type AuditSink = { append(event: AuditInput): Promise<void> };
