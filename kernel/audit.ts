// The hash-chained audit log (docs/security.md; LOG-06, LOG-07 in docs/security-tests.md):
// hash_i = hex SHA-256(hash_{i-1} ‖ JCS(event_i)), genesis prevHash = 64 zeros, where JCS is
// the RFC 8785 canonical JSON of the event's own fields (not its seq). An append is ONE
// statement: it advances the one-row audit_chain_head (whose row lock serialises writers in
// every process) and inserts the event with the head's new seq and hash, computed by
// PostgreSQL's sha256 over the same bytes as auditEventHash; several events go in one
// statement the same way, one after another (appendAuditEvents, createAuditWriter). The
// unique prev_hash makes a forked chain impossible even if the head were bypassed.
//
// What the chain proves: editing, deleting or reordering rows inside the table is found by
// `verifyAuditChain`. Cutting off the tail, or rewriting the whole chain, is only found against
// a head recorded outside the database: export `auditHead` regularly (partners keep copies)
// and pass it back as `anchor`.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { Prisma, type PrismaClient } from '../prisma/generated/client/client.ts';
import { batched } from './batch.ts';
import { auditAppendDuration } from './metrics.ts';

export const GENESIS_HASH = '0'.repeat(64);
const VERIFY_PAGE_SIZE = 500;
const MAX_APPEND_ATTEMPTS = 5;

export type AuditOutcome = 'ok' | 'denied' | 'error';

export type AuditEventInput = {
  agencyCode?: string | undefined;
  subject?: string | undefined;
  action: string;
  target?: string | undefined;
  outcome: AuditOutcome;
  /** Ids, counts, codes: never personal data or token material. */
  detail?: Record<string, unknown> | undefined;
};

export type AuditHead = { seq: bigint; hash: string };

export type AuditProblem = 'hash_mismatch' | 'broken_link' | 'gap' | 'anchor_mismatch';

export type AuditChainReport = {
  ok: boolean;
  /** Rows read before the verdict (all of them when ok). */
  count: number;
  firstBadSeq?: bigint;
  problem?: AuditProblem;
};

type StoredFields = {
  agencyCode: string | null;
  subject: string | null;
  action: string;
  target: string | null;
  outcome: string;
  detail: unknown;
  at: Date;
};

/** The hash of one event given its predecessor's hash; the same for a stored row. */
export function auditEventHash(prevHash: string, event: StoredFields): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalEvent(event), 'utf8').digest('hex');
}

/** RFC 8785 canonical JSON of an event's own fields: the bytes that are hashed. */
function canonicalEvent(event: StoredFields): string {
  const canonical = canonicalize({
    agencyCode: event.agencyCode,
    subject: event.subject,
    action: event.action,
    target: event.target,
    outcome: event.outcome,
    detail: event.detail,
    at: event.at.toISOString(),
  });
  if (canonical === undefined) throw new TypeError('audit event is not serialisable');
  return canonical;
}

/** The detail exactly as it will read back from jsonb: plain JSON, nothing else. */
function storableDetail(detail: Record<string, unknown> | undefined): Prisma.InputJsonObject {
  const json: unknown = JSON.parse(JSON.stringify(detail ?? {}));
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new TypeError('detail must be an object');
  return json as Prisma.InputJsonObject;
}

/** A unique violation as Prisma reports it (P2002) or as node-postgres does (SQLSTATE 23505, kernel/db.ts statements). */
const isUniqueViolation = (error: unknown) =>
  typeof error === 'object' && error !== null && ['P2002', '23505'].includes(String((error as { code?: unknown }).code));

/** PostgreSQL's 22012 (the guard of a missing head below), as Prisma reports a raw query's database error. */
const isDivisionByZero = (error: unknown) => /\b22012\b|division by zero/.test(String((error as { message?: unknown } | null)?.message ?? ''));

/** An event as it will be stored and hashed; made before any statement, so a bad detail fails only its own append. */
type PreparedEvent = { fields: StoredFields; canonical: string };

function prepareEvent(event: AuditEventInput, at: Date): PreparedEvent {
  const fields: StoredFields = {
    agencyCode: event.agencyCode ?? null,
    subject: event.subject ?? null,
    action: event.action,
    target: event.target ?? null,
    outcome: event.outcome,
    detail: storableDetail(event.detail),
    // The column keeps milliseconds; so does a Date, and so does the hash input.
    at: new Date(at.getTime()),
  };
  return { fields, canonical: canonicalEvent(fields) };
}

/**
 * Runs one append statement, again after a unique violation (only reachable if a writer
 * bypassed the head: the unique prev_hash refused the fork, and the whole statement, with
 * whatever it wrote alongside, was rolled back), timing each attempt's outcome.
 */
async function appendStatement<T>(run: () => Promise<T>): Promise<T> {
  const timer = auditAppendDuration.startTimer();
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await run();
      timer({ outcome: 'ok' });
      return result;
    } catch (error) {
      if (isDivisionByZero(error)) {
        // No head row, so no event: the `written` guard failed the statement, and nothing alongside was written either.
        timer({ outcome: 'error' });
        throw new Error('audit_chain_head is missing: run the migrations', { cause: error });
      }
      if (!isUniqueViolation(error) || attempt >= MAX_APPEND_ATTEMPTS) {
        timer({ outcome: 'error' });
        throw error;
      }
    }
  }
}

/**
 * Appends one event at the chain head; returns its seq and hash. One round trip. `alongside`
 * are further data-modifying CTEs (`name AS (INSERT … RETURNING …)`) written by the same
 * statement: what they write and the event that records it are then stored together or not at
 * all, without a transaction of their own (schema/match.ts). Their names must not be
 * `audit_head` or `audit_row`.
 */
export async function appendAuditEvent(
  prisma: Pick<PrismaClient, '$queryRaw'>,
  event: AuditEventInput,
  at: Date,
  alongside: readonly Prisma.Sql[] = [],
): Promise<AuditHead> {
  return appendPreparedEvent(prisma, prepareEvent(event, at), alongside);
}

async function appendPreparedEvent(
  prisma: Pick<PrismaClient, '$queryRaw'>,
  { fields, canonical }: PreparedEvent,
  alongside: readonly Prisma.Sql[] = [],
): Promise<AuditHead> {
  const more = alongside.length > 0 ? Prisma.sql`, ${Prisma.join(alongside, ', ')}` : Prisma.empty;
  return appendStatement(async () => {
    // seq is bigint through Prisma, a string from node-postgres (kernel/db.ts statements).
    const rows = await prisma.$queryRaw<{ seq: bigint | string; hash: string }[]>`
      WITH audit_head AS (
        UPDATE audit_chain_head
           SET seq = seq + 1,
               prev_hash = hash,
               hash = encode(sha256(convert_to(hash || ${canonical}, 'UTF8')), 'hex')
         WHERE id = 1
     RETURNING seq, prev_hash, hash
      ), audit_row AS (
        INSERT INTO audit_event (seq, agency_code, subject, action, target, outcome, detail, at, prev_hash, hash)
        SELECT audit_head.seq, ${fields.agencyCode}, ${fields.subject}, ${fields.action}, ${fields.target}, ${fields.outcome},
               ${JSON.stringify(fields.detail)}::jsonb, ${fields.at}::timestamptz, audit_head.prev_hash, audit_head.hash
          FROM audit_head
     RETURNING seq, hash
      )${more}
      SELECT audit_row.seq, audit_row.hash, 1 / (SELECT count(*) FROM audit_row) AS written
        FROM (SELECT 1) AS one LEFT JOIN audit_row ON true`;
    // Always one row: without a head row the `written` guard has failed the statement.
    const row = rows[0]!;
    return { seq: BigInt(row.seq), hash: row.hash };
  });
}

/**
 * Appends several events in the order given, in ONE statement: the head row is locked once
 * (FOR UPDATE reads its latest version, whoever moved it last), the events are chained from it
 * one after another by a recursive CTE with the same hash as appendAuditEvent's, stored, and
 * the head moved to the last of them. Returns each event's seq and hash, in order.
 */
async function appendPreparedEvents(prisma: Pick<PrismaClient, '$queryRaw'>, events: readonly PreparedEvent[]): Promise<AuditHead[]> {
  const column = <T>(pick: (f: StoredFields) => T) => events.map((e) => pick(e.fields));
  return appendStatement(async () => {
    const rows = await prisma.$queryRaw<{ seq: bigint | string; hash: string; written: number }[]>`
      WITH RECURSIVE audit_head AS (
        SELECT seq, hash::text AS hash FROM audit_chain_head WHERE id = 1 FOR UPDATE
      ), incoming AS (
        SELECT *
          FROM unnest(${events.map((e) => e.canonical)}::text[], ${column((f) => f.agencyCode)}::text[], ${column((f) => f.subject)}::text[],
                      ${column((f) => f.action)}::text[], ${column((f) => f.target)}::text[], ${column((f) => f.outcome)}::text[],
                      ${column((f) => JSON.stringify(f.detail))}::text[], ${column((f) => f.at)}::timestamptz[])
               WITH ORDINALITY AS e(canonical, agency_code, subject, action, target, outcome, detail, at, n)
      ), chain (n, seq, prev_hash, hash) AS (
        SELECT 0::bigint, audit_head.seq, audit_head.hash, audit_head.hash FROM audit_head
        UNION ALL
        SELECT chain.n + 1, chain.seq + 1, chain.hash, encode(sha256(convert_to(chain.hash || incoming.canonical, 'UTF8')), 'hex')
          FROM chain JOIN incoming ON incoming.n = chain.n + 1
      ), audit_rows AS (
        INSERT INTO audit_event (seq, agency_code, subject, action, target, outcome, detail, at, prev_hash, hash)
        SELECT chain.seq, i.agency_code, i.subject, i.action, i.target, i.outcome, i.detail::jsonb, i.at, chain.prev_hash, chain.hash
          FROM chain JOIN incoming i ON i.n = chain.n
     RETURNING seq, hash
      ), moved AS (
        UPDATE audit_chain_head AS h
           SET seq = last.seq, prev_hash = last.prev_hash, hash = last.hash
          FROM (SELECT seq, prev_hash, hash FROM chain ORDER BY n DESC LIMIT 1) AS last
         WHERE h.id = 1
     RETURNING h.seq
      )
      SELECT audit_rows.seq, audit_rows.hash, 1 / (SELECT count(*) FROM moved) AS written
        FROM (SELECT 1) AS one LEFT JOIN audit_rows ON true
       ORDER BY audit_rows.seq`;
    // Without a head row `moved` is empty and the `written` guard has failed the statement.
    if (rows.length !== events.length) throw new Error(`audit append stored ${rows.length} of ${events.length} events`);
    return rows.map((row) => ({ seq: BigInt(row.seq), hash: row.hash }));
  });
}

/** Appends `events` (each with its own time) in the order given, in one statement; returns each one's seq and hash. */
export function appendAuditEvents(
  prisma: Pick<PrismaClient, '$queryRaw'>,
  events: readonly { event: AuditEventInput; at: Date }[],
): Promise<AuditHead[]> {
  return appendPreparedEvents(prisma, events.map((e) => prepareEvent(e.event, e.at)));
}

/** Events one process appends together at most (one statement's arrays). */
const MAX_EVENTS_PER_APPEND = 128;

/**
 * The audit sink of one gateway process, for the events of every request: an event is stored
 * before `append` resolves, as with appendAuditEvent, but while one append statement of this
 * process is running, the events that arrive meanwhile wait and are then stored together by the
 * next one (appendAuditEvents). Each append holds the chain head's row lock until its commit
 * has reached the disk, so appending one event per statement made every agency's requests
 * queue behind every other agency's commits, one disk flush each: a flood of one partner, or
 * one slow flush, then held up everybody (issue 9). Together, one flush serves them all
 * (kernel/batch.ts). A statement that fails fails the appends it carried, and only those.
 */
export function createAuditWriter(prisma: Pick<PrismaClient, '$queryRaw'>, now: () => Date): AuditSink {
  const store = batched<PreparedEvent, AuditHead>(
    // One event alone takes the plain append (no recursive chain to plan).
    async (events) => (events.length === 1 ? [await appendPreparedEvent(prisma, events[0]!)] : appendPreparedEvents(prisma, events)),
    MAX_EVENTS_PER_APPEND,
  );
  return {
    async append(event) {
      // Prepared first, so an event that cannot be stored is refused alone.
      await store(prepareEvent(event, now()));
    },
  };
}

/** The current head, to be exported and kept outside the database; genesis when empty. */
export async function auditHead(prisma: PrismaClient): Promise<AuditHead> {
  const head = await prisma.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  return head ?? { seq: 0n, hash: GENESIS_HASH };
}

/**
 * Walks the chain in seq order, one page at a time, and stops at the first row that does not
 * follow from its predecessor. Seq numbers may legitimately skip (a rolled-back append uses
 * one up); a skipped seq is only reported, as `gap`, where the link is also broken.
 */
export async function verifyAuditChain(
  prisma: PrismaClient,
  options: { anchor?: AuditHead; pageSize?: number } = {},
): Promise<AuditChainReport> {
  const pageSize = options.pageSize ?? VERIFY_PAGE_SIZE;
  let prev: AuditHead = { seq: 0n, hash: GENESIS_HASH };
  let count = 0;
  let anchorSeen = options.anchor === undefined || options.anchor.seq === 0n;
  for (;;) {
    const page = await prisma.auditEvent.findMany({
      where: { seq: { gt: prev.seq } },
      orderBy: { seq: 'asc' },
      take: pageSize,
    });
    for (const row of page) {
      count++;
      if (row.prevHash !== prev.hash) {
        const skipped = row.seq !== prev.seq + 1n;
        return { ok: false, count, firstBadSeq: row.seq, problem: skipped ? 'gap' : 'broken_link' };
      }
      if (auditEventHash(row.prevHash, row) !== row.hash) {
        return { ok: false, count, firstBadSeq: row.seq, problem: 'hash_mismatch' };
      }
      if (options.anchor && row.seq === options.anchor.seq) {
        if (row.hash !== options.anchor.hash) {
          return { ok: false, count, firstBadSeq: row.seq, problem: 'anchor_mismatch' };
        }
        anchorSeen = true;
      }
      prev = { seq: row.seq, hash: row.hash };
    }
    if (page.length < pageSize) break;
  }
  if (!anchorSeen) return { ok: false, count, firstBadSeq: options.anchor!.seq, problem: 'anchor_mismatch' };
  return { ok: true, count };
}

/** Where authenticated calls are recorded (appendAuditEvent, or a stand-in in tests). */
export type AuditSink = { append(event: AuditEventInput): Promise<void> };
