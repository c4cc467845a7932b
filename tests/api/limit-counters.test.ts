// The counters behind the per-agency limits (api/limits/counters.ts): a request's minute and
// second counts are added together, in one statement on PostgreSQL, into exactly the rows that
// each kind's own counter reads, so gateways that count one way or the other share one budget;
// a store that fails counts in this process's memory instead of refusing or admitting all.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCounters, type Counters } from '../../api/limits/counters.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;
let counters: Counters;

beforeAll(async () => {
  db = await createTestDatabase();
  counters = createCounters({ redisUrl: undefined }, db);
  counters.counter('requests');
  counters.counter('requests-per-second', 1);
});
afterAll(async () => {
  await counters?.close();
  await db?.close();
});

describe('counting several limits at once', () => {
  it('ISO-30 adds the minute and second counts in the rows each counter reads, one request at a time', async () => {
    const agency = randomUUID();
    const charges = [
      { kind: 'requests', key: agency, points: 1 },
      { kind: 'requests-per-second', key: agency, points: 1 },
    ];
    const first = await counters.consumeTogether(charges);
    const second = await counters.consumeTogether(charges);
    expect(first.map((r) => r.consumedPoints)).toEqual([1, 1]);
    expect(second.map((r) => r.consumedPoints)).toEqual([2, 2]);
    expect(second[0]!.msBeforeNext).toBeGreaterThan(1_000);
    expect(second[0]!.msBeforeNext).toBeLessThanOrEqual(60_000);
    expect(second[1]!.msBeforeNext).toBeLessThanOrEqual(1_000);
    // The kind's own counter, as a gateway giving a request back uses it, reads and changes the same count.
    await counters.counter('requests').reward(agency, 1);
    expect((await counters.counter('requests').get(agency))?.consumedPoints).toBe(1);
    expect((await counters.consumeTogether(charges.slice(0, 1)))[0]!.consumedPoints).toBe(2);
    if (db.kind === 'postgres') {
      const rows = await db.prisma.rateLimitCounter.findMany({ where: { key: { in: [`liaison-requests:${agency}`, `liaison-requests-per-second:${agency}`] } } });
      expect(rows.map((r) => r.key).sort()).toEqual([`liaison-requests-per-second:${agency}`, `liaison-requests:${agency}`]);
    }
  });

  // The embedded database counts in this process's memory.
  it.runIf(process.env.DATABASE_URL)('counts on sessions whose commits do not wait for the disk, while the records\' pools do', async () => {
    expect((await db.limitsPool!.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]!.synchronous_commit).toBe('off');
    const [records] = await db.prisma.$queryRawUnsafe<{ synchronous_commit: string }[]>('SHOW synchronous_commit');
    expect(records!.synchronous_commit).toBe('on');
  });

  it.runIf(process.env.DATABASE_URL)('ISO-42 counts the requests that arrive while a statement runs in the next one, each reading its own count in arrival order', async () => {
    let statements = 0;
    const held: Pick<pg.Pool, 'query'> = {
      query: (async (...args: Parameters<pg.Pool['query']>) => {
        if (++statements === 1) await new Promise((resolve) => setTimeout(resolve, 300));
        return (db.limitsPool!.query as (...a: unknown[]) => unknown)(...args);
      }) as pg.Pool['query'],
    };
    const batching = createCounters({ redisUrl: undefined }, { limitsPool: held as pg.Pool });
    try {
      batching.counter('requests');
      batching.counter('requests-per-second', 1);
      const [busy, quiet] = [randomUUID(), randomUUID()];
      const request = (agency: string) =>
        batching.consumeTogether([
          { kind: 'requests', key: agency, points: 1 },
          { kind: 'requests-per-second', key: agency, points: 1 },
        ]);
      const first = request(busy);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const meanwhile = Array.from({ length: 30 }, (_, i) => (i === 10 ? request(quiet) : request(busy)));
      const counts = await Promise.all([first, ...meanwhile]);
      expect(statements).toBe(2);
      // The busy agency's 30 requests read 1..30 in the order they came; the other agency's, 1.
      const busyCounts = counts.filter((_, i) => i !== 11).map((pair) => pair.map((r) => r.consumedPoints));
      expect(busyCounts).toEqual(Array.from({ length: 30 }, (_, i) => [i + 1, i + 1]));
      expect(counts[11]!.map((r) => r.consumedPoints)).toEqual([1, 1]);
      // The rows hold the sums, and the kinds' own counters read them.
      expect((await batching.counter('requests').get(busy))?.consumedPoints).toBe(30);
      expect((await counters.counter('requests').get(quiet))?.consumedPoints).toBe(1);
    } finally {
      await batching.close();
    }
  });

  it('ISO-30 keeps other agencies\' counts apart in one call', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await counters.consumeTogether([{ kind: 'requests', key: a, points: 3 }]);
    const both = await counters.consumeTogether([
      { kind: 'requests', key: a, points: 1 },
      { kind: 'requests', key: b, points: 1 },
    ]);
    expect(both.map((r) => r.consumedPoints)).toEqual([4, 1]);
  });

  it('ISO-30 counts in memory, per kind, when the PostgreSQL store cannot be reached', async () => {
    const unreachable = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 500, max: 1 });
    unreachable.on('error', () => undefined);
    const cut = createCounters({ redisUrl: undefined }, { limitsPool: unreachable });
    try {
      cut.counter('requests');
      cut.counter('requests-per-second', 1);
      const agency = randomUUID();
      const charges = [
        { kind: 'requests', key: agency, points: 1 },
        { kind: 'requests-per-second', key: agency, points: 1 },
      ];
      await cut.consumeTogether(charges);
      expect((await cut.consumeTogether(charges)).map((r) => r.consumedPoints)).toEqual([2, 2]);
    } finally {
      await cut.close();
      await unreachable.end();
    }
  });
});
