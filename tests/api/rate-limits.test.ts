// Per-agency rate and cost limits and the per-address limit on failed authentication
// (docs/security-tests.md: ISO-09…16, ISO-34, ISO-36, ISO-37, ISO-38, ISO-40, GQL-12…14; docs/operations.md, "Limits"). Each
// gateway here is configured with low limits; the defaults stay far above what the rest of the
// suite sends. Counting windows are a real minute, and every test uses agencies of its own.
import { randomUUID } from 'node:crypto';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AVERAGE_PACE_FLOOR, averagePace, burstPerSecond, CONTENDED_MS, createAgencyLimits, HELD_REFUSALS_PER_AGENCY, OPERATIONS_WAITING_PER_AGENCY } from '../../api/limits/agency-limits.ts';
import { createCounters, type Counters } from '../../api/limits/counters.ts';
import type { EdgeContext } from '../../schema/context.ts';
import { queryCost } from '../../api/limits/query-cost.ts';
import type { Viewer } from '../../kernel/viewer.ts';
import { schema } from '../../schema/index.ts';
import type { Config } from '../../kernel/config.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

const LIMITS: Config['rateLimits'] = { requestsPerMinute: 5, costPerMinute: 400, authFailuresPerMinute: 3, costPerOperation: 5_000, concurrentPerAgency: 4, refusalDelayMs: 0 };
const OPERATOR = 'operator-credential-for-the-rate-limit-tests';

/** The query of issue 9, row 4: 10 aliases of 100 suspects, each with three per-item relations. */
const perItemRelations = (n: number) =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: suspects(first: 100) { edges { node { den { id } operation { code } alsoReportedBy { code } } } }`).join(' ')} }`;
const CHEAP = '{ me { agency { code } } }';

/** How long the agency's next start waits once it has used its burst of starts at once (ISO-38, ISO-40). */
async function waitAfterBurstOf(limits: ReturnType<typeof createAgencyLimits>, agency: TestAgency): Promise<number> {
  for (const release of await Promise.all(Array.from({ length: LIMITS.concurrentPerAgency }, () => limits.enterOperation(viewerOf(agency))))) release();
  const from = performance.now();
  (await limits.enterOperation(viewerOf(agency)))();
  return performance.now() - from;
}

let gw: TestGateway;
let counter = 0;
/** A fresh agency, so that each test starts with a full allowance. */
const freshAgency = () => gw.addAgency(`XA-T${++counter}`);

beforeAll(async () => {
  gw = await createTestGateway({ rateLimits: LIMITS }, { operatorToken: OPERATOR });
});
afterAll(() => gw?.close());

/** GET /v1/submissions/{id} of a submission that does not exist: one counted REST request. */
async function restRead(agency: TestAgency, target = gw) {
  return target.app.fetch(
    new Request(`http://gateway.test/v1/submissions/${randomUUID()}`, { headers: { authorization: `Bearer ${await agency.token()}` } }),
  );
}

/** A GraphQL request with the given Authorization header, from `remoteAddress`. */
function gqlFrom(remoteAddress: string, authorization: string) {
  return gw.app.fastify.inject({
    method: 'POST',
    url: '/graphql',
    remoteAddress,
    headers: { 'content-type': 'application/json', authorization },
    payload: JSON.stringify({ query: CHEAP }),
  });
}

const extensionsOf = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions ?? {};

/** The viewer the gateway would build for a token of `agency`. */
const viewerOf = (agency: TestAgency): Viewer => ({
  agencyId: agency.id,
  agencyCode: agency.code,
  agencyName: agency.code,
  subject: 'officer-1',
  scopes: ['records:read'],
  jti: randomUUID(),
  expiresAt: new Date(Date.now() + 60_000),
});

/** The coded refusal a call throws, or null when it passed. */
async function refusalOf(call: () => Promise<unknown> | unknown): Promise<{ code: string; reason?: string } | null> {
  try {
    await call();
    return null;
  } catch (error) {
    return error as { code: string; reason?: string };
  }
}

describe('one agency cannot crowd out the others within its allowance', () => {
  it('ISO-15 spreads a minute\'s requests out: at most twice the average per second (10 at least), other agencies untouched', async () => {
    expect([burstPerSecond(5), burstPerSecond(600), burstPerSecond(1200)]).toEqual([10, 20, 40]);
    // A gateway whose agencies may send 600 a minute: 20 in one second.
    const roomy = await createTestGateway({ rateLimits: { ...LIMITS, requestsPerMinute: 600 } });
    try {
      const flooding = await roomy.addAgency('XA-BURST');
      const other = await roomy.addAgency('XB-BURST');
      // 45 at once: whichever second they fall in, no second may admit more than 20.
      const outcomes = await Promise.all(Array.from({ length: 45 }, () => refusalOf(() => roomy.app.rateLimits.agencies.admitRequest(viewerOf(flooding), { viewer: null, requestId: randomUUID() }))));
      const refused = outcomes.filter((o) => o !== null);
      expect(45 - refused.length).toBeLessThanOrEqual(40);
      expect(refused.length).toBeGreaterThanOrEqual(5);
      expect(refused.every((o) => o?.code === 'RATE_LIMITED' && o.reason === 'request_burst')).toBe(true);
      expect(await refusalOf(() => roomy.app.rateLimits.agencies.admitRequest(viewerOf(other), { viewer: null, requestId: randomUUID() }))).toBeNull();
    } finally {
      await roomy.close();
    }
  });

  it('ISO-16 runs at most the set number of one agency\'s operations at once: more wait in that agency\'s queue, a full queue is refused, another agency never waits', async () => {
    const limits = gw.app.rateLimits.agencies;
    const agency = await freshAgency();
    const other = await freshAgency();
    const held = await Promise.all(Array.from({ length: LIMITS.concurrentPerAgency }, () => limits.enterOperation(viewerOf(agency))));
    // The next one waits for a slot of its own agency...
    let admitted = false;
    const waiting = limits.enterOperation(viewerOf(agency)).then((release) => {
      admitted = true;
      return release;
    });
    // ...while another agency is admitted at once.
    const othersSlot = await limits.enterOperation(viewerOf(other));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(admitted).toBe(false);
    held[0]!();
    held[0]!(); // giving a slot back twice gives back one
    const handedOver = await waiting;
    expect(admitted).toBe(true);
    // A full queue is refused at once.
    const queue = Array.from({ length: OPERATIONS_WAITING_PER_AGENCY }, () => limits.enterOperation(viewerOf(agency)));
    expect(await refusalOf(() => limits.enterOperation(viewerOf(agency)))).toMatchObject({ code: 'RATE_LIMITED', reason: 'concurrency_limit' });
    for (const release of [...held.slice(1), handedOver, othersSlot]) release();
    // Each queued operation gets a slot as one before it gives its own back.
    await Promise.all(queue.map(async (slot) => (await slot)()));
    // Over HTTP every answered operation gives its slot back: more operations than slots, one after the other.
    const caller = await freshAgency();
    for (let i = 0; i < LIMITS.concurrentPerAgency + 1; i++) expect((await gw.gql(caller, CHEAP)).errors).toBeUndefined();
  });

  it('ISO-37 starts one agency\'s operations at an even pace after a burst of as many as it may run at once; another agency is not paced by it', async () => {
    const store = createCounters({ redisUrl: undefined }, gw.db);
    // 5 requests a minute: 10 a second of burst, so a start every 100 ms once the 4 are used.
    const limits = createAgencyLimits({ config: { rateLimits: LIMITS }, prisma: gw.db.prisma, counters: store });
    const [agency, other] = [await freshAgency(), await freshAgency()];
    try {
      // As many as may run at once start together; their slots are given back at once, so only the pace holds the next.
      for (const release of await Promise.all(Array.from({ length: LIMITS.concurrentPerAgency }, () => limits.enterOperation(viewerOf(agency))))) release();
      const started: number[] = [];
      const paced = [0, 1, 2].map((i) =>
        limits.enterOperation(viewerOf(agency)).then((release) => {
          started.push(i);
          release();
        }),
      );
      (await limits.enterOperation(viewerOf(other)))();
      expect(started).toEqual([]);
      await Promise.all(paced);
      expect(started).toEqual([0, 1, 2]);
    } finally {
      await store.close();
    }
  });

  it("ISO-38 paces one agency's operations at its minute's average, not its burst rate, while another agency is active", async () => {
    const store = createCounters({ redisUrl: undefined }, gw.db);
    // 5 requests a minute: a start every 100 ms at the burst rate (10 a second), every 200 ms at
    // the average's floor (5 a second) while the gateway is shared.
    const limits = createAgencyLimits({ config: { rateLimits: LIMITS }, prisma: gw.db.prisma, counters: store });
    expect(burstPerSecond(LIMITS.requestsPerMinute)).toBe(10);
    expect(averagePace(LIMITS.requestsPerMinute)).toBe(AVERAGE_PACE_FLOOR);
    const waitAfterBurst = (agency: TestAgency) => waitAfterBurstOf(limits, agency);
    try {
      // Alone (in this limiter): the burst rate.
      const alone = await waitAfterBurst(await freshAgency());
      expect(alone).toBeGreaterThanOrEqual(90);
      await new Promise((resolve) => setTimeout(resolve, CONTENDED_MS + 50)); // the first agency is no longer active
      // Another agency has just started an operation: the average. (Lower bounds only: a start
      // is never sooner than its turn; how much later depends on the machine.)
      const [agency, other] = [await freshAgency(), await freshAgency()];
      (await limits.enterOperation(viewerOf(other)))();
      expect(await waitAfterBurst(agency)).toBeGreaterThanOrEqual(190);
    } finally {
      await store.close();
    }
  });

  it('ISO-40 paces an agency refused for its request limit at half its average while another agency is active', async () => {
    const store = createCounters({ redisUrl: undefined }, gw.db);
    const limits = createAgencyLimits({ config: { rateLimits: LIMITS }, prisma: gw.db.prisma, counters: store });
    const edge = () => ({}) as EdgeContext;
    const waitAfterBurst = (agency: TestAgency) => waitAfterBurstOf(limits, agency);
    try {
      const [flooding, other] = [await freshAgency(), await freshAgency()];
      for (let i = 0; i < LIMITS.requestsPerMinute; i++) await limits.admitRequest(viewerOf(flooding), edge());
      expect(await refusalOf(() => limits.admitRequest(viewerOf(flooding), edge()))).toMatchObject({ reason: 'request_limit' });
      // Shared: half the average's floor of 5 a second, a start every 400 ms (lower bound only).
      (await limits.enterOperation(viewerOf(other)))();
      // (With the average pace, as for an agency within its limit, it waited 200 ms.)
      expect(await waitAfterBurst(flooding)).toBeGreaterThanOrEqual(380);
    } finally {
      await store.close();
    }
  });

  it('GQL-14 refuses one operation costing more than one operation may, whatever is left of the minute, before it runs', async () => {
    const capped = await createTestGateway({ rateLimits: { ...LIMITS, requestsPerMinute: 100, costPerMinute: 100_000, costPerOperation: 1_000 } });
    try {
      const agency = await capped.addAgency('XA-CAPPED');
      const refused = await capped.gql(agency, `query TenAliases ${perItemRelations(10)}`);
      expect(refused.status).toBe(400);
      expect(extensionsOf(refused)).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ code: 'OPERATION_TOO_COSTLY', message: '3010 points, at most 1000 per operation' }] });
      expect(await capped.db.prisma.auditEvent.count({ where: { target: 'TenAliases' } })).toBe(0);
      expect((await capped.gql(agency, `query ThreeAliases ${perItemRelations(3)}`)).errors).toBeUndefined();
    } finally {
      await capped.close();
    }
  });
});

describe('requests per minute per agency', () => {
  it('ISO-09 refuses one agency past its requests per minute while another is answered in the same window', async () => {
    const flooding = await freshAgency();
    const other = await freshAgency();
    for (let i = 0; i < LIMITS.requestsPerMinute; i++) expect((await gw.gql(flooding, CHEAP)).errors).toBeUndefined();
    const refused = await gw.gql(flooding, CHEAP);
    expect(refused.status).toBe(429);
    expect(extensionsOf(refused)).toMatchObject({ code: 'RATE_LIMITED', reason: 'request_limit' });
    expect(refused.data ?? null).toBeNull();
    expect((await restRead(flooding)).status).toBe(429);
    for (let i = 0; i < LIMITS.requestsPerMinute; i++) {
      const answer = await gw.gql(other, CHEAP);
      expect([answer.status, answer.errors]).toEqual([200, undefined]);
    }
  });

  it('ISO-11 answers REST with RateLimit headers, then 429 with Retry-After and the same headers', async () => {
    const agency = await freshAgency();
    const first = await restRead(agency);
    expect(first.status).toBe(404);
    expect(first.headers.get('ratelimit-policy')).toBe('"requests";q=5;w=60');
    expect(first.headers.get('ratelimit')).toMatch(/^"requests";r=4;t=\d+$/);
    for (let i = 1; i < LIMITS.requestsPerMinute; i++) expect((await restRead(agency)).status).toBe(404);
    const refused = await restRead(agency);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit-policy')).toBe('"requests";q=5;w=60');
    expect(refused.headers.get('ratelimit')).toMatch(/^"requests";r=0;t=\d+$/);
    expect(await refused.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED', reason: 'request_limit', retryAfter });
  });
});

describe('an agency past its limit', () => {
  it('ISO-36 holds back the answers of an agency that keeps sending after its refusal, a bounded number at once', async () => {
    const store = createCounters({ redisUrl: undefined }, gw.db);
    // Long enough that the other agency's request below is always answered first.
    const limits = createAgencyLimits({ config: { rateLimits: { ...LIMITS, refusalDelayMs: 2_000 } }, prisma: gw.db.prisma, counters: store });
    const [agency, other] = [await freshAgency(), await freshAgency()];
    const edge = () => ({}) as EdgeContext;
    try {
      for (let i = 0; i < LIMITS.requestsPerMinute; i++) await limits.admitRequest(viewerOf(agency), edge());
      // The request that finds the agency over its limit is answered at once.
      expect(await refusalOf(() => limits.admitRequest(viewerOf(agency), edge()))).toMatchObject({ code: 'RATE_LIMITED', reason: 'request_limit' });
      const answered: number[] = [];
      const held = Array.from({ length: HELD_REFUSALS_PER_AGENCY }, (_, i) =>
        refusalOf(() => limits.admitRequest(viewerOf(agency), edge())).then((refusal) => {
          answered.push(i);
          return refusal;
        }),
      );
      // Another agency is neither held nor queued behind them.
      await limits.admitRequest(viewerOf(other), edge());
      expect(answered).toEqual([]);
      // Past the bound, the agency's further requests are refused at once, still before the held ones.
      expect(await refusalOf(() => limits.admitRequest(viewerOf(agency), edge()))).toMatchObject({ code: 'RATE_LIMITED', reason: 'request_limit' });
      expect(answered).toEqual([]);
      // Each held request is refused in the end, with a Retry-After made after the hold.
      for (const refusal of await Promise.all(held)) {
        expect(refusal).toMatchObject({ code: 'RATE_LIMITED', reason: 'request_limit' });
        expect(Number((refusal as { headers?: Record<string, string> }).headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
      }
    } finally {
      await store.close();
    }
  });

  it('ISO-34 is refused until its window ends without being counted again: a flood past the limit costs no counter write per request', async () => {
    const store = createCounters({ redisUrl: undefined }, gw.db);
    let counted = 0;
    const counters: Counters = {
      ...store,
      consumeTogether: (charges) => {
        counted++;
        return store.consumeTogether(charges);
      },
    };
    const limits = createAgencyLimits({ config: { rateLimits: LIMITS }, prisma: gw.db.prisma, counters });
    const agency = await freshAgency();
    const edge = () => ({}) as EdgeContext;
    try {
      for (let i = 0; i < LIMITS.requestsPerMinute; i++) await limits.admitRequest(viewerOf(agency), edge());
      expect(counted).toBe(LIMITS.requestsPerMinute);
      const retryAfters: string[] = [];
      for (let i = 0; i < 20; i++) {
        const at = edge();
        const refusal = (await refusalOf(() => limits.admitRequest(viewerOf(agency), at))) as { code: string; reason?: string; headers?: Record<string, string> } | null;
        expect(refusal).toMatchObject({ code: 'RATE_LIMITED', reason: 'request_limit' });
        retryAfters.push(refusal!.headers!['Retry-After']!);
        // The RateLimit headers still say where the agency stands.
        expect(at.rateLimits).toEqual([expect.objectContaining({ policy: 'requests', quota: LIMITS.requestsPerMinute, remaining: 0 })]);
      }
      // The first refusal was counted; the 19 after it were answered from what it found.
      expect(counted).toBe(LIMITS.requestsPerMinute + 1);
      expect(retryAfters.every((r) => Number(r) >= 1 && Number(r) <= 60)).toBe(true);
      // Another agency is counted as ever.
      await limits.admitRequest(viewerOf(await freshAgency()), edge());
      expect(counted).toBe(LIMITS.requestsPerMinute + 2);
      // The operator changing the limits through this process forgets what was found.
      limits.forgetOverrides();
      await refusalOf(() => limits.admitRequest(viewerOf(agency), edge()));
      expect(counted).toBe(LIMITS.requestsPerMinute + 3);
    } finally {
      await store.close();
    }
  });
});

describe('GraphQL cost points per minute per agency', () => {
  it('GQL-12 prices database work: the issue query costs its ~3,000 round trips, a cheap query a couple of points', () => {
    const cost = (query: string, variables?: Record<string, unknown>) => queryCost(schema, parse(query), variables);
    expect(cost(perItemRelations(10))).toBe(3010);
    expect(cost(perItemRelations(1))).toBe(301);
    expect(cost(CHEAP)).toBe(2);
    expect(cost('{ scamDens(first: 5) { totalCount } }')).toBe(2);
    // Page sizes from variables and from their declared defaults multiply like literals.
    const paged = 'query Q($n: Int = 100) { suspects(first: $n) { totalCount edges { node { id den { id } } } } }';
    expect(cost(paged)).toBe(102);
    expect(cost(paged, { n: 10 })).toBe(12);
    // Through fragments the same as inline.
    expect(cost('{ ...S } fragment S on Query { suspects(first: 100) { edges { node { ...R } } } } fragment R on Suspect { den { id } operation { code } alsoReportedBy { code } }')).toBe(301);
    // An omitted page size counts as the default page of 20.
    expect(cost('{ suspects { edges { node { den { id } } } } }')).toBe(21);
    // A required page-size variable counts as given; other variables are not read (execution
    // coerces and checks them): a match's identifiers, even malformed, change nothing here.
    expect(cost('query Q($n: Int!) { suspects(first: $n) { edges { node { den { id } } } } }', { n: 5 })).toBe(6);
    const match = 'query M($input: MatchInput!) { match(input: $input) { results { hit } } }';
    const identifiers = Array.from({ length: 100 }, (_, i) => ({ type: 'EMAIL', value: `p${i}@example.org` }));
    expect(cost(match, { input: { identifiers, purpose: 'x' } })).toBe(cost(match, { input: { identifiers: 'not a list' } }));
  });

  it('ISO-10 refuses an operation that costs more than is left with RATE_LIMITED and retryAfter, charges it nothing, and leaves other agencies alone', async () => {
    const spender = await freshAgency();
    const other = await freshAgency();
    const expensive = `query Expensive ${perItemRelations(1)}`;
    const paid = await gw.gql(spender, expensive);
    expect(paid.errors).toBeUndefined();
    expect(paid.headers.get('ratelimit-policy')).toBe('"requests";q=5;w=60, "cost";q=400;w=60');
    expect(paid.headers.get('ratelimit')).toMatch(/^"requests";r=4;t=\d+, "cost";r=99;t=\d+$/);

    const refused = await gw.gql(spender, expensive);
    expect(refused.status).toBe(429);
    expect(refused.data ?? null).toBeNull();
    const extensions = extensionsOf(refused);
    expect(extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'cost_limit' });
    expect(extensions.retryAfter).toEqual(Number(refused.headers.get('retry-after')));
    expect(extensions.retryAfter as number).toBeGreaterThanOrEqual(1);
    // It did not run: no resolver, no audited call; and it was not charged.
    expect(await gw.db.prisma.auditEvent.count({ where: { target: 'Expensive', agencyCode: spender.code } })).toBe(1);
    const cheap = await gw.gql(spender, CHEAP);
    expect(cheap.errors).toBeUndefined();
    expect(cheap.headers.get('ratelimit')).toMatch(/"cost";r=97;t=\d+$/);

    expect((await gw.gql(other, expensive)).errors).toBeUndefined();
  });

  it('GQL-13 refuses an operation that costs more than the whole allowance as bad input, before it runs', async () => {
    const agency = await freshAgency();
    const refused = await gw.gql(agency, `query Oversized ${perItemRelations(10)}`);
    expect(refused.status).toBe(400);
    expect(extensionsOf(refused)).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ code: 'COST_OVER_BUDGET', message: '3010 points, 400 per minute' }] });
    expect(await gw.db.prisma.auditEvent.count({ where: { target: 'Oversized' } })).toBe(0);
    expect((await gw.gql(agency, CHEAP)).headers.get('ratelimit')).toMatch(/"cost";r=398;t=\d+$/);
  });
});

describe('failed authentication per address', () => {
  it('ISO-12 answers 429 to an address past its failures per minute, even with a valid token, and audits the window once', async () => {
    await gw.app.rateLimits.failures.flush();
    const before = await gw.db.prisma.auditEvent.count({ where: { action: 'authenticate' } });
    const attacker = '127.0.0.7';
    const statuses: number[] = [];
    for (let i = 0; i < 10 && statuses.at(-1) !== 429; i++) statuses.push((await gqlFrom(attacker, 'Bearer not.a.token')).statusCode);
    // The failure that goes past the limit is still a 401; from then on the address gets 429.
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const agency = await freshAgency();
    const valid = await gqlFrom(attacker, `Bearer ${await agency.token()}`);
    expect(valid.statusCode).toBe(429);
    expect(JSON.parse(valid.body).errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'auth_failure_limit' });
    expect(Number(valid.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const rest = await gw.app.fastify.inject({ method: 'GET', url: `/v1/submissions/${randomUUID()}`, remoteAddress: attacker, headers: { authorization: 'Bearer x' } });
    expect(rest.statusCode).toBe(429);
    // Another address is not affected.
    expect((await gqlFrom('127.0.0.8', `Bearer ${await agency.token()}`)).statusCode).toBe(200);

    // Nothing was appended per refusal; the window's summary is one event.
    expect(await gw.db.prisma.auditEvent.count({ where: { action: 'authenticate' } })).toBe(before);
    await gw.app.rateLimits.failures.flush();
    const summaries = await gw.db.prisma.auditEvent.findMany({ where: { action: 'authenticate', seq: { gt: 0 } }, orderBy: { seq: 'asc' } });
    const mine = summaries.filter((e) => (e.detail as { ip?: string }).ip === attacker);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ outcome: 'denied', agencyCode: null });
    expect(mine[0]!.detail).toMatchObject({ ip: attacker, count: 7, reasons: { too_many_failures: 3 }, windowSeconds: 60 });
    expect(JSON.stringify(mine[0]!.detail)).not.toContain('not.a.token');
  });
});

describe('operator overrides', () => {
  async function setLimits(body: Record<string, unknown>) {
    return gw.app.fastify.inject({
      method: 'POST',
      url: '/admin/v1/agency-limits',
      headers: { 'content-type': 'application/json', 'x-liaison-operator': OPERATOR },
      payload: JSON.stringify(body),
    });
  }

  it("ISO-13 applies an agency's own limits set through the admin API at once, and `default` restores the gateway's", async () => {
    const agency = await freshAgency();
    const other = await freshAgency();
    const set = await setLimits({ code: agency.code, requestsPerMinute: 2, costPerMinute: 1000 });
    expect(set.statusCode).toBe(200);
    expect(JSON.parse(set.body)).toEqual({ code: agency.code, requestsPerMinute: 2, costPerMinute: 1000 });
    const first = await gw.gql(agency, perItemRelations(3));
    expect(first.errors).toBeUndefined();
    expect(first.headers.get('ratelimit-policy')).toBe('"requests";q=2;w=60, "cost";q=1000;w=60');
    expect((await gw.gql(agency, CHEAP)).errors).toBeUndefined();
    expect(extensionsOf(await gw.gql(agency, CHEAP)).code).toBe('RATE_LIMITED');
    expect((await gw.gql(other, CHEAP)).errors).toBeUndefined();

    expect((await setLimits({ code: agency.code, requestsPerMinute: null })).statusCode).toBe(200);
    const restored = await gw.gql(agency, CHEAP);
    expect(restored.errors).toBeUndefined();
    expect(restored.headers.get('ratelimit-policy')).toBe('"requests";q=5;w=60, "cost";q=1000;w=60');
    const audited = await gw.db.prisma.auditEvent.findFirst({ where: { action: 'agency.limits', target: agency.code }, orderBy: { seq: 'desc' } });
    expect(audited).toMatchObject({ subject: 'operator', outcome: 'ok', detail: { requestsPerMinute: null, costPerMinute: 1000 } });
  });

  it('ISO-13 refuses a bad override naming the field, and one without the operator credential', async () => {
    const bad = await setLimits({ code: 'XA-NOPE', requestsPerMinute: 0 });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).issues).toEqual([expect.objectContaining({ field: 'requestsPerMinute' })]);
    const unknown = await setLimits({ code: 'XA-NOPE', requestsPerMinute: 3 });
    expect([unknown.statusCode, JSON.parse(unknown.body).issues[0].field]).toEqual([400, 'code']);
    const anonymous = await gw.app.fastify.inject({ method: 'POST', url: '/admin/v1/agency-limits', payload: { code: 'XA-T1', requestsPerMinute: 1 } });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('shared by every gateway process', () => {
  it('ISO-14 counts in PostgreSQL when the database is PostgreSQL, in memory on the embedded database', () => {
    expect(gw.app.rateLimits.store).toBe(gw.db.kind === 'postgres' ? 'postgres' : 'memory');
  });

  it.runIf(process.env.DATABASE_URL)('ISO-14 two gateway processes on one PostgreSQL database share an agency budget', async () => {
    const second = await createTestGateway({ rateLimits: LIMITS }, { db: gw.db });
    try {
      const agency = await freshAgency();
      const answers: number[] = [];
      for (let i = 0; i <= LIMITS.requestsPerMinute; i++) answers.push((await restRead(agency, i % 2 ? second : gw)).status);
      expect(answers).toEqual([404, 404, 404, 404, 404, 429]);
      expect(await gw.db.prisma.rateLimitCounter.count({ where: { key: `liaison-requests:${agency.id}` } })).toBe(1);
    } finally {
      await second.close();
    }
  });

  it.runIf(process.env.REDIS_URL)('ISO-14 two gateway processes share an agency budget in Redis when REDIS_URL is set', async () => {
    const one = await createTestGateway({ rateLimits: LIMITS, redisUrl: process.env.REDIS_URL }, { db: gw.db });
    const two = await createTestGateway({ rateLimits: LIMITS, redisUrl: process.env.REDIS_URL }, { db: gw.db });
    try {
      expect(one.app.rateLimits.store).toBe('redis');
      const agency = await freshAgency();
      const answers: number[] = [];
      for (let i = 0; i <= LIMITS.requestsPerMinute; i++) answers.push((await restRead(agency, i % 2 ? two : one)).status);
      expect(answers).toEqual([404, 404, 404, 404, 404, 429]);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
