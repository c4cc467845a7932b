// Submissions write through their own connection pool on PostgreSQL, so however many of them
// hold transactions, requests that read still get connections (isolation between partners).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../kernel/db.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe.skipIf(!process.env.DATABASE_URL)('separate pools for reads and submission writes (PostgreSQL)', () => {
  let base: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    base = await createTestDatabase();
    db = await openDatabase({ databaseUrl: base.url, poolSize: 1, writerPoolSize: 2 });
  });
  afterAll(async () => {
    await db?.close();
    await base?.close();
  });

  it('ISO-06 answers a read while every writer connection is held by a transaction', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = 0;
    let allIn!: () => void;
    const bothIn = new Promise<void>((resolve) => (allIn = resolve));
    const holders = [1, 2].map(() =>
      db.writer.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT 1`;
          if (++entered === 2) allIn();
          await gate;
        },
        { timeout: 60_000, maxWait: 60_000 },
      ),
    );
    await bothIn;
    // With one shared pool this read would wait for a writer to finish (and time out).
    expect(await db.prisma.agency.count()).toBe(0);
    release();
    await Promise.all(holders);
  });

  it("hands ingest the connection of a write transaction: what is sent on it runs inside that transaction", async () => {
    const name = async (run: (sql: string) => Promise<{ application_name: string }[]>) => (await run('SHOW application_name'))[0]!.application_name;
    await db.writer.$transaction(async (tx) => {
      const connection = await db.connectionOf(tx);
      expect(connection).toBeDefined();
      // SET LOCAL lasts until the transaction ends: seen through Prisma, it was the same transaction.
      await connection!.query("SET LOCAL application_name = 'liaison-connection-of'");
      expect(await name((sql) => tx.$queryRawUnsafe(sql))).toBe('liaison-connection-of');
    });
    await db.writer.$transaction(async (tx) => {
      expect(await name((sql) => tx.$queryRawUnsafe(sql))).not.toBe('liaison-connection-of');
    });
  });

  it('prepares a statement given as text and values once per connection, as a batch statement sent for every batch is', async () => {
    const text = 'SELECT $1::int + 1 AS next /* connection-of prepared */';
    await db.writer.$transaction(async (tx) => {
      const connection = (await db.connectionOf(tx))!;
      const answers = [];
      for (const n of [1, 2, 3]) answers.push((await connection.query<{ next: number }>({ text, values: [n] })).rows[0]!.next);
      expect(answers).toEqual([2, 3, 4]);
      const prepared = await connection.query<{ n: number }>({ text: 'SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1', values: [text] });
      expect(prepared.rows[0]!.n).toBe(1);
    });
  });
});

describe.skipIf(Boolean(process.env.DATABASE_URL))('embedded database', () => {
  it("writes through the one PGlite client, and hands ingest that client's open transaction: what is sent on it runs inside it", async () => {
    const db = await openDatabase({ dataDir: 'memory://' });
    const name = async (tx: { $queryRawUnsafe<T>(sql: string): Promise<T> }) =>
      (await tx.$queryRawUnsafe<{ application_name: string }[]>('SHOW application_name'))[0]!.application_name;
    try {
      expect(db.writer).toBe(db.prisma);
      await db.prisma.$transaction(async (tx) => {
        const connection = await db.connectionOf(tx);
        // PGlite sends bytes as bytea: ingest sends its jsonb as text there.
        expect(connection?.binaryParameters).toBe(false);
        // SET LOCAL lasts until the transaction ends: seen through Prisma, it was the same transaction.
        await connection!.query("SET LOCAL application_name = 'liaison-connection-of'");
        expect(await name(tx)).toBe('liaison-connection-of');
        expect((await connection!.query<{ n: number }>({ text: 'SELECT $1::int + 1 AS n', values: [41] })).rows).toEqual([{ n: 42 }]);
      });
      await db.prisma.$transaction(async (tx) => {
        expect(await name(tx)).not.toBe('liaison-connection-of');
        // The next transaction is handed out too: the one open now.
        const connection = await db.connectionOf(tx);
        await connection!.query("SET LOCAL application_name = 'the-next-one'");
        expect(await name(tx)).toBe('the-next-one');
      });
      // Outside a transaction Prisma's client is not the open transaction (there is none).
      expect(await db.connectionOf(db.prisma)).toBeUndefined();
    } finally {
      await db.close();
    }
  });
});
