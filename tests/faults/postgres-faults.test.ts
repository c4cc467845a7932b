// What partners see while the database misbehaves, on a PostgreSQL cluster of this file's own
// (tests/faults/cluster.ts; the shared server is never touched): a restart under load gives
// quick 503s with Retry-After and a retry reason (never a hang, never INTERNAL) and the gateway
// recovers by itself; an exhausted pool gives 503 once the pool wait is over; a statement
// over the statement timeout gives 503 `database_timeout`; /readyz follows each state. The
// gateway is built in this process (tests/helpers/app.ts) on a database of that cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openDatabase } from '../../kernel/db.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { clusterUnavailable, startPrivateCluster, type PrivateCluster } from './cluster.ts';

// The cluster is this file's own, but the file runs in the PostgreSQL pass of CI only: with the
// embedded-database fault tests the PGlite pass would take over a minute of faults.
const unavailable = process.env.DATABASE_URL ? clusterUnavailable() : 'runs only when DATABASE_URL is set (the PostgreSQL pass)';
const STATEMENT_TIMEOUT_MS = 300;
const POOL_SIZE = 3;
/** The database's retry reason, or token verification's when the database failed it (the jti check). */
const RETRY_REASONS = ['database_unavailable', 'verification_unavailable'];

type Answer = { status: number; ms: number; code?: string; reason?: string; retryAfter: string | null };

let cluster: PrivateCluster;
let gw: TestGateway;
let agency: TestAgency;

/** A GraphQL read of records (auth, then the suspect table), as a partner's answer. */
async function readSuspects(): Promise<Answer> {
  const started = performance.now();
  const r = await gw.gql(agency, '{ suspects(first: 1) { edges { node { id } } } }');
  const error = r.errors?.[0]?.extensions;
  return { status: r.status, ms: performance.now() - started, code: error?.code, reason: error?.reason as string | undefined, retryAfter: r.headers.get('retry-after') };
}

/** A REST read (auth, then the events table). */
async function readEventsRest(): Promise<Answer> {
  const started = performance.now();
  const response = await gw.app.fetch(
    new Request('http://gateway.test/v1/events', { headers: { authorization: `Bearer ${await agency.token()}` } }),
  );
  const body = (await response.json()) as { code?: string; reason?: string };
  return { status: response.status, ms: performance.now() - started, code: body.code, reason: body.reason, retryAfter: response.headers.get('retry-after') };
}

async function readyz(): Promise<number> {
  return (await gw.app.fetch(new Request('http://gateway.test/readyz'))).status;
}

/** Waits, bounded, for the gateway to answer a read again. */
async function recovered(): Promise<Answer> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await readSuspects();
    if (answer.status === 200 || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(unavailable !== undefined)(`database faults on a private PostgreSQL cluster${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  beforeAll(async () => {
    cluster = await startPrivateCluster();
    await cluster.createDatabase('liaison');
    const db = await openDatabase({ databaseUrl: cluster.url('liaison'), poolSize: POOL_SIZE, statementTimeoutMs: STATEMENT_TIMEOUT_MS });
    await db.migrate();
    gw = await createTestGateway({}, { db: Object.assign(db, { url: cluster.url('liaison') }) });
    agency = await gw.addAgency('ES-PN');
  });
  afterAll(async () => {
    await gw?.close();
    await gw?.db.close();
    await cluster?.remove();
  });

  it('REL-10 REL-13 a restart under load: quick 503s with Retry-After and a retry reason, never INTERNAL; /readyz 503 then 200; recovery without a gateway restart', async () => {
    expect((await readSuspects()).status).toBe(200);
    expect(await readyz()).toBe(200);
    const answers: Answer[] = [];
    let stop = false;
    // Four partners reading, bounded to 2,000 requests in all.
    const load = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 500 && !stop; i++) answers.push(await readSuspects());
    });
    await new Promise((r) => setTimeout(r, 300));
    await cluster.stop('fast');
    const whileDown = await readSuspects();
    const restDown = await readEventsRest();
    const readyDown = await readyz();
    await new Promise((r) => setTimeout(r, 500));
    await cluster.start();
    stop = true;
    await Promise.all(load);

    for (const answer of [whileDown, restDown]) {
      expect(answer).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(answer.retryAfter).toMatch(/^\d+$/);
    }
    expect(readyDown).toBe(503);
    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].every((s) => s === 200 || s === 503), JSON.stringify([...statuses])).toBe(true);
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of refused) {
      expect(a.code).toBe('SERVICE_UNAVAILABLE');
      expect(RETRY_REASONS).toContain(a.reason);
      expect(a.retryAfter).toMatch(/^\d+$/);
    }
    // Not a hang: nothing waited anywhere near a client's patience (the pool's connect wait is 5 s).
    expect(Math.max(...answers.map((a) => a.ms), whileDown.ms, restDown.ms)).toBeLessThan(15_000);

    expect((await recovered()).status).toBe(200);
    expect(await readyz()).toBe(200);
  }, 90_000);

  it('REL-11 REL-13 an exhausted pool: 503 database_unavailable with Retry-After once the pool wait is over; /readyz 503; both back once connections free', async () => {
    // Hold every connection of the reads pool in a sleeping transaction.
    const release: (() => void)[] = [];
    const held = Array.from({ length: POOL_SIZE }, () =>
      gw.db.prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1`;
        await new Promise<void>((r) => release.push(r));
      }, { timeout: 60_000, maxWait: 10_000 }),
    );
    await expect.poll(() => release.length, { timeout: 10_000 }).toBe(POOL_SIZE);
    try {
      const answer = await readSuspects();
      expect(answer).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      // Refused once the pool's connect wait (5 s) is over, not held until the client gives up.
      expect(answer.ms).toBeLessThan(15_000);
      expect(RETRY_REASONS).toContain(answer.reason);
      expect(answer.retryAfter).toMatch(/^\d+$/);
      expect(await readyz()).toBe(503);
    } finally {
      release.forEach((r) => r());
      await Promise.all(held);
    }
    expect((await readSuspects()).status).toBe(200);
    expect(await readyz()).toBe(200);
  }, 60_000);

  it('REL-12 a statement over the statement timeout: 503 database_timeout with Retry-After over GraphQL and REST, logged as a warning', async () => {
    const admin = new pg.Client({ connectionString: cluster.url('liaison') });
    await admin.connect();
    try {
      // Another session holds the record and event tables: the gateway's reads wait on the lock.
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE suspect, agency_event IN ACCESS EXCLUSIVE MODE');
      const graphql = await readSuspects();
      const rest = await readEventsRest();
      await admin.query('ROLLBACK');
      for (const answer of [graphql, rest]) {
        expect(answer).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', reason: 'database_timeout' });
        expect(answer.retryAfter).toMatch(/^\d+$/);
      }
      const warned = gw.logs.filter((l) => l.msg === 'database statement timeout');
      expect(warned.length).toBeGreaterThanOrEqual(2);
      expect(warned.every((l) => l.level === 40)).toBe(true);
    } finally {
      await admin.end();
    }
    expect((await readSuspects()).status).toBe(200);
  }, 60_000);
});
