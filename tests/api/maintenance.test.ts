// The service's housekeeping (api/maintenance.ts), which api/server.ts and the benchmarks'
// gateway child both start: every interval the replay cache loses the jtis of expired tokens
// and keeps the others; a round that fails is logged and the next one runs all the same.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { claimJti } from '../../api/auth/replay-cache.ts';
import { startMaintenance } from '../../api/maintenance.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { until } from '../events/support.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());
afterEach(() => {
  vi.useRealTimers();
});

const stored = async () => (await db.prisma.replayCache.findMany({ orderBy: { jti: 'asc' } })).map((r) => r.jti);

describe('startMaintenance', () => {
  it('REL-21 drops the jtis of expired tokens every interval and keeps the unexpired', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    await claimJti({ prisma: db.prisma, iss: 'ES-PN', jti: 'expired', expiresAt: new Date(Date.now() - 1_000) });
    await claimJti({ prisma: db.prisma, iss: 'ES-PN', jti: 'valid', expiresAt: new Date(Date.now() + 3_600_000) });
    const warn = vi.fn();
    const maintenance = startMaintenance({ prisma: db.prisma, logger: { warn }, intervalMs: 60_000 });
    try {
      expect(await stored()).toEqual(['expired', 'valid']);
      vi.advanceTimersByTime(60_000);
      await until(async () => (await stored()).length === 1, 'the purge of the expired jti');
      expect(await stored()).toEqual(['valid']);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      maintenance.stop();
    }
  });

  it('REL-21 logs a failed purge and purges again at the next interval', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const deleteMany = vi.fn().mockRejectedValueOnce(new Error('connection lost')).mockResolvedValue({ count: 0 });
    // Only the replay cache is reachable; the disclosure sweep fails every round and says so.
    const prisma = { replayCache: { deleteMany } } as unknown as PrismaClient;
    const warn = vi.fn();
    const maintenance = startMaintenance({ prisma, logger: { warn }, intervalMs: 1_000 });
    try {
      vi.advanceTimersByTime(1_000);
      await until(async () => warn.mock.calls.some(([, message]) => message === 'replay-cache purge failed'), 'the failed purge to be logged');
      vi.advanceTimersByTime(1_000);
      await until(async () => deleteMany.mock.calls.length === 2, 'the next purge');
      expect(warn.mock.calls.filter(([, message]) => message === 'replay-cache purge failed')).toHaveLength(1);
      maintenance.stop();
      vi.advanceTimersByTime(5_000);
      expect(deleteMany).toHaveBeenCalledTimes(2);
    } finally {
      maintenance.stop();
    }
  });
});
