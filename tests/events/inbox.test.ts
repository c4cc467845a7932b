// The agency's inbox, live and polled: a MATCH_HIT raised by a partner's match reaches the
// owner over the GraphQL subscription (SSE, on a listening gateway), through the `events`
// query and through GET /v1/events; the partner never sees it; nothing in it is a raw value
// or a selector hash; a reconnecting client that gives `after` misses nothing; an agency's
// open streams are capped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../api/auth/keys.ts';
import { createEventHub } from '../../api/events/hub.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { listening, matchOwnerRecord, openEventStream, PASSPORT, seedOwnerRecord, until, WAIT_MS, type StreamedEvent } from './support.ts';

let gw: TestGateway;
let owner: TestAgency;
let asker: TestAgency;
let base: string;

const EVENTS = `query($after: String, $first: Int) { events(after: $after, first: $first) {
  totalCount edges { cursor node { id type occurredAt payload } } pageInfo { hasNextPage endCursor } } }`;
type EventsData = {
  events: { totalCount: number; edges: { cursor: string; node: StreamedEvent }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
};

/** GET /v1/events of `agency`: the inbox for polling clients. */
const restEvents = (agency: TestAgency, query = '', scope?: string) => gw.rest(agency, 'GET', `/v1/events${query}`, undefined, scope ? { scope } : {});

/** Raises an event for `agency` the way every inserter does: a row in the outbox table. */
const raiseEvent = (agency: TestAgency, type: string, payload: object) =>
  gw.db.prisma.agencyEvent.create({ data: { agencyId: agency.id, type, payload, createdAt: gw.clock.now } });

const noSecrets = (value: unknown) => {
  const text = JSON.stringify(value);
  expect(text).not.toContain(PASSPORT);
  expect(text).not.toMatch(/[0-9a-f]{40,}/i);
};

beforeAll(async () => {
  gw = await createTestGateway({ eventStreamsPerAgency: 2 });
  owner = await gw.addAgency('VN-MPS');
  asker = await gw.addAgency('ES-PN');
  await seedOwnerRecord(gw, owner);
  base = await listening(gw);
});
afterAll(async () => {
  await gw?.close();
});

describe('Subscription.events over SSE', () => {
  it('MAT-15 streams a MATCH_HIT on its record to the owner as it happens', async () => {
    const stream = await openEventStream(base, await owner.token());
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      await matchOwnerRecord(gw, asker, 'tracing a money mule');
      const event = await stream.nextEvent();
      expect(event).toMatchObject({ type: 'MATCH_HIT', payload: { recordType: 'SUSPECT', matchedBy: 'ES-PN', purpose: 'tracing a money mule' } });
      noSecrets(event);
    } finally {
      stream.close();
    }
  });

  it('MAT-15 a stream from now holds every event committed once the subscription has answered, read or not', async () => {
    // The hub of the gateway's own notifier, so the stream can be held unread: its start is
    // fixed when `subscribe` answers (before the response's head goes out), not when the
    // client first reads.
    const hub = createEventHub({ db: gw.db, notifier: gw.app.notifier, now: () => gw.clock.now, maxStreamsPerAgency: 1 });
    const viewer = { agencyId: owner.id, agencyCode: owner.code, agencyName: owner.code, subject: 'test', scopes: [], jti: 'j', expiresAt: new Date(gw.clock.now.getTime() + 60_000) };
    try {
      const stream = (await hub.subscribe(viewer, undefined))[Symbol.asyncIterator]();
      await raiseEvent(owner, 'PARTICIPANT_JOINED', { operation: 'OP-BEFORE-READ', agency: 'ES-PN' });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no event within ${WAIT_MS} ms`)), WAIT_MS)));
      const first = await Promise.race([stream.next(), late]).finally(() => clearTimeout(timer));
      expect(first.value).toMatchObject({ type: 'PARTICIPANT_JOINED', payload: { operation: 'OP-BEFORE-READ' } });
      await stream.return?.();
    } finally {
      await hub.close();
    }
  });

  it('MAT-15 replays every event after `after` to a reconnecting client, then goes on live', async () => {
    const seen = await gw.gql<EventsData>(owner, EVENTS, { first: 100 });
    const last = seen.data!.events.edges.at(-1)!.cursor;
    await matchOwnerRecord(gw, asker, 'missed while offline');
    const stream = await openEventStream(base, await owner.token(), last);
    try {
      expect(await stream.nextEvent()).toMatchObject({ type: 'MATCH_HIT', payload: { purpose: 'missed while offline' } });
      await matchOwnerRecord(gw, asker, 'live again');
      expect(await stream.nextEvent()).toMatchObject({ type: 'MATCH_HIT', payload: { purpose: 'live again' } });
    } finally {
      stream.close();
    }
  });

  it("MAT-16 never streams one agency's events to another", async () => {
    const askerStream = await openEventStream(base, await asker.token());
    try {
      await matchOwnerRecord(gw, asker, 'not for the asker');
      await raiseEvent(asker, 'PARTICIPANT_JOINED', { operation: 'OP-X', agency: 'PH-NBI' });
      // The first event the asker receives is its own, raised after the owner's.
      expect(await askerStream.nextEvent()).toMatchObject({ type: 'PARTICIPANT_JOINED', payload: { operation: 'OP-X' } });
    } finally {
      askerStream.close();
    }
  });

  it('MAT-20 caps the streams an agency holds open, and answers the one over the cap RATE_LIMITED', async () => {
    const open = [await openEventStream(base, await asker.token()), await openEventStream(base, await asker.token())];
    const extra = await openEventStream(base, await asker.token());
    try {
      const refused = await extra.next();
      expect(refused.data?.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      // The owner's streams are not counted against the asker's.
      const ownerStream = await openEventStream(base, await owner.token());
      await matchOwnerRecord(gw, asker, 'owner unaffected');
      expect(await ownerStream.nextEvent()).toMatchObject({ payload: { purpose: 'owner unaffected' } });
      ownerStream.close();
    } finally {
      for (const s of [...open, extra]) s.close();
    }
  });

  it('ends the stream when its token expires, so a revoked agency stops receiving', async () => {
    const shortLived = await mintToken({
      privateJwk: owner.privateJwk, iss: owner.code, sub: 'officer-7', aud: gw.config.audience, scope: 'records:read', ttlSeconds: 1, now: gw.clock.now,
    });
    const stream = await openEventStream(base, shortLived);
    try {
      expect(stream.status).toBe(200);
      expect((await stream.next()).event).toBe('complete');
    } finally {
      stream.close();
    }
  });

  it('needs records:read or match:query', async () => {
    const stream = await openEventStream(base, await owner.token({ scope: 'records:submit' }));
    try {
      const refused = await stream.next();
      expect(refused.data?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    } finally {
      stream.close();
    }
  });
});

describe('Query.events and GET /v1/events', () => {
  // Events are listed once every older transaction of the database server has ended (other
  // test files may hold one open on a shared PostgreSQL): start when all are listed, bounded.
  beforeAll(async () => {
    const stored = await gw.db.prisma.agencyEvent.count({ where: { agencyId: owner.id } });
    await until(async () => {
      const listed = await gw.gql<EventsData>(owner, EVENTS, { first: 100 });
      return listed.data?.events.edges.length === stored;
    }, "the owner's events to be listed");
  });

  it('MAT-15 list the owner\'s MATCH_HIT events oldest first, paged by cursor', async () => {
    const first = await gw.gql<EventsData>(owner, EVENTS, { first: 1 });
    expect(first.errors).toBeUndefined();
    const page = first.data!.events;
    expect(page.edges).toHaveLength(1);
    expect(page.edges[0]!.node).toMatchObject({ type: 'MATCH_HIT', payload: { matchedBy: 'ES-PN', recordType: 'SUSPECT' } });
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = await gw.gql<EventsData>(owner, EVENTS, { after: page.pageInfo.endCursor, first: 100 });
    const ids = next.data!.events.edges.map((e) => BigInt(e.cursor));
    expect(ids[0]! > BigInt(page.pageInfo.endCursor!)).toBe(true);
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    expect(next.data!.events.totalCount).toBe(ids.length + 1);
    noSecrets(next.data);
  });

  it('MAT-15 GET /v1/events answers the same events with a next cursor', async () => {
    const all = await gw.gql<EventsData>(owner, EVENTS, { first: 100 });
    const response = await restEvents(owner, '?limit=2');
    expect(response.status).toBe(200);
    const body = response.json as { events: StreamedEvent[]; next: string | null };
    expect(body.events.map((e) => e.id)).toEqual(all.data!.events.edges.slice(0, 2).map((e) => e.cursor));
    expect(body.next).toBe(body.events[1]!.id);
    const rest = (await restEvents(owner, `?after=${body.next}&limit=100`)).json as { events: StreamedEvent[] };
    expect(rest.events.map((e) => e.id)).toEqual(all.data!.events.edges.slice(2).map((e) => e.cursor));
    noSecrets(body);
  });

  it("MAT-16 show the asker none of the owner's events, whatever the cursor", async () => {
    const graph = await gw.gql<EventsData>(asker, EVENTS, { after: '0', first: 100 });
    expect(graph.data!.events.edges.map((e) => e.node.type)).toEqual(['PARTICIPANT_JOINED']);
    const rest = (await restEvents(asker, '?after=0')).json as { events: StreamedEvent[] };
    expect(rest.events.map((e) => e.type)).toEqual(['PARTICIPANT_JOINED']);
  });

  it('drop hash-shaped values from payloads, whoever inserted them', async () => {
    const raised = await raiseEvent(asker, 'WATCH_HIT', { hitRef: 'opaque-ref', selectorHash: 'a'.repeat(64), note: 'b'.repeat(64), kept: 'yes' });
    let rest: { events: StreamedEvent[] } = { events: [] };
    // Listed once every older transaction of the database server has ended (other test files
    // may hold one open on a shared PostgreSQL): wait for it, bounded.
    await until(async () => {
      rest = (await restEvents(asker, '?after=0')).json as { events: StreamedEvent[] };
      return rest.events.at(-1)?.id === raised.id.toString();
    }, 'the WATCH_HIT to be listed');
    expect(rest.events.at(-1)).toMatchObject({ type: 'WATCH_HIT', payload: { hitRef: 'opaque-ref', kept: 'yes' } });
    expect(rest.events.at(-1)!.payload).not.toHaveProperty('selectorHash');
    expect(rest.events.at(-1)!.payload).not.toHaveProperty('note');
  });

  it('refuse a malformed cursor or page size naming the field, and a token without the scopes', async () => {
    const badCursor = await restEvents(owner, '?after=abc');
    expect(badCursor.status).toBe(400);
    expect(badCursor.json).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ field: 'after' }] });
    const badLimit = await restEvents(owner, '?limit=1000');
    expect(badLimit.json).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ field: 'limit' }] });
    const graph = await gw.gql(owner, EVENTS, { after: '1e9' });
    expect(graph.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await restEvents(owner, '', 'records:submit')).status).toBe(403);
    expect((await restEvents(owner, '', 'match:query')).status).toBe(200);
    const forbidden = await gw.gql(owner, EVENTS, {}, { scope: 'records:submit' });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
