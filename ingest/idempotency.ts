// Idempotency of submissions (REL-02…05, AUZ-08 in docs/security-tests.md). A key is scoped to its
// agency: (agency, key) is the identity, so another agency's identical key value is a key of
// its own. Within the submission's transaction a try-lock on a 64-bit hash of (agency, key)
// makes a concurrent request with the same key fail at once with 409 instead of queueing;
// once the first commits, its stored report answers every retry with the same content, and a
// retry with other content is 422 IDEMPOTENCY_KEY_REUSED. Identical content without a key is
// caught at the end of a submission (the hash is only known once the file has streamed),
// under a lock on (agency, content hash) so two identical uploads cannot both be stored.
import { ErrorCode, LiaisonError } from '../kernel/errors.ts';
import type { Tx } from './batch/types.ts';
import { reportOfReceipt } from './receipts.ts';
import type { SubmissionMode, SubmissionReport } from './report.ts';

/** 1–255 printable ASCII characters (draft-ietf-httpapi-idempotency-key-header: an sf-string). */
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export function checkIdempotencyKey(key: string | undefined): string | null {
  if (key === undefined) return null;
  if (!KEY_PATTERN.test(key)) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, 'Idempotency-Key must be 1 to 255 printable ASCII characters.', {
      issues: [{ field: 'Idempotency-Key', code: 'INVALID' }],
    });
  }
  return key;
}

/** What identifies "the same request" besides the key. */
/** `defaults`: the submission's handling/evaluation defaults as stored (`H2,B2`; empty without any). */
export type RequestFingerprint = { contentSha256: string; format: string; operationId: string; mode: SubmissionMode; defaults: string };

export type StoredSubmission = { fingerprint: RequestFingerprint; report: SubmissionReport };

const toStored = (row: {
  contentSha256: string;
  format: string;
  operationId: string | null;
  mode: SubmissionMode;
  defaults: string;
  receipt: string | null;
}): StoredSubmission | undefined => {
  const unsigned = row.receipt === null ? undefined : reportOfReceipt(row.receipt);
  if (!unsigned || row.receipt === null) return undefined;
  return {
    fingerprint: { contentSha256: row.contentSha256, format: row.format, operationId: row.operationId ?? '', mode: row.mode, defaults: row.defaults },
    report: { ...unsigned, receipt: row.receipt },
  };
};

const STORED_SELECT = { contentSha256: true, format: true, operationId: true, mode: true, defaults: true, receipt: true } as const;

const keyInProgress = () =>
  new LiaisonError(ErrorCode.CONFLICT, 'A submission with this Idempotency-Key is still being processed.', {
    issues: [{ field: 'Idempotency-Key', code: 'IN_PROGRESS' }],
  });

/** Takes the (agency, key) lock for this transaction, or throws 409 when another request holds it. */
export async function lockIdempotencyKey(tx: Tx, agencyId: string, key: string): Promise<void> {
  const [row] = await tx.$queryRaw<{ locked: boolean }[]>`
    SELECT pg_try_advisory_xact_lock(hashtextextended(${`liaison-idempotency:${agencyId}:${key}`}, 0)) AS locked`;
  if (!row?.locked) throw keyInProgress();
}

/** Keys whose upload is still arriving in this process (before any transaction exists). */
const uploading = new Set<string>();

/**
 * Claims (agency, key) while the file is being received, so a second request with the same key
 * is 409 at once rather than after both uploads; returns the release. Across processes the
 * transaction lock above decides, and the later request gets the first one's report.
 */
export function claimKeyWhileUploading(agencyId: string, key: string): () => void {
  const id = `${agencyId}:${key}`;
  if (uploading.has(id)) throw keyInProgress();
  uploading.add(id);
  return () => uploading.delete(id);
}

export async function findByIdempotencyKey(tx: Tx, agencyId: string, key: string): Promise<StoredSubmission | undefined> {
  const row = await tx.submission.findUnique({
    where: { agencyId_idempotencyKey: { agencyId, idempotencyKey: key } },
    select: STORED_SELECT,
  });
  return row ? toStored(row) : undefined;
}

/** The stored report for a retry with the same key, or 422 when the request differs. */
export function replayOrRefuse(stored: StoredSubmission, request: RequestFingerprint): SubmissionReport {
  const same = (Object.keys(request) as (keyof RequestFingerprint)[]).every((k) => stored.fingerprint[k] === request[k]);
  if (!same) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, 'This Idempotency-Key was already used for another request.', {
      status: 422,
      issues: [{ field: 'Idempotency-Key', code: 'IDEMPOTENCY_KEY_REUSED' }],
    });
  }
  return stored.report;
}

/** An earlier ACCEPTED, stored submission of the same content, taken under the content lock. */
export async function findIdenticalAccepted(
  tx: Tx,
  agencyId: string,
  request: RequestFingerprint,
  excludeId: string,
): Promise<SubmissionReport | undefined> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`liaison-content:${agencyId}:${request.contentSha256}`}, 0))`;
  const row = await tx.submission.findFirst({
    where: {
      agencyId,
      contentSha256: request.contentSha256,
      format: request.format,
      operationId: request.operationId,
      mode: request.mode,
      defaults: request.defaults,
      dryRun: false,
      status: 'ACCEPTED',
      id: { not: excludeId },
    },
    orderBy: { createdAt: 'asc' },
    select: STORED_SELECT,
  });
  return row ? toStored(row)?.report : undefined;
}
