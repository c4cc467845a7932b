// The shared replay cache of token ids (TOK-15): one row per (iss, jti), kept until the token
// could no longer be accepted anyway. The primary key decides races, so of any number of
// parallel claims over any number of gateway processes exactly one inserts its row.
// A jti that is still stored (even past expiresAt, before the purge) is refused: reuse of
// a jti is never needed by an honest partner, so erring that way costs nothing.
import { batched } from '../../kernel/batch.ts';
import { Prisma, type PrismaClient } from '../../prisma/generated/client/client.ts';
import { agencyRowsSql } from './agency-keys.ts';

export const MAX_JTI_LENGTH = 128;
const JTI_PATTERN = /^[\x21-\x7e]+$/;

/** 1–128 visible ASCII characters (a UUID fits; control characters and spaces do not). */
export const isAcceptableJti = (jti: unknown): jti is string =>
  typeof jti === 'string' && jti.length <= MAX_JTI_LENGTH && JTI_PATTERN.test(jti);

type Db = Pick<PrismaClient, '$executeRaw'>;

export type JtiClaim = {
  iss: string;
  jti: string;
  expiresAt: Date;
  /**
   * The fingerprint of the agency row (of code `iss`) the token was checked against, when that
   * row was not read for this token (api/auth/agency-keys.ts): the claim is stored only if the
   * row still has it, checked in the claim's own statement.
   */
  agencyFingerprint?: string | undefined;
};

/**
 * What a claim found: true, the first use of (iss, jti), now stored; false, an earlier use;
 * 'stale', the agency row the claim named by its fingerprint has changed (or is gone), and
 * nothing was stored.
 */
export type ClaimAnswer = boolean | 'stale';

function checkClaim({ iss, jti }: JtiClaim): void {
  if (!isAcceptableJti(jti)) throw new TypeError('jti must be 1-128 visible ASCII characters');
  if (iss.length === 0) throw new TypeError('iss must not be empty');
}

/** True when this call is the first use of (iss, jti); false on any earlier use. */
export async function claimJti({
  prisma,
  iss,
  jti,
  expiresAt,
}: {
  prisma: Db;
  iss: string;
  jti: string;
  expiresAt: Date;
}): Promise<boolean> {
  checkClaim({ iss, jti, expiresAt });
  return insertClaim(prisma, { iss, jti, expiresAt });
}

/** The claim's row, inserted unless (iss, jti) is stored already; true when it was inserted. */
async function insertClaim(prisma: Db, { iss, jti, expiresAt }: JtiClaim): Promise<boolean> {
  const inserted = await prisma.$executeRaw`
    INSERT INTO replay_cache (iss, jti, expires_at) VALUES (${iss}, ${jti}, ${expiresAt})
    ON CONFLICT (iss, jti) DO NOTHING`;
  return inserted === 1;
}

/** Claims one process makes together at most (one statement's arrays). */
const MAX_CLAIMS_PER_STATEMENT = 128;

/**
 * Whether a claim won, given the keys one statement inserted: a key is inserted at most once, and
 * of the claims of it in the statement the first asked (in arrival order) is the one that won.
 */
function winners(inserted: readonly { iss: string; jti: string | null }[]): (claim: JtiClaim) => boolean {
  const won = new Set(inserted.map((r) => JSON.stringify([r.iss, r.jti])));
  return (claim) => won.delete(JSON.stringify([claim.iss, claim.jti]));
}

/**
 * Claims that name their agency row's fingerprint, in one statement: the agencies' rows as they
 * stand now (agencyRowsSql, the read's own text), and the insert of each claim whose row still
 * has its fingerprint (a claim without one is not checked). Answers which claims were inserted
 * and each agency's current fingerprint.
 */
async function insertCheckedClaims(prisma: Pick<PrismaClient, '$queryRaw'>, claims: readonly JtiClaim[]): Promise<ClaimAnswer[]> {
  const codes = [...new Set(claims.filter((c) => c.agencyFingerprint !== undefined).map((c) => c.iss))];
  const rows = await prisma.$queryRaw<{ kind: 'claimed' | 'current'; iss: string; jti: string | null; fingerprint: string | null }[]>(Prisma.sql`
    WITH current AS (${agencyRowsSql(Prisma.sql`a.code = ANY(${codes}::text[])`)}),
    claim AS (
      SELECT * FROM unnest(${claims.map((c) => c.iss)}::text[], ${claims.map((c) => c.jti)}::text[],
                           ${claims.map((c) => c.expiresAt)}::timestamptz[], ${claims.map((c) => c.agencyFingerprint ?? null)}::text[])
               AS c(iss, jti, expires_at, fingerprint)),
    inserted AS (
      INSERT INTO replay_cache (iss, jti, expires_at)
      SELECT c.iss, c.jti, c.expires_at FROM claim c LEFT JOIN current r ON r.code = c.iss
       WHERE c.fingerprint IS NULL OR r.fingerprint = c.fingerprint
      ON CONFLICT (iss, jti) DO NOTHING
      RETURNING iss, jti)
    SELECT 'claimed' AS kind, iss, jti, NULL::text AS fingerprint FROM inserted
    UNION ALL
    SELECT 'current', code, NULL, fingerprint FROM current`);
  const current = new Map(rows.filter((r) => r.kind === 'current').map((r) => [r.iss, r.fingerprint]));
  const won = winners(rows.filter((r) => r.kind === 'claimed'));
  // A stale claim stored nothing (it is no winner); the others are answered as unchecked claims are.
  return claims.map((c) => (c.agencyFingerprint !== undefined && current.get(c.iss) !== c.agencyFingerprint ? 'stale' : won(c)));
}

/**
 * The replay checks of one gateway process (claimJti's answer for each claim; 'stale' for a
 * claim whose agency fingerprint is no longer the row's): while one claim statement runs, the
 * claims that arrive meanwhile wait and go together in the next one (kernel/batch.ts), so under
 * load one statement and one disk flush serve many requests. The primary key still decides: of
 * claims of one (iss, jti) in one statement, only the first in arrival order is answered true;
 * across statements and processes, only the one that inserted.
 */
export function createJtiClaims(prisma: Pick<PrismaClient, '$executeRaw' | '$queryRaw'>): (claim: JtiClaim) => Promise<ClaimAnswer> {
  const claim = batched<JtiClaim, ClaimAnswer>(async (claims) => {
    // Each claim was checked when it was made.
    if (claims.some((c) => c.agencyFingerprint !== undefined)) return insertCheckedClaims(prisma, claims);
    if (claims.length === 1) return [await insertClaim(prisma, claims[0]!)];
    const inserted = await prisma.$queryRaw<{ iss: string; jti: string }[]>`
      INSERT INTO replay_cache (iss, jti, expires_at)
      SELECT * FROM unnest(${claims.map((c) => c.iss)}::text[], ${claims.map((c) => c.jti)}::text[], ${claims.map((c) => c.expiresAt)}::timestamptz[])
      ON CONFLICT (iss, jti) DO NOTHING
      RETURNING iss, jti`;
    return claims.map(winners(inserted));
  }, MAX_CLAIMS_PER_STATEMENT);
  return async (c) => {
    checkClaim(c);
    return claim(c);
  };
}

/** Deletes the ids whose tokens have expired (plus tolerance); returns how many. */
export async function purgeExpiredJtis(prisma: Pick<PrismaClient, 'replayCache'>, now: Date): Promise<number> {
  const { count } = await prisma.replayCache.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}
