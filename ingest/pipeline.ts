// The ingest pipeline: adapter → pseudonymize → validate → batch writers → governed linkage
// (ingest/linkage.ts) → signed report, all in ONE database transaction, so that a crash at any
// point leaves all or nothing (REL-01).
// The file is received whole into the upload spool (ingest/spool.ts) first: the transaction
// never waits for a partner's upload. Parsing, mapping and pseudonymization run in an ingest
// worker thread (ingest/parse-pool.ts, ingest/prepare.ts), not on the thread that answers
// requests; a record identical to the one that wrote its stored row (keyed digest,
// ingest/record-digest.ts) is counted unchanged there without being pseudonymized or written.
//
//   201  stored and ACCEPTED (PARTIAL too when some records were rejected);
//   422  REJECTED: ATOMIC with an invalid record, or a file error in any mode. The records are
//        rolled back (savepoint) but the REJECTED report is stored as a submission row, so GET
//        finds it and a retry with the same Idempotency-Key replays it (422, replayed);
//   200  replay: same Idempotency-Key and same request (content hash, format, operation, mode),
//        or the identical content already ACCEPTED for this agency, format, operation and mode:
//        the first report, nothing new stored;
//   dry run: everything runs (den references, history, unchanged counting) in a transaction
//        that is rolled back; nothing is stored, not even the submission row; the signed
//        report has a fresh id (201, or 422 when it would be rejected). A dry run neither
//        consults nor records the Idempotency-Key.
// Thrown LiaisonErrors: UNSUPPORTED_FORMAT, NOT_FOUND (unknown operation or the agency is not a
// participant: one answer for both), PAYLOAD_TOO_LARGE, CONFLICT (same key in progress),
// BAD_USER_INPUT 400 (malformed key) or 422 IDEMPOTENCY_KEY_REUSED.
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { getAdapter } from '../adapters/index.ts';
import type { Database } from '../kernel/db.ts';
import { ErrorCode, LiaisonError } from '../kernel/errors.ts';
import { findNamedOperation } from '../kernel/operation-code.ts';
import type { Logger } from '../kernel/logger.ts';
import { countSubmission } from '../kernel/metrics.ts';
import type { PrismaClient } from '../prisma/generated/client/client.ts';
import { statementRunner, type Tx } from './batch/types.ts';
import { admitSubmission, DEFAULT_CONCURRENT_SUBMISSIONS } from './admission.ts';
import {
  checkIdempotencyKey,
  claimKeyWhileUploading,
  findByIdempotencyKey,
  findIdenticalAccepted,
  lockIdempotencyKey,
  replayOrRefuse,
  type RequestFingerprint,
} from './idempotency.ts';
import { reportOfReceipt, type ReceiptSigner, type UnsignedReport } from './receipts.ts';
import { FILE_FIELD, ReportBuilder, type SubmissionMode, type SubmissionReport } from './report.ts';
import { defaultsText, type SubmissionDefaults } from './defaults.ts';
import { linkSubmission } from './linkage.ts';
import { foregroundActive, paceBehindForeground } from '../kernel/foreground.ts';
import { sharedParsePool, type ParsePool, type WorkerLease } from './parse-pool.ts';
import { spoolBody, type Spool } from './spool.ts';
import { findUnchanged } from './unchanged.ts';
import { DEFAULT_BATCH_SIZE, FOREGROUND_BATCH_SIZE, RecordWriter } from './writer.ts';

export type { ReportIssue, SubmissionMode, SubmissionReport } from './report.ts';

export type IngestInput = {
  db: Database;
  pseudonymKey: string;
  agency: { id: string; code: string };
  subject: string;
  format: string;
  operationCode: string;
  mode: SubmissionMode;
  dryRun: boolean;
  idempotencyKey?: string;
  /** The longest wait per batch for foreground requests (kernel/foreground.ts); 0 never waits nor rests. Default: 50 ms on PostgreSQL, 0 on the embedded database. */
  yieldToForegroundMs?: number;
  /** The file, streamed into the upload spool (ingest/spool.ts); never buffered whole in memory. */
  body: AsyncIterable<Uint8Array>;
  /** Over this many bytes while streaming → PAYLOAD_TOO_LARGE, nothing stored. */
  maxBytes: number;
  /** An upload that sends nothing for this long is abandoned with 408 (default 30 s). */
  idleTimeoutMs?: number;
  /** Submissions of one agency in progress at once; more → 429 (default 2). */
  maxConcurrentPerAgency?: number;
  /** Where uploads are spooled, encrypted, while they arrive (default: the OS temp directory). */
  spoolDir?: string;
  now: () => Date;
  signer: ReceiptSigner;
  log: Logger;
  /** Records per prepared batch and batch statement (tests use small batches). */
  batchSize?: number;
  /** Handling and evaluation for records that carry none (`?handling=H2&evaluation=B2`). */
  defaults?: SubmissionDefaults;
  /** The gateway's default daily match quota, charged for what a submission links to. */
  matchQuotaPerDay?: number;
  /** Where the file is parsed and pseudonymized (default: the process's pool, ingest/parse-pool.ts). */
  parsePool?: ParsePool;
  /**
   * Runs in the transaction of a stored submission (not a dry run, not a replay), just before
   * it commits, with the operation it changed; what it returns runs once the commit succeeded
   * (the edge prepares the operation's summaries this way, schema/operations.ts).
   */
  beforeCommit?: (tx: Tx, operationId: string) => Promise<() => void>;
};

export type IngestResult = {
  status: 201 | 200 | 422;
  report: SubmissionReport;
  replayed: boolean;
};

/** At most this many records in one submission (more is a TOO_LARGE file error). */
export const MAX_RECORDS = 100_000;
/** The file is spooled first, so the transaction only covers parsing and writing. */
const TRANSACTION_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
const TRANSACTION_MAX_WAIT_MS = 60_000;
const STATEMENT_TIMEOUT_MS = 120_000;
const SAVEPOINT = 'liaison_records';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ends the transaction with a rollback while still answering (dry run, content replay). */
class RollBack extends Error {
  constructor(readonly result: IngestResult) {
    super('rollback');
  }
}

const notFound = () => new LiaisonError(ErrorCode.NOT_FOUND, 'No such operation for this agency.');

/**
 * The operation's id and code (CODE or LEAD/CODE) when the agency joined it; the same miss
 * otherwise, invited or not.
 */
async function participantOperation(prisma: PrismaClient, agencyId: string, ref: string): Promise<{ id: string; code: string }> {
  const within = { participants: { some: { agencyId, joinedAt: { not: null } } } };
  const operation = await findNamedOperation(prisma, ref, within, 'operationCode');
  if (!operation) throw notFound();
  return { id: operation.id, code: operation.code };
}

type Session = {
  input: IngestInput;
  id: string;
  key: string | null;
  /** False for a dry run, which neither consults nor records the key. */
  idempotent: boolean;
  operation: { id: string; code: string };
  receivedAt: Date;
  /** The whole file, received (size limit and hash included) before the session began. */
  spool: Spool;
  /** The ingest worker that parses and pseudonymizes the file (ingest/parse-pool.ts). */
  worker: WorkerLease;
  report: ReportBuilder;
  /** What input.beforeCommit returned, to run after the commit. */
  afterCommit?: () => void;
};

const fingerprintOf = (s: Session, contentSha256: string): RequestFingerprint => ({
  contentSha256,
  format: s.input.format,
  operationId: s.operation.id,
  mode: s.input.mode,
  defaults: defaultsText(s.input.defaults),
});

/** ATOMIC stops writing at the first invalid record (it will be rolled back) but keeps reading, so the report lists every problem. */
const writing = (s: Session): boolean => !(s.input.mode === 'ATOMIC' && s.report.hasRecordErrors);

/** The longest an ingestion waits, per batch, for foreground requests in flight to end (after its rest, kernel/foreground.ts). */
export const YIELD_TO_FOREGROUND_MS = 50;

/** Shorter batches while other partners are active. */
const batchSizeNow = () => (foregroundActive() ? FOREGROUND_BATCH_SIZE : DEFAULT_BATCH_SIZE);

/**
 * Whether the ingestion paces itself behind other partners (kernel/foreground.ts): on
 * PostgreSQL. On the embedded database its transaction holds the one connection from start to
 * end, so every other query waits for the whole of it whatever it does: resting or shrinking
 * its batches there only made the wait longer (the isolation bench's big upload: 44 s -> 122 s,
 * A's answers with it). A caller's explicit bound is kept on either.
 */
const pacedOn = (db: Database) => db.kind === 'postgres';

/**
 * Reads the file's prepared batches from the ingest worker (ingest/prepare.ts: parsed,
 * digested, pseudonymized, checked, and the rows already in the batch statements' input form):
 * issues into the report, records counted, the rows handed to the writer. Unchanged records are
 * looked up outside the transaction on PostgreSQL (the writer pool, without Prisma; the
 * transaction's connection is busy writing the previous batch) and in it on the embedded
 * database (one connection).
 */
async function readItems(tx: Tx, s: Session, writer: RecordWriter): Promise<void> {
  const { input, report } = s;
  const context = { agencyCode: input.agency.code, operationCode: s.operation.code, today: isoDate(s.receivedAt) };
  const lookupDb = input.db.kind === 'postgres' ? input.db.writerStatements : tx;
  // A caller's batch size is kept; otherwise, where the ingestion paces itself, each batch taken sets the next one's size.
  const nextBatchRecords = input.batchSize === undefined && pacedOn(input.db) ? batchSizeNow : undefined;
  const batches = s.worker.prepare(
    {
      format: input.format,
      context,
      spool: s.spool.source,
      pseudonymKey: input.pseudonymKey,
      ownerCode: input.agency.code,
      digest: { operationId: s.operation.id, ...(input.defaults ? { defaults: input.defaults } : {}) },
      batchRecords: nextBatchRecords?.() ?? input.batchSize ?? DEFAULT_BATCH_SIZE,
      maxRecords: MAX_RECORDS,
    },
    (probes) => findUnchanged(lookupDb, input.agency.id, probes),
    nextBatchRecords,
  );
  for await (const batch of batches) {
    for (const entry of batch.entries) {
      if (entry.t === 'issue') {
        report.addAdapterIssue(entry.issue);
        if (report.fileError) return;
      } else if (entry.t === 'warning') report.add(entry.issue);
      else {
        report.counts.rejected++;
        for (const issue of entry.issues) report.add(issue);
      }
    }
    report.counts.received += batch.records;
    if (report.counts.received > MAX_RECORDS) {
      report.counts.received = MAX_RECORDS;
      report.fileError = true;
      report.add({ field: FILE_FIELD, code: 'TOO_LARGE', severity: 'error', limit: MAX_RECORDS });
      return;
    }
    report.counts.unchanged += batch.unchanged;
    if (writing(s)) await writer.add(batch.rows);
  }
}

/** Streams the file into the writer, then writes the rows that waited for a den. */
async function streamRecords(tx: Tx, s: Session): Promise<void> {
  const { input, report } = s;
  const wal = walMeter(input.db);
  const writer = new RecordWriter(
    statementRunner(tx, await input.db.connectionOf(tx)),
    { ownerId: input.agency.id, submissionId: s.id, operationId: s.operation.id, now: s.receivedAt, today: isoDate(s.receivedAt) },
    report.counts,
    input.batchSize ?? DEFAULT_BATCH_SIZE,
    (batches) => input.log.debug({ submission: s.id, batches, records: report.counts.received }, 'ingest batch written'),
    // The owner retracted this record earlier: it stays retracted, and the report says so.
    ({ kind, ref, at }) => report.add({ ...at, field: '(record)', code: 'RETRACTED_NOT_REVIVED', severity: 'warning', ref, kind }),
    // Other partners' answers first (kernel/foreground.ts): rest and wait, within bounds, while
    // they are active, long enough for the time and the write-ahead log the last batch took.
    async (lastBatchMs) => {
      // On the embedded database each statement runs on this thread and answers without the
      // event loop; with the worker's batches already waiting, a whole file went by without one
      // turn of it (20,000 records: 2.9 s without a timer, a health check or a stream's heartbeat).
      // Its queries still wait for the transaction, but nothing else does.
      if (input.db.kind === 'pglite') await nextTurn();
      const maxWaitMs = input.yieldToForegroundMs ?? (pacedOn(input.db) ? YIELD_TO_FOREGROUND_MS : 0);
      if (maxWaitMs <= 0 || !foregroundActive()) return wal.forget();
      await paceBehindForeground(lastBatchMs, maxWaitMs, await wal.sinceLast());
    },
    // Written: its bytes go back to the worker to be filled again, instead of waiting here for a full collection.
    (written) => s.worker.recycle([written.jsonb.buffer as ArrayBuffer]),
  );
  try {
    await readItems(tx, s, writer);
  } finally {
    await writer.settle();
  }
  if (report.fileError || !writing(s)) return;
  for (const { kind, ref, at } of await writer.finish()) {
    report.counts.rejected++;
    report.add({ ...at, field: 'denRef', code: 'DANGLING_REFERENCE', severity: 'error', ref, kind });
  }
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/**
 * How much the server's write-ahead log grew since the last reading (bytes), for pacing: every
 * commit of another partner waits for the log written before it to reach the disk. 0 for the
 * first reading after `forget`, on the embedded database, and when the position cannot be read
 * (pacing never fails an ingestion).
 */
export function walMeter(db: Pick<Database, 'kind' | 'statements'>): { sinceLast(): Promise<number>; forget(): void } {
  let last: number | undefined;
  return {
    async sinceLast() {
      if (db.kind !== 'postgres') return 0;
      const at = await db.statements
        .$queryRawUnsafe<{ at: number }[]>(`SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::float8 AS at`)
        .then(([row]) => row?.at, () => undefined);
      const grown = last === undefined || at === undefined ? 0 : Math.max(0, at - last);
      last = at;
      return grown;
    },
    forget() {
      last = undefined;
    },
  };
}

async function runSubmission(tx: Tx, s: Session): Promise<IngestResult> {
  const { input, report } = s;
  if (s.idempotent && s.key !== null) {
    await lockIdempotencyKey(tx, input.agency.id, s.key);
    const stored = await findByIdempotencyKey(tx, input.agency.id, s.key);
    if (stored) {
      const first = replayOrRefuse(stored, fingerprintOf(s, s.spool.sha256));
      return { status: first.status === 'ACCEPTED' ? 200 : 422, report: first, replayed: true };
    }
  }

  await tx.submission.create({
    data: {
      id: s.id,
      agencyId: input.agency.id,
      subject: input.subject,
      format: input.format,
      operationId: s.operation.id,
      mode: input.mode,
      defaults: defaultsText(input.defaults),
      dryRun: input.dryRun,
      status: 'PROCESSING',
      contentSha256: '0'.repeat(64),
      idempotencyKey: s.idempotent ? s.key : null,
      createdAt: s.receivedAt,
    },
  });
  // A batch statement may take longer than the gateway's per-query default on a busy server.
  await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
  await tx.$executeRawUnsafe(`SAVEPOINT ${SAVEPOINT}`);
  // The whole file is spooled, so its hash is known before a record is read: content this
  // agency already had ACCEPTED (same format, operation, mode, defaults) is answered with the
  // first report at once, without parsing it again (a retried upload of 100,000 records took as
  // long as the first). The content lock is held from here to the end of the transaction, so an
  // identical upload arriving meanwhile waits for this one and then replays it.
  const contentSha256 = s.spool.sha256;
  if (!input.dryRun) {
    const first = await findIdenticalAccepted(tx, input.agency.id, fingerprintOf(s, contentSha256), s.id);
    if (first) throw new RollBack({ status: 200, report: first, replayed: true });
  }
  await streamRecords(tx, s);

  const rejected = report.fileError || (input.mode === 'ATOMIC' && report.hasRecordErrors);
  if (rejected) {
    await tx.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    Object.assign(report.counts, { accepted: 0, updated: 0, unchanged: 0 });
  } else if (!input.dryRun) {
    // Governed linkage (ingest/linkage.ts): owners and watchers told, the quota charged. The
    // report says nothing of it, so the submitter learns no link from its own submission.
    await linkSubmission(tx, {
      submissionId: s.id,
      owner: input.agency,
      subject: input.subject,
      operationCode: s.operation.code,
      at: s.receivedAt,
      defaultQuotaPerDay: input.matchQuotaPerDay,
    });
  }

  const completedAt = input.now();
  const unsigned: UnsignedReport = {
    id: s.id,
    agency: input.agency.code,
    subject: input.subject,
    format: input.format,
    operation: s.operation.code,
    mode: input.mode,
    dryRun: input.dryRun,
    status: rejected ? 'REJECTED' : 'ACCEPTED',
    contentSha256,
    idempotencyKey: s.key,
    counts: { ...report.counts },
    issues: report.issues(),
    receivedAt: s.receivedAt.toISOString(),
    completedAt: completedAt.toISOString(),
  };
  const result: IngestResult = {
    status: rejected ? 422 : 201,
    report: { ...unsigned, receipt: await input.signer.sign(unsigned) },
    replayed: false,
  };
  if (input.dryRun) throw new RollBack(result);

  await tx.submission.update({
    where: { id: s.id },
    data: {
      status: unsigned.status,
      contentSha256,
      accepted: unsigned.counts.accepted,
      updated: unsigned.counts.updated,
      rejected: unsigned.counts.rejected,
      skipped: unsigned.counts.skipped,
      errors: unsigned.issues,
      receipt: result.report.receipt,
      completedAt,
    },
  });
  if (input.beforeCommit) s.afterCommit = await input.beforeCommit(tx, s.operation.id);
  return result;
}

export async function ingestSubmission(input: IngestInput): Promise<IngestResult> {
  const started = performance.now();
  if (!getAdapter(input.format)) {
    throw new LiaisonError(ErrorCode.UNSUPPORTED_FORMAT, 'Unknown format.', { issues: [{ field: 'format', code: 'UNKNOWN_FORMAT' }] });
  }
  const checkedKey = checkIdempotencyKey(input.idempotencyKey);
  const release = admitSubmission(input.agency.id, input.maxConcurrentPerAgency ?? DEFAULT_CONCURRENT_SUBMISSIONS);
  let result: IngestResult;
  let bytes: number;
  try {
    const operation = await participantOperation(input.db.prisma, input.agency.id, input.operationCode);
    const receivedAt = input.now();
    // The whole file arrives before any connection or transaction is taken (isolation).
    const releaseKey = !input.dryRun && checkedKey !== null ? claimKeyWhileUploading(input.agency.id, checkedKey) : () => {};
    let spool: Spool;
    try {
      spool = await spoolBody(input.body, {
        maxBytes: input.maxBytes,
        idleTimeoutMs: input.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        ...(input.spoolDir ? { dir: input.spoolDir } : {}),
      });
    } finally {
      releaseKey();
    }
    bytes = spool.bytes;
    // Waits for a free ingest worker before the transaction is opened, not while holding it.
    let worker: WorkerLease;
    try {
      worker = await (input.parsePool ?? sharedParsePool()).lease();
    } catch (error) {
      await spool.dispose();
      throw error;
    }
    const session: Session = {
      input,
      id: randomUUID(),
      key: checkedKey,
      idempotent: !input.dryRun,
      operation,
      receivedAt,
      spool,
      worker,
      report: new ReportBuilder(),
    };
    try {
      result = await input.db.writer.$transaction((tx) => runSubmission(tx, session), {
        timeout: TRANSACTION_TIMEOUT_MS,
        maxWait: TRANSACTION_MAX_WAIT_MS,
      });
      session.afterCommit?.();
    } catch (error) {
      if (!(error instanceof RollBack)) throw error;
      result = error.result;
    } finally {
      worker.release();
      await spool.dispose();
    }
  } finally {
    release();
  }

  const { report } = result;
  countSubmission(input.format, report, result.replayed);
  // LOG-03: ids, codes and counts only; never a value from the file, never the key.
  input.log.info(
    {
      submission: report.id,
      agency: input.agency.code,
      format: input.format,
      operation: report.operation,
      mode: input.mode,
      dryRun: input.dryRun,
      status: report.status,
      replayed: result.replayed,
      counts: report.counts,
      issues: report.issues.length,
      bytes,
      durationMs: Math.round(performance.now() - started),
    },
    'submission ingested',
  );
  return result;
}

/** The agency's own submission report; another agency's, an unknown or a malformed id → null. */
export async function findSubmission(prisma: PrismaClient, agencyId: string, id: string): Promise<SubmissionReport | null> {
  if (!UUID.test(id) || !UUID.test(agencyId)) return null;
  const row = await prisma.submission.findFirst({ where: { id, agencyId }, select: { receipt: true } });
  if (!row?.receipt) return null;
  const unsigned = reportOfReceipt(row.receipt);
  return unsigned ? { ...unsigned, receipt: row.receipt } : null;
}
