// Two gateway processes on one PostgreSQL database, as behind a load balancer (issue 13 §2):
// whatever process a partner's request reaches, a token is accepted once, the audit chain stays
// one verifiable chain, one Idempotency-Key stores one submission, an agency's rate limit is
// one budget, an event reaches the inbox, the stream and the webhook once, and a process
// killed (SIGKILL) in the middle of a submission leaves nothing of it while the other serves on.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAgencyWebhook } from '../../api/webhooks/registry.ts';
import { readWebhookLog } from '../../api/webhooks/registry.ts';
import { runLiaison } from '../helpers/cli.ts';
import { openEventStream, until } from '../events/support.ts';
import { bigLiaisonJson, liaisonJson, OPERATION, suspect, tableCounts } from '../ingest/support.ts';
import { addProcessAgency, MULTI_PSEUDONYM_KEY, startTwoGateways, type ProcessAgency, type TwoGateways } from './gateways.ts';

/** The agencies' default requests per minute on both processes: low, so a flood meets it. */
const REQUESTS_PER_MINUTE = 30;
const PASSPORT = 'C7654321';

type Fixture = Record<'owner' | 'asker' | 'writer' | 'submitter' | 'flooder' | 'crasher', ProcessAgency>;

let two: TwoGateways & { fixture: Fixture };
let a: string;
let b: string;
let receiver: { server: Server; url: string; received: { eventId: string | undefined }[] };

async function startReceiver() {
  const received: { eventId: string | undefined }[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received.push({ eventId: request.headers['liaison-event-id'] as string | undefined });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

async function gql(url: string, agency: ProcessAgency, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token ?? (await agency.token())}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown>; errors?: { extensions?: { code?: string; reason?: string } }[] } };
}

async function submit(url: string, agency: ProcessAgency, body: string, key?: string) {
  const response = await fetch(`${url}/v1/submissions?format=liaison-json&operation=${OPERATION}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await agency.token()}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body,
  });
  return { status: response.status, body: (await response.json()) as { id?: string; code?: string } };
}

const ME = '{ me { agency { code } } }';

/** Whether another session's transaction is writing to the suspect table (holds its row-exclusive lock). */
async function writingSuspects(): Promise<boolean> {
  const [row] = await two.db.prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
    WHERE c.relname = 'suspect' AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()`;
  return row!.n > 0;
}

describe.skipIf(!process.env.DATABASE_URL)('two gateway processes on one PostgreSQL (skipped without DATABASE_URL)', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    receiver = await startReceiver();
    two = await startTwoGateways(
      async (db) => {
        const codes = ['owner', 'asker', 'writer', 'submitter', 'flooder', 'crasher'] as const;
        const agencies = {} as Fixture;
        for (const [i, name] of codes.entries()) agencies[name] = await addProcessAgency(db, `X${String.fromCharCode(65 + i)}-${name.toUpperCase()}`);
        await db.prisma.operation.create({
          data: {
            code: OPERATION,
            name: 'Two processes',
            leadId: agencies.owner.id,
            participants: { create: [agencies.owner, agencies.submitter, agencies.crasher].map((x) => ({ agencyId: x.id })) },
          },
        });
        await setAgencyWebhook(db.prisma, { code: agencies.owner.code, url: receiver.url }, { allowLoopback: true });
        return agencies;
      },
      { LIAISON_RATE_REQUESTS_PER_MINUTE: String(REQUESTS_PER_MINUTE) },
    );
    [a, b] = two.gateways.map((g) => g.url) as [string, string];
  }, 240_000);
  afterAll(async () => {
    await two?.close();
    await new Promise<void>((resolve) => (receiver ? receiver.server.close(() => resolve()) : resolve()));
  });

  it('REL-14 accepts one token once across both processes (10 parallel uses, 5 on each)', async () => {
    const { asker } = two.fixture;
    const token = await asker.token();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => gql(i % 2 ? b : a, asker, ME, {}, token)));
    const admitted = answers.filter((x) => x.status === 200 && !x.body.errors);
    expect(admitted).toHaveLength(1);
    for (const refused of answers.filter((x) => x.status !== 200)) {
      expect(refused.status).toBe(401);
      expect(refused.body.errors?.[0]?.extensions?.reason).toBe('token_reused');
    }
  });

  it('REL-15 keeps one audit chain that `liaison audit verify` accepts after concurrent writes through both', async () => {
    const { writer, asker, owner } = two.fixture;
    const before = await two.db.prisma.auditEvent.count();
    // Three agencies at 8 requests each, under the burst limit of 10 a second per agency.
    const writers = [writer, asker, owner];
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => gql(i % 2 ? b : a, writers[i % 3]!, ME)));
    expect(answers.filter((x) => x.status !== 200).map((x) => JSON.stringify(x.body))).toEqual([]);
    expect(await two.db.prisma.auditEvent.count()).toBeGreaterThanOrEqual(before + 24);
    const verified = await runLiaison(['audit', 'verify'], {
      PATH: process.env.PATH,
      DATABASE_URL: two.db.url,
      LIAISON_PSEUDONYM_KEY: MULTI_PSEUDONYM_KEY,
      LOG_LEVEL: 'warn',
    });
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  });

  it('REL-16 stores one submission for one Idempotency-Key sent to both processes at once; later retries replay it', async () => {
    const { submitter } = two.fixture;
    const file = liaisonJson([suspect('IDEM-1', 'E1000001')]);
    const first = await Promise.all([submit(a, submitter, file, 'idem-two-1'), submit(b, submitter, file, 'idem-two-1')]);
    // One stores it; the other replays it (200) or, while the first still runs, is told so (409).
    const statuses = first.map((x) => x.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect([200, 409]).toContain(statuses.find((s) => s !== 201));
    const stored = first.find((x) => x.status === 201)!.body.id;
    for (const url of [a, b]) expect(await submit(url, submitter, file, 'idem-two-1')).toMatchObject({ status: 200, body: { id: stored } });
    expect(await two.db.prisma.submission.count({ where: { agencyId: submitter.id, idempotencyKey: 'idem-two-1' } })).toBe(1);
  });

  it('ISO-20 limits a flood split across both processes as one budget', async () => {
    const { flooder } = two.fixture;
    const answers: { status: number; reason?: string }[] = [];
    for (let i = 0; i < REQUESTS_PER_MINUTE + 10; i++) {
      const answer = await gql(i % 2 ? b : a, flooder, ME);
      answers.push({ status: answer.status, reason: answer.body.errors?.[0]?.extensions?.reason });
      // Under the burst limit (10 a second), so only the minute's budget refuses.
      await new Promise((r) => setTimeout(r, 120));
    }
    expect(answers.slice(0, REQUESTS_PER_MINUTE).every((x) => x.status === 200)).toBe(true);
    expect(answers.slice(REQUESTS_PER_MINUTE).map((x) => x.status)).toEqual(Array(10).fill(429));
  });

  it('REL-17 delivers an event once: to the inbox read through either process, to a stream on the other process, and to the webhook', async () => {
    const { owner, asker } = two.fixture;
    expect((await submit(a, owner, liaisonJson([{ ...suspect('S-RED', 'X'), sharingLevel: 'RED', identifiers: [{ type: 'PASSPORT', country: 'VN', value: PASSPORT }] }]))).status).toBe(201);
    const stream = await openEventStream(b, await owner.token());
    try {
      expect(stream.status).toBe(200);
      for (let i = 0; i < 3; i++) {
        const hit = await gql(i % 2 ? b : a, asker, 'query($i: MatchInput!) { match(input: $i) { results { hit } } }', {
          i: { identifiers: [{ type: 'PASSPORT', value: PASSPORT, country: 'VN' }], purpose: `two processes ${i}` },
        });
        expect(hit.body.errors).toBeUndefined();
      }
      const streamed = [await stream.nextEvent(), await stream.nextEvent(), await stream.nextEvent()];
      expect(streamed.map((e) => e.type)).toEqual(['MATCH_HIT', 'MATCH_HIT', 'MATCH_HIT']);
      const ids = streamed.map((e) => e.id);
      expect(new Set(ids).size).toBe(3);

      await until(async () => (await readWebhookLog(two.db.prisma, owner.code)).delivered >= 3, 'three webhook deliveries');
      const log = await readWebhookLog(two.db.prisma, owner.code);
      expect(log).toMatchObject({ delivered: 3, pending: 0, failed: 0 });
      expect(receiver.received.map((r) => r.eventId).sort()).toEqual([...ids].sort());

      for (const url of [a, b]) {
        const inbox = await fetch(`${url}/v1/events`, { headers: { authorization: `Bearer ${await owner.token()}` } });
        const page = (await inbox.json()) as { events: { id: string; type: string }[] };
        expect(page.events.filter((e) => e.type === 'MATCH_HIT').map((e) => e.id)).toEqual(ids);
      }
    } finally {
      stream.close();
    }
  });

  it('REL-18 a process killed (SIGKILL) in the middle of a submission leaves nothing of it; the other serves on and takes the retry once', async () => {
    const { crasher } = two.fixture;
    const [one] = two.gateways;
    const before = await tableCounts(two.db);
    const file = bigLiaisonJson(6_000, 'K');
    const pending = submit(a, crasher, file, 'crash-two-1').catch((error: unknown) => error);
    // Killed once its transaction writes records (it holds a row lock on the suspect table).
    await until(writingSuspects, 'the submission to write records');
    one.child.kill('SIGKILL');
    await one.exited;
    expect(await pending).toBeInstanceOf(Error);
    // PostgreSQL rolls the killed process's transaction back once it sees the connection gone;
    // until then its locks stand (a retry meanwhile is told 409, still in progress).
    await until(async () => !(await writingSuspects()), 'the killed transaction to end');
    expect(await tableCounts(two.db)).toEqual(before);
    expect(await two.db.prisma.submission.count({ where: { agencyId: crasher.id } })).toBe(0);

    expect((await gql(b, crasher, ME)).status).toBe(200);
    const retried = await submit(b, crasher, file, 'crash-two-1');
    expect(retried.status).toBe(201);
    expect(await submit(b, crasher, file, 'crash-two-1')).toMatchObject({ status: 200, body: { id: retried.body.id } });
    expect(await two.db.prisma.submission.count({ where: { agencyId: crasher.id } })).toBe(1);
  });
});
