// The shared replay cache of token ids (TOK-15): one row per (iss, jti), kept until the token
// could no longer be accepted anyway. The primary key decides races, so of any number of
// parallel claims over any number of gateway processes exactly one inserts its row.
// A jti that is still stored (even past expiresAt, before the purge) is refused: reuse of
// a jti is never needed by an honest partner, so erring that way costs nothing.
import type { PrismaClient } from '../../prisma/generated/client/client.ts';

export const MAX_JTI_LENGTH = 128;
const JTI_PATTERN = /^[\x21-\x7e]+$/;

/** 1–128 visible ASCII characters (a UUID fits; control characters and spaces do not). */
export const isAcceptableJti = (jti: unknown): jti is string =>
  typeof jti === 'string' && jti.length <= MAX_JTI_LENGTH && JTI_PATTERN.test(jti);

type Db = Pick<PrismaClient, '$executeRaw'>;

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
  if (!isAcceptableJti(jti)) throw new TypeError('jti must be 1-128 visible ASCII characters');
  if (iss.length === 0) throw new TypeError('iss must not be empty');
  const inserted = await prisma.$executeRaw`
    INSERT INTO replay_cache (iss, jti, expires_at) VALUES (${iss}, ${jti}, ${expiresAt})
    ON CONFLICT (iss, jti) DO NOTHING`;
  return inserted === 1;
}

/** Deletes the ids whose tokens have expired (plus tolerance); returns how many. */
export async function purgeExpiredJtis(prisma: Pick<PrismaClient, 'replayCache'>, now: Date): Promise<number> {
  const { count } = await prisma.replayCache.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}
