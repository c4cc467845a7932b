// MAT-38, MAT-39: the order an agency's events are delivered in. Event ids come from a
// sequence, so one transaction can take an id, another take the next and commit first; a reader
// that listed the second and moved its cursor past it would never deliver the first. Readers
// therefore list only ids that no transaction inserting events can still commit below
// (migration 20261206220000_agency_event_hold). Only such transactions hold ids back: a long
// transaction of any other kind, in this database or in another on the same server, holds back
// nothing (before, any transaction older than the event on the whole server did, so a partner's
// 70-second submission or another database's batch job delayed every agency's inbox).
// Needs concurrent connections: PostgreSQL only.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencyEventsPage } from '../../schema/events.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { listening, openEventStream } from './support.ts';

const postgres = Boolean(process.env.DATABASE_URL);

let gw: TestGateway;
let owner: TestAgency;
const clients: pg.Client[] = [];

/** A connection of its own to `url` (ended after the file). */
async function connection(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

/** Raises an event of the owner on `client` (in its transaction, if one is open); answers its id. */
async function raiseOn(client: pg.Client, note: string): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO agency_event (agency_id, type, payload) VALUES ($1, 'MATCH_HIT', jsonb_build_object('note', $2::text)) RETURNING id::text`,
    [owner.id, note],
  );
  return rows[0]!.id;
}

/** The owner's events after `after`, as GET /v1/events lists them. */
async function listed(after = '0'): Promise<string[]> {
  const res = await gw.rest(owner, 'GET', `/v1/events?after=${after}`);
  expect(res.status).toBe(200);
  return (res.json as { events: { id: string }[] }).events.map((e) => e.id);
}

beforeAll(async () => {
  if (!postgres) return;
  gw = await createTestGateway();
  owner = await gw.addAgency('VN-MPS');
});
afterAll(async () => {
  for (const client of clients) await client.end().catch(() => undefined);
  await gw?.close();
});

describe.skipIf(!postgres)('the order of an agency\'s events (PostgreSQL)', () => {
  it('MAT-38 holds back a committed event while a transaction that took a lower id runs, then delivers both in order', async () => {
    const first = await connection(gw.db.url!);
    const start = await listed();
    await first.query('BEGIN');
    const lower = await raiseOn(first, 'lower id, commits last');
    const higher = await raiseOn(await connection(gw.db.url!), 'higher id, commits first');
    expect(BigInt(higher)).toBeGreaterThan(BigInt(lower));

    // Committed, but listing it would move a cursor past `lower`.
    expect(await listed()).toEqual(start);
    expect((await agencyEventsPage(gw.db.prisma, owner.id, 0n, 100)).held).toBe(true);

    await first.query('COMMIT');
    expect(await listed()).toEqual([...start, lower, higher]);
    expect((await agencyEventsPage(gw.db.prisma, owner.id, BigInt(higher), 100)).held).toBe(false);
  });

  it('MAT-38 lets a rolled-back transaction hold back nothing once it has ended', async () => {
    const start = await listed();
    const doomed = await connection(gw.db.url!);
    await doomed.query('BEGIN');
    await raiseOn(doomed, 'rolled back');
    const kept = await raiseOn(await connection(gw.db.url!), 'kept');
    expect(await listed()).toEqual(start);
    await doomed.query('ROLLBACK');
    expect(await listed()).toEqual([...start, kept]);
  });

  it('MAT-39 holds back nothing for a long transaction that inserts no event, in this database or another of the server', async () => {
    const base = await listening(gw);
    const start = await listed();
    const stream = await openEventStream(base, await owner.token(), start.at(-1) ?? '0');
    expect(stream.status).toBe(200);
    const here = await connection(gw.db.url!);
    const elsewhere = await connection(process.env.DATABASE_URL!);
    try {
      // Two transactions with ids of their own, older than the event below, left open.
      for (const client of [here, elsewhere]) {
        await client.query('BEGIN');
        await client.query('SELECT pg_current_xact_id()');
      }
      const id = await raiseOn(await connection(gw.db.url!), 'while others run');
      expect(await listed()).toEqual([...start, id]);
      expect((await stream.nextEvent()).id).toBe(id);
    } finally {
      stream.close();
      await here.query('ROLLBACK');
      await elsewhere.query('ROLLBACK');
    }
  });

  it('MAT-38 delivers every event of concurrent writers once and in id order to a reader paging all along', async () => {
    // Many writers, each inserting and committing at its own time; a reader pages with a cursor
    // all along. It must end with every id, each once, ascending.
    const writers = await Promise.all([1, 2, 3, 4].map(() => connection(gw.db.url!)));
    const start = await listed();
    const cursorStart = start.at(-1) ?? '0';
    const inserted: string[] = [];
    const write = async (client: pg.Client, n: number) => {
      for (let i = 0; i < 15; i++) {
        await client.query('BEGIN');
        inserted.push(await raiseOn(client, `writer ${n} event ${i}`));
        await new Promise((resolve) => setTimeout(resolve, (i * 7 + n * 5) % 13));
        await client.query('COMMIT');
      }
    };
    const seen: string[] = [];
    let cursor = cursorStart;
    let writing = true;
    let deadline = Number.POSITIVE_INFINITY;
    const reading = (async () => {
      while (writing || (seen.length < inserted.length && Date.now() < deadline)) {
        const page = await listed(cursor);
        seen.push(...page);
        cursor = page.at(-1) ?? cursor;
        if (page.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await Promise.all(writers.map((client, n) => write(client, n)));
    deadline = Date.now() + 10_000;
    writing = false;
    await reading;
    expect(seen).toEqual([...inserted].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
  }, 60_000);
});
