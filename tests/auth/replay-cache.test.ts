import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../kernel/db.ts';
import { claimJti, createJtiClaims, isAcceptableJti, purgeExpiredJtis } from '../../api/auth/replay-cache.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { heldStatements } from '../helpers/held-statements.ts';
import { NOW } from './support.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe('claimJti', () => {
  it('TOK-15 admits the first use of (iss, jti) and refuses the second', async () => {
    const claim = { prisma: db.prisma, iss: 'ES-PN', jti: 'jti-seq', expiresAt: later(130) };
    expect(await claimJti(claim)).toBe(true);
    expect(await claimJti(claim)).toBe(false);
  });

  it('TOK-15 admits exactly one of 20 parallel claims', async () => {
    const claim = { prisma: db.prisma, iss: 'ES-PN', jti: 'jti-par', expiresAt: later(130) };
    const results = await Promise.all(Array.from({ length: 20 }, () => claimJti(claim)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('TOK-15 keeps the ids of different issuers apart', async () => {
    const claim = { prisma: db.prisma, jti: 'jti-shared', expiresAt: later(130) };
    expect(await claimJti({ ...claim, iss: 'ES-PN' })).toBe(true);
    expect(await claimJti({ ...claim, iss: 'NL-POLITIE' })).toBe(true);
  });

  it.runIf(process.env.DATABASE_URL)(
    'TOK-15 admits exactly one of 20 parallel claims spread over two PrismaClients (two gateway processes)',
    async () => {
      const other: Database = await openDatabase({ databaseUrl: db.url, poolSize: 10 });
      try {
        const claim = { iss: 'ES-PN', jti: 'jti-two-clients', expiresAt: later(130) };
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => claimJti({ ...claim, prisma: i % 2 ? other.prisma : db.prisma })),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      } finally {
        await other.close();
      }
    },
  );

  it('TOK-15 claims that arrive while a claim statement runs go together in the next, and still only the first use of an id wins', async () => {
    const { prisma, count } = heldStatements(db.prisma, 150);
    const claim = createJtiClaims(prisma);
    const base = { iss: 'ES-PN', expiresAt: later(130) };
    const first = claim({ ...base, jti: 'batch-0' });
    // Meanwhile (the first statement has started and is held): ten new ids, one id three times, and the first id again.
    await expect.poll(count).toBe(1);
    const later10 = Array.from({ length: 10 }, (_, i) => claim({ ...base, jti: `batch-${i + 1}` }));
    const same = Array.from({ length: 3 }, () => claim({ ...base, jti: 'batch-same' }));
    const again = claim({ ...base, jti: 'batch-0' });
    expect(await first).toBe(true);
    expect(await Promise.all(later10)).toEqual(Array(10).fill(true));
    expect(await Promise.all(same)).toEqual([true, false, false]);
    expect(await again).toBe(false);
    expect(count()).toBe(2);
    // The batch's ids are stored: a later claim of any of them is a replay, with or without batching.
    expect(await claimJti({ prisma: db.prisma, ...base, jti: 'batch-7' })).toBe(false);
    expect(await claim({ ...base, jti: 'batch-same' })).toBe(false);
  });

  it.runIf(process.env.DATABASE_URL)(
    'TOK-15 admits exactly one of 40 parallel claims made by two gateway processes that each batch theirs',
    async () => {
      const other: Database = await openDatabase({ databaseUrl: db.url, poolSize: 10 });
      try {
        const claimers = [createJtiClaims(db.statements), createJtiClaims(other.statements)];
        const claim = { iss: 'ES-PN', jti: 'jti-two-batching', expiresAt: later(130) };
        const results = await Promise.all(Array.from({ length: 40 }, (_, i) => claimers[i % 2]!(claim)));
        expect(results.filter(Boolean)).toHaveLength(1);
      } finally {
        await other.close();
      }
    },
  );

  it('refuses a jti that is too long, empty or not printable (programmer error: the verifier checks first)', async () => {
    const base = { prisma: db.prisma, iss: 'ES-PN', expiresAt: later(1) };
    await expect(claimJti({ ...base, jti: 'x'.repeat(129) })).rejects.toBeInstanceOf(TypeError);
    await expect(claimJti({ ...base, jti: '' })).rejects.toBeInstanceOf(TypeError);
    await expect(claimJti({ ...base, jti: 'a\u0000b' })).rejects.toBeInstanceOf(TypeError);
    await expect(createJtiClaims(db.prisma)({ iss: 'ES-PN', expiresAt: later(1), jti: '' })).rejects.toBeInstanceOf(TypeError);
    expect(isAcceptableJti('x'.repeat(128))).toBe(true);
    expect(isAcceptableJti('ä')).toBe(false);
    expect(isAcceptableJti(42)).toBe(false);
  });
});

describe('purgeExpiredJtis', () => {
  it('deletes only the ids whose expiry has passed', async () => {
    await claimJti({ prisma: db.prisma, iss: 'XX-PURGE', jti: 'old', expiresAt: later(-1) });
    await claimJti({ prisma: db.prisma, iss: 'XX-PURGE', jti: 'live', expiresAt: later(60) });
    expect(await purgeExpiredJtis(db.prisma, NOW)).toBe(1);
    const left = await db.prisma.replayCache.findMany({ where: { iss: 'XX-PURGE' }, select: { jti: true } });
    expect(left).toEqual([{ jti: 'live' }]);
    // Purged, the id is free again (its token has long expired, so this only matters to storage).
    expect(await claimJti({ prisma: db.prisma, iss: 'XX-PURGE', jti: 'old', expiresAt: later(60) })).toBe(true);
  });
});
