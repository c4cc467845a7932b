// What submissions need besides the request: the database, the pipeline's keys and limits.
import type { Database } from '../kernel/db.ts';
import type { ReceiptSigner } from './receipts.ts';

export type IngestServices = {
  db: Database;
  pseudonymKey: string;
  signer: ReceiptSigner;
  maxUploadBytes: number;
};
