// Child process of crash.test.ts (REL-01): ingests a large generated es-pn-csv file into the
// PostgreSQL database named by CRASH_DATABASE_URL, logging a debug line after every batch to
// stdout, so that the parent can SIGKILL it in the middle. Prints one `{"result": …}` line
// when it finishes (the parent's retry runs it to the end).
import { openDatabase } from '../../kernel/db.ts';
import { createLogger } from '../../kernel/logger.ts';
import { ingestSubmission } from '../../ingest/pipeline.ts';
import { createReceiptSigner } from '../../ingest/receipts.ts';
import { bigEsPnCsv, chunked, NOW, OPERATION, PSEUDONYM_KEY } from './support.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const db = await openDatabase({ databaseUrl: env('CRASH_DATABASE_URL'), poolSize: 2 });
const signer = await createReceiptSigner(db.prisma, PSEUDONYM_KEY, () => NOW);
const file = new TextEncoder().encode(bigEsPnCsv(Number(env('CRASH_RECORDS')), 'CRASH'));
const result = await ingestSubmission({
  db,
  pseudonymKey: PSEUDONYM_KEY,
  agency: { id: env('CRASH_AGENCY_ID'), code: env('CRASH_AGENCY_CODE') },
  subject: 'crash-child',
  format: 'es-pn-csv',
  operationCode: OPERATION,
  mode: 'ATOMIC',
  dryRun: false,
  idempotencyKey: env('CRASH_KEY'),
  body: chunked(file, 16 * 1024),
  maxBytes: 50 * 1024 * 1024,
  now: () => NOW,
  signer,
  log: createLogger({ level: 'debug', pretty: false, destination: process.stdout }),
  batchSize: Number(env('CRASH_BATCH')),
});
process.stdout.write(`${JSON.stringify({ result: { status: result.status, id: result.report.id, counts: result.report.counts } })}\n`);
await db.close();
