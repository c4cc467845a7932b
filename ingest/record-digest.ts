// The keyed digest of a mapped record (still holding raw identifiers), stored with the row it
// wrote (`ingest_digest`): when a resubmitted record has the digest its stored row carries,
// the record is counted unchanged before it is pseudonymized, converted or sent to the
// database. The digest is an HMAC-SHA256 under a key derived from the pseudonym key (HKDF,
// its own label), never a plain hash: without the key, a stored digest cannot be tested
// against guessed identifiers (PRV-12). A new pseudonym key gives new digests, so every
// record is written again under the new key.
//
// What the digest covers is everything the writers store from outside the database: the
// mapped record (absent members are left out by JSON.stringify, null ones kept, so "absent"
// and "cleared" differ), its kind, the operation, and DIGEST_VERSION (raise it when the
// writers start storing a record differently). A member order that changes between versions
// only gives another digest: the record is then compared and written as before.
// Not skipped (no digest): a fund whose USD amount the writer converts with a reference
// rate, since the rate is read at write time and may differ from the one stored.
import { createHmac, hkdfSync } from 'node:crypto';
import type { MappedRecord } from '../adapters/contract.ts';
import { defaultsText, type SubmissionDefaults } from './defaults.ts';

const DIGEST_INFO = 'liaison-ingest-record-digest';
export const DIGEST_VERSION = 1;

/**
 * What a submission adds to each of its records' digests: its operation, and the handling and
 * evaluation defaults it gives records without their own (the same file with other defaults
 * stores other values, so it must not be skipped as unchanged).
 */
export type DigestContext = { operationId: string; defaults?: SubmissionDefaults };

export function digestKey(pseudonymKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(pseudonymKey, 'utf8'), Buffer.alloc(0), DIGEST_INFO, 32));
}

/** True when the stored row also depends on a rate read at write time (not skipped). */
const convertedAtWrite = (record: MappedRecord): boolean =>
  record.kind === 'interceptedFund' && (record.amountUsd === undefined || record.amountUsd === null) && record.currency !== 'USD';

/** Hex HMAC of the record in its submission's context, or null when it must never be skipped. */
export function recordDigest(key: Buffer, context: DigestContext, record: MappedRecord): string | null {
  if (convertedAtWrite(record)) return null;
  return createHmac('sha256', key)
    .update(`${DIGEST_VERSION}\u0000${context.operationId}\u0000${defaultsText(context.defaults)}\u0000`, 'utf8')
    .update(JSON.stringify(record), 'utf8')
    .digest('hex');
}
