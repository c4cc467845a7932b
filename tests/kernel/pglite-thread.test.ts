// The embedded database on a thread of its own (kernel/pglite-thread.ts): a statement runs
// there, never on the thread that answers requests (ISO-44), and what crosses between the two
// behaves as PGlite itself does: errors keep their class and fields, transactions commit,
// roll back and order other statements the same way, values are parsed the same way (with
// the caller's own parsers where it has some), notifications arrive, and an idle database
// never keeps its process alive.
import { fileURLToPath } from 'node:url';
import { messages, TransactionAbortedError } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../kernel/db.ts';
import { PGliteThread } from '../../kernel/pglite-thread.ts';
import { runTsxChild } from '../helpers/child-process.ts';

const CHILD = fileURLToPath(new URL('./pglite-exit-child.ts', import.meta.url));
/** Only a guard against a hang: far above how long the child needs on a loaded machine. */
const HANG_GUARD_MS = 60_000;

describe('the embedded database on its own thread', () => {
  let thread: PGliteThread;
  beforeAll(async () => {
    thread = await PGliteThread.open({ dataDir: 'memory://' });
    await thread.exec('CREATE TABLE item (id int PRIMARY KEY, label text NOT NULL)');
  }, 60_000);
  afterAll(async () => {
    await thread.close();
  });

  it('ISO-44 answers while a statement runs: a timer set after the statement started fires before it ends', async () => {
    // Through the gateway's own client (Prisma on the embedded database), as a request would.
    let db: Database | undefined;
    try {
      db = await openDatabase({ dataDir: 'memory://' });
      const order: string[] = [];
      const statement = db.prisma.$queryRaw`SELECT pg_sleep(1.5)::text AS slept`.then(() => order.push('statement'));
      // Set once the statement is on its way; on one thread with PostgreSQL it fired only after.
      await new Promise((resolve) => setImmediate(resolve));
      const timer = new Promise((resolve) => setTimeout(resolve, 20)).then(() => order.push('timer'));
      await Promise.all([statement, timer]);
      expect(order).toEqual(['timer', 'statement']);
    } finally {
      await db?.close();
    }
  }, 60_000);

  it("rebuilds PostgreSQL's errors as PGlite's own class, with their fields", async () => {
    await thread.query('INSERT INTO item VALUES (1, $1)', ['first']);
    const error = await thread.query('INSERT INTO item VALUES (1, $1)', ['again']).then(
      () => expect.unreachable('a duplicate key was accepted'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(messages.DatabaseError);
    expect(error).toMatchObject({ code: '23505', constraint: 'item_pkey', table: 'item', severity: 'ERROR' });
  });

  it('commits what a transaction returns after, rolls back what throws and rethrows the same error', async () => {
    expect(await thread.transaction(async (tx) => (await tx.query('INSERT INTO item VALUES (2, $1) RETURNING id', ['two'])).rows)).toEqual([{ id: 2 }]);
    const thrown = new Error('the caller failed');
    await expect(
      thread.transaction(async (tx) => {
        await tx.query('INSERT INTO item VALUES (3, $1)', ['three']);
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    let closedAfterRollback = false;
    await thread.transaction(async (tx) => {
      await tx.query('INSERT INTO item VALUES (4, $1)', ['four']);
      await tx.rollback();
      closedAfterRollback = tx.closed;
    });
    expect(closedAfterRollback).toBe(true);
    expect((await thread.query<{ id: number }>('SELECT id FROM item ORDER BY id')).rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it('refuses a commit after a failed statement as TransactionAbortedError, and a statement on a transaction that has ended', async () => {
    const aborted = thread.transaction(async (tx) => {
      await tx.query('INSERT INTO item VALUES (1, $1)', ['duplicate']).catch(() => undefined);
    });
    await expect(aborted).rejects.toBeInstanceOf(TransactionAbortedError);
    let ended: { query: (sql: string) => Promise<unknown> } | undefined;
    await thread.transaction(async (tx) => {
      ended = tx;
    });
    await expect(ended!.query('SELECT 1')).rejects.toThrow('Transaction is closed');
  });

  it('holds a statement sent outside an open transaction until the transaction ends, as PGlite does', async () => {
    const order: string[] = [];
    let outside: Promise<unknown> | undefined;
    await thread.transaction(async (tx) => {
      await tx.query('INSERT INTO item VALUES (5, $1)', ['five']);
      outside = thread.query<{ n: number }>('SELECT count(*)::int AS n FROM item WHERE id = 5').then((r) => {
        order.push('outside');
        return r.rows[0]!.n;
      });
      await tx.query('SELECT pg_sleep(0.05)');
      order.push('transaction');
    });
    expect(await outside).toBe(1);
    expect(order).toEqual(['transaction', 'outside']);
  });

  it("parses values as PGlite does, and the caller's own parsers' types from PostgreSQL's text", async () => {
    const sql = `SELECT 7::int AS i, '{"a":1}'::jsonb AS j, ARRAY['x','y'] AS arr, '2026-12-08T01:02:03Z'::timestamptz AS t, 1.50::numeric AS n, NULL::numeric AS none`;
    const plain = (await thread.query<Record<string, unknown>>(sql)).rows[0]!;
    expect(plain).toEqual({ i: 7, j: { a: 1 }, arr: ['x', 'y'], t: new Date('2026-12-08T01:02:03Z'), n: '1.50', none: null });
    const numeric = 1700;
    const own = await thread.query<unknown[]>(sql, [], { rowMode: 'array', parsers: { [numeric]: (value: string) => `numeric:${value}` } });
    expect(own.rows).toEqual([[7, { a: 1 }, ['x', 'y'], new Date('2026-12-08T01:02:03Z'), 'numeric:1.50', null]]);
  });

  it('delivers notifications to a listener until it stops listening', async () => {
    const received: string[] = [];
    const unlisten = await thread.listen('"thread_test"', (payload) => received.push(payload));
    await thread.query(`SELECT pg_notify('thread_test', 'one')`);
    await unlisten();
    await thread.query(`SELECT pg_notify('thread_test', 'two')`);
    await thread.query('SELECT 1');
    expect(received).toEqual(['one']);
  });

  it('refuses every call once closed', async () => {
    const other = await PGliteThread.open({ dataDir: 'memory://' });
    await other.close();
    await expect(other.query('SELECT 1')).rejects.toThrow('the embedded database is closed');
  }, 60_000);

  it('keeps no process alive while idle: a process that opened the database and never closed it exits by itself', async () => {
    const run = await runTsxChild(CHILD, [], HANG_GUARD_MS);
    expect(run).toEqual({ code: 0, signal: null, output: 'answered 1\n', hung: false });
  }, HANG_GUARD_MS + 30_000);
});
