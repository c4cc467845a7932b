// Watches (issue 10 §7): a standing match fires on a later submission of another agency —
// WATCH_HIT with a hitRef to the watcher, MATCH_HIT to the owner — and never on the watcher's
// own records, once expired or once cancelled. Created watches count against the match quota;
// only the watching agency lists or cancels them; their hitRefs serve requestDisclosure; no
// raw value of a watch is kept, logged or raised.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicPayload } from '../../schema/events.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { leakScanDump } from '../helpers/leak-scan.ts';
import { submitLiaisonJson } from '../helpers/submit.ts';

let gw: TestGateway;
let watcher: TestAgency;
let owner: TestAgency;
let other: TestAgency;

const OP = 'OP-WATCH';
const PASSPORT = 'C5550001';
const PHONE = '+84 915 222 333';
const WALLET = 'TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE';

const WATCH = `mutation($input: WatchInput!) { watch(input: $input) { id status identifiers until purpose caseRef } }`;
const WATCHES = `query($after: String) { watches(first: 2, after: $after) { totalCount edges { node { id status } } pageInfo { hasNextPage endCursor } } }`;
const CANCEL = `mutation($id: ID!) { cancelWatch(id: $id) { id status cancelledAt } }`;
const REQUEST = `mutation($hitRef: String!) { requestDisclosure(hitRef: $hitRef, justification: "watched in case 2026/9", legalBasis: "MLA 2026/3") { id status owner { code } } }`;

type WatchView = { id: string; status: string; identifiers: number; until: string };

const watch = (agency: TestAgency, identifiers: object[], extra: object = {}) =>
  gw.gql<{ watch: WatchView }>(agency, WATCH, { input: { identifiers, purpose: 'case 2026/9: recruiter network', caseRef: 'W-9', ...extra } });

/**
 * The agency's events as the outbox holds them, through the one reader every delivery path
 * uses (publicPayload). Read from the table rather than the events query, which holds rows
 * back while any older transaction of the database server runs (docs/events.md): on a
 * PostgreSQL server shared with other test files, that would make absence unobservable.
 */
const eventsOf = async (agency: TestAgency) =>
  (await gw.db.prisma.agencyEvent.findMany({ where: { agencyId: agency.id }, orderBy: { id: 'asc' } })).map((e) => ({
    type: e.type,
    payload: publicPayload(e.payload),
  }));

const suspect = (ref: string, identifiers: object[]) => ({ kind: 'suspect', ref, sharingLevel: 'RED', nationality: 'VN', role: 'RECRUITER', status: 'WANTED', identifiers });
const answers: unknown[] = [];
let activeWatchId = '';

beforeAll(async () => {
  gw = await createTestGateway();
  watcher = await gw.addAgency('ES-PN');
  owner = await gw.addAgency('VN-MPS');
  other = await gw.addAgency('PH-NBI');
  await gw.db.prisma.operation.create({
    data: { code: OP, name: 'Watch', leadId: owner.id, participants: { create: [watcher, owner, other].map((x) => ({ agencyId: x.id, joinedAt: new Date() })) } },
  });
}, 120_000);
afterAll(() => gw?.close());

describe('watch', () => {
  it('MAT-25 fires on a later submission of another agency: WATCH_HIT to the watcher, MATCH_HIT to the owner; never on the watcher’s own', async () => {
    const created = await watch(watcher, [
      { type: 'PASSPORT', value: PASSPORT, country: 'VN' },
      { type: 'PHONE', value: PHONE },
    ]);
    expect(created.errors).toBeUndefined();
    answers.push(created.data);
    activeWatchId = created.data!.watch.id;
    expect(created.data!.watch).toMatchObject({ status: 'ACTIVE', identifiers: 2 });
    expect(new Date(created.data!.watch.until).getTime() - gw.clock.now.getTime()).toBe(30 * 86_400_000);

    await submitLiaisonJson(gw, watcher, OP, [suspect('W-OWN', [{ type: 'PASSPORT', country: 'VN', value: PASSPORT }])]);
    expect((await eventsOf(watcher)).filter((e) => e.type === 'WATCH_HIT')).toEqual([]);

    await submitLiaisonJson(gw, owner, OP, [
      suspect('O-1', [{ type: 'PASSPORT', country: 'VN', value: PASSPORT }, { type: 'PHONE', value: PHONE }]),
      suspect('O-2', [{ type: 'PHONE', value: '+84 915 000 000' }]),
    ]);
    const hits = (await eventsOf(watcher)).filter((e) => e.type === 'WATCH_HIT');
    expect(hits).toHaveLength(1);
    expect(hits[0]!.payload).toMatchObject({ watchId: created.data!.watch.id, owner: 'VN-MPS', recordType: 'SUSPECT' });
    expect(hits[0]!.payload.hitRef).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const toOwner = (await eventsOf(owner)).filter((e) => e.type === 'MATCH_HIT');
    expect(toOwner).toHaveLength(1);
    expect(toOwner[0]!.payload).toMatchObject({ matchedBy: 'ES-PN', purpose: 'case 2026/9: recruiter network', caseRef: 'W-9', watch: true });
    answers.push(hits, toOwner);
  });

  it('MAT-26 a WATCH_HIT’s hitRef requests disclosure of the record, for the watcher only', async () => {
    const [hit] = (await eventsOf(watcher)).filter((e) => e.type === 'WATCH_HIT');
    const hitRef = String(hit!.payload.hitRef);
    const byOther = await gw.gql(other, REQUEST, { hitRef });
    expect(byOther.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const requested = await gw.gql<{ requestDisclosure: { status: string; owner: { code: string } } }>(watcher, REQUEST, { hitRef });
    expect(requested.errors).toBeUndefined();
    expect(requested.data!.requestDisclosure).toMatchObject({ status: 'PENDING', owner: { code: 'VN-MPS' } });
  });

  it('MAT-27 a cancelled or expired watch never fires; until is at most 90 days ahead', async () => {
    const tooFar = await watch(watcher, [{ type: 'EMAIL', value: 'far@example.org' }], { until: new Date(gw.clock.now.getTime() + 91 * 86_400_000).toISOString() });
    expect(tooFar.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const cancelled = await watch(watcher, [{ type: 'CRYPTO_WALLET', value: WALLET, ticker: 'USDT' }]);
    const control = await watch(other, [{ type: 'CRYPTO_WALLET', value: WALLET, ticker: 'USDT' }]); // the same, left active
    const short = await watch(watcher, [{ type: 'EMAIL', value: 'soon@example.org' }], { until: new Date(gw.clock.now.getTime() + 60_000).toISOString() });
    const cancel = await gw.gql<{ cancelWatch: { status: string } }>(watcher, CANCEL, { id: cancelled.data!.watch.id });
    expect(cancel.data!.cancelWatch.status).toBe('CANCELLED');

    const before = (await eventsOf(watcher)).filter((e) => e.type === 'WATCH_HIT').length;
    gw.clock.now = new Date(gw.clock.now.getTime() + 120_000);
    await submitLiaisonJson(gw, owner, OP, [
      suspect('O-3', [{ type: 'EMAIL', value: 'soon@example.org' }]),
      { kind: 'interceptedFund', ref: 'O-F', sharingLevel: 'RED', amount: '5', currency: 'USDT', channel: 'CRYPTO', action: 'FROZEN', account: { type: 'CRYPTO_WALLET', value: WALLET, ticker: 'USDT' } },
    ]);
    expect((await eventsOf(watcher)).filter((e) => e.type === 'WATCH_HIT')).toHaveLength(before);
    const fired = (await eventsOf(other)).filter((e) => e.type === 'WATCH_HIT');
    expect(fired.map((e) => e.payload)).toMatchObject([{ watchId: control.data!.watch.id, recordType: 'INTERCEPTED_FUND', owner: 'VN-MPS' }]);
    const listed = await gw.gql<{ watches: { edges: { node: { id: string; status: string } }[] } }>(watcher, `query { watches(first: 100) { edges { node { id status } } } }`);
    const status = new Map(listed.data!.watches.edges.map((e) => [e.node.id, e.node.status]));
    expect(status.get(short.data!.watch.id)).toBe('EXPIRED');
    expect(status.get(cancelled.data!.watch.id)).toBe('CANCELLED');
  });

  it('MAT-28 a watch takes its identifiers from the daily match quota when created, and is refused past it', async () => {
    await gw.db.prisma.agency.update({ where: { id: other.id }, data: { matchQuotaPerDay: 3 } });
    const first = await watch(other, [{ type: 'EMAIL', value: 'q1@example.org' }, { type: 'EMAIL', value: 'q2@example.org' }]);
    expect(first.errors).toBeUndefined();
    const refused = await watch(other, [{ type: 'EMAIL', value: 'q3@example.org' }, { type: 'EMAIL', value: 'q4@example.org' }]);
    expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(await gw.db.prisma.watch.count({ where: { agencyId: other.id } })).toBe(2);
  });

  it('MAT-29 only the watching agency lists or cancels its watches; to another one they do not exist', async () => {
    const mine = await gw.gql<{ watches: { totalCount: number; edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(watcher, WATCHES);
    expect(mine.data!.watches.totalCount).toBe(3);
    expect(mine.data!.watches.pageInfo.hasNextPage).toBe(true);
    const next = await gw.gql<{ watches: { edges: { node: { id: string } }[] } }>(watcher, WATCHES, { after: mine.data!.watches.pageInfo.endCursor });
    expect(next.data!.watches.edges).toHaveLength(1);
    const theirs = await gw.gql<{ watches: { totalCount: number } }>(owner, WATCHES);
    expect(theirs.data!.watches.totalCount).toBe(0);

    const id = activeWatchId;
    const foreign = await gw.gql(owner, CANCEL, { id });
    const missing = await gw.gql(owner, CANCEL, { id: '00000000-0000-4000-8000-000000000000' });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(foreign.errors?.[0]?.message).toBe(missing.errors?.[0]?.message);
    expect((await gw.db.prisma.watch.findUniqueOrThrow({ where: { id } })).cancelledAt).toBeNull();
  });

  it('PRV-09 no raw value of a watch reaches the database, the audit chain, the events or the logs', async () => {
    const dump = await leakScanDump(gw, answers);
    for (const raw of [PASSPORT, PHONE, PHONE.replaceAll(' ', ''), WALLET, 'soon@example.org', 'q1@example.org', 'far@example.org']) {
      expect(dump).not.toContain(raw);
    }
    expect(dump).toContain('case 2026/9: recruiter network');
  });
});
