// What a request carries through the gateway: the database client, the authenticated
// viewer (or null before authentication), and services shared by GraphQL and REST.
import type { PrismaClient } from '../prisma/generated/client/client.ts';
import type { ReceiptSigner } from '../ingest/receipts.ts';
import type { AuditEventInput } from './audit.ts';
import type { Viewer } from './auth/verify-token.ts';
import type { Database } from './db.ts';
import type { Logger } from './logger.ts';

export type { Scope } from './auth/scopes.ts';
export type { Viewer } from './auth/verify-token.ts';

/** What submissions need besides the request: the pipeline's keys and limits. */
export type IngestServices = {
  db: Database;
  pseudonymKey: string;
  signer: ReceiptSigner;
  maxUploadBytes: number;
};

export type RequestContext = {
  prisma: PrismaClient;
  viewer: Viewer | null;
  requestId: string;
  log: Logger;
  now: () => Date;
  /** Facts for the access log line, written on the Node request (see api/app.ts). */
  notes: RawRequestNotes;
  ingest: IngestServices | undefined;
};

export type RawRequestNotes = { liaisonViewer?: Viewer; liaisonOperationName?: string };

export type { TokenVerifier } from './auth/verify-token.ts';

/** Where authenticated calls are recorded (api/audit.ts, or a stand-in in tests). */
export type AuditSink = { append(event: AuditEventInput): Promise<void> };
