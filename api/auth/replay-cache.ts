// The shared replay cache of token ids (TOK-15): one row per (iss, jti), kept until the token
// could no longer be accepted anyway. The primary key decides races, so of any number of
// parallel claims over any number of gateway processes exactly one inserts its row.
// A jti that is still stored (even past expiresAt, before the purge) is refused: reuse of
// a jti is never needed by an honest partner, so erring that way costs nothing.
import { batched } from '../../kernel/batch.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';

export const MAX_JTI_LENGTH = 128;
const JTI_PATTERN = /^[\x21-\x7e]+$/;

/** 1–128 visible ASCII characters (a UUID fits; control characters and spaces do not). */
export const isAcceptableJti = (jti: unknown): jti is string =>
  typeof jti === 'string' && jti.length <= MAX_JTI_LENGTH && JTI_PATTERN.test(jti);

type Db = Pick<PrismaClient, '$executeRaw'>;

export type JtiClaim = { iss: string; jti: string; expiresAt: Date };

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
 * The replay checks of one gateway process (claimJti's answer for each claim): while one claim
 * statement runs, the claims that arrive meanwhile wait and go together in the next one
 * (kernel/batch.ts), so under load one statement and one disk flush serve many requests. The
 * primary key still decides: of claims of one (iss, jti) in one statement, only the first in
 * arrival order is answered true; across statements and processes, only the one that inserted.
 */
export function createJtiClaims(prisma: Pick<PrismaClient, '$executeRaw' | '$queryRaw'>): (claim: JtiClaim) => Promise<boolean> {
  const claim = batched<JtiClaim, boolean>(async (claims) => {
    // Each claim was checked when it was made.
    if (claims.length === 1) return [await insertClaim(prisma, claims[0]!)];
    const inserted = await prisma.$queryRaw<{ iss: string; jti: string }[]>`
      INSERT INTO replay_cache (iss, jti, expires_at)
      SELECT * FROM unnest(${claims.map((c) => c.iss)}::text[], ${claims.map((c) => c.jti)}::text[], ${claims.map((c) => c.expiresAt)}::timestamptz[])
      ON CONFLICT (iss, jti) DO NOTHING
      RETURNING iss, jti`;
    // A key is inserted at most once; the first claim of it in this batch is the one that won.
    const won = new Set(inserted.map((r) => JSON.stringify([r.iss, r.jti])));
    return claims.map((c) => won.delete(JSON.stringify([c.iss, c.jti])));
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
