// What submissions need besides the request: the database, the pipeline's keys and limits.
import type { Database } from '../kernel/db.ts';
import type { ReceiptSigner } from './receipts.ts';

export type IngestServices = {
  db: Database;
  pseudonymKey: string;
  signer: ReceiptSigner;
  maxUploadBytes: number;
  /** Isolation between partners (ingest/spool.ts, ingest/admission.ts). */
  uploadIdleMs: number;
  submissionsPerAgency: number;
  spoolDir: string | undefined;
};

/** The IngestInput fields that come from the services' limits. */
export const ingestLimits = (s: IngestServices) => ({
  maxBytes: s.maxUploadBytes,
  idleTimeoutMs: s.uploadIdleMs,
  maxConcurrentPerAgency: s.submissionsPerAgency,
  ...(s.spoolDir ? { spoolDir: s.spoolDir } : {}),
});
