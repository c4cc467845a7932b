// What a request carries through the gateway: the database client, the authenticated
// viewer (or null before authentication), and services shared by GraphQL and REST.
import type { PrismaClient } from '../prisma/generated/client/client.ts';
import type { IngestServices } from '../ingest/services.ts';
import type { Viewer } from '../kernel/viewer.ts';
import type { Logger } from '../kernel/logger.ts';

export type { Scope } from '../kernel/scopes.ts';
export type { Viewer } from '../kernel/viewer.ts';
export type { IngestServices } from '../ingest/services.ts';

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
