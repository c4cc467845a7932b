// Disclosure (requestDisclosure, decideDisclosure, revokeDisclosure, disclosureRequests) end to
// end over GraphQL: a RED suspect of A is a hit for B with owner A and no record; B requests,
// A approves, B reads that record — and only it — by node, in lists and nested connections,
// while the operation summary does not move; deny, expiry and revocation hide it again; a
// hitRef used by another agency is NOT_FOUND like an unknown one; only the owner decides;
// overdue requests read OVERDUE and raise one event to each side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseOverdueDisclosures } from '../../schema/disclosure.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { submitLiaisonJson } from '../helpers/submit.ts';

let gw: TestGateway;
let a: TestAgency;
let b: TestAgency;
let c: TestAgency;

const RED_PASSPORT = 'C7654321';
const OTHER_PASSPORT = 'C1112223';
const START = new Date('2026-06-01T12:00:00Z');

const records = [
    { kind: 'scamDen', ref: 'D-HUB', sharingLevel: 'GREEN', country: 'KH', denType: 'CALL_CENTRE', status: 'RAIDED' },
    {
      kind: 'suspect', ref: 'S-RED', sharingLevel: 'RED', fullName: 'Tran Thi Mai', birthDate: '1995-03-04', nationality: 'VN',
      identifiers: [{ type: 'PASSPORT', country: 'VN', value: RED_PASSPORT }], role: 'MEMBER', status: 'WANTED', denRef: 'D-HUB',
    },
    {
      kind: 'suspect', ref: 'S-RED-2', sharingLevel: 'RED', nationality: 'VN',
      identifiers: [{ type: 'PASSPORT', country: 'VN', value: OTHER_PASSPORT }], role: 'MEMBER', status: 'WANTED', denRef: 'D-HUB',
    },
];

const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

const MATCH = `query($input: MatchInput!) { match(input: $input) { results { hits { hitRef owner { code } recordType own recordId } } } }`;
const REQUEST = `mutation($hitRef: String!) { requestDisclosure(hitRef: $hitRef, justification: "linked to case 2026/114", legalBasis: "MLA treaty art. 4") {
  id status direction dueAt recordId owner { code } requester { code } } }`;
const DECIDE = `mutation($id: ID!, $decision: DisclosureDecision!, $expiresOn: Date) {
  decideDisclosure(id: $id, decision: $decision, reason: "within the treaty", expiresOn: $expiresOn) {
    id status recordId expiresOn reason record { ... on Suspect { id } } } }`;
const REVOKE = `mutation($id: ID!) { revokeDisclosure(id: $id) { id status recordId } }`;
const LIST = `query($direction: DisclosureDirection!, $status: DisclosureStatus) {
  disclosureRequests(direction: $direction, status: $status) { id status direction recordId justification } }`;

type Hit = { hitRef: string; owner: { code: string }; recordType: string; own: boolean; recordId: string | null };
type Request = { id: string; status: string; direction: string; dueAt: string; recordId: string | null };

async function hitFor(agency: TestAgency, passport = RED_PASSPORT): Promise<Hit> {
  const res = await gw.gql<{ match: { results: { hits: Hit[] }[] } }>(agency, MATCH, {
    input: { identifiers: [{ type: 'PASSPORT', value: passport, country: 'VN' }], purpose: 'case 2026/114' },
  });
  expect(res.errors).toBeUndefined();
  return res.data!.match.results[0]!.hits[0]!;
}

async function requestFor(agency: TestAgency, hitRef: string) {
  return gw.gql<{ requestDisclosure: Request & { owner: { code: string }; requester: { code: string } } }>(agency, REQUEST, { hitRef });
}

const decide = (agency: TestAgency, id: string, decision: 'APPROVE' | 'DENY', expiresOn?: string) =>
  gw.gql<{ decideDisclosure: { id: string; status: string; recordId: string | null; expiresOn: string | null; record: { id: string } | null } }>(
    agency,
    DECIDE,
    { id, decision, ...(expiresOn ? { expiresOn } : {}) },
  );

/** What B can see of suspect `id` through node, the list, the den's nested connection and the operation. */
async function seenBy(agency: TestAgency, id: string) {
  const node = await gw.gql<{ node: { id: string } | null }>(agency, 'query($id: ID!) { node(id: $id) { id } }', { id: globalId('Suspect', id) });
  const list = await gw.gql<{ suspects: { totalCount: number; edges: { node: { id: string } }[] } }>(
    agency,
    '{ suspects(first: 100, filter: { owner: "VN-MPS" }) { totalCount edges { node { id } } } }',
  );
  const hub = await gw.db.prisma.scamDen.findFirstOrThrow({ where: { sourceRef: 'D-HUB' } });
  const nested = await gw.gql<{ node: { suspects: { totalCount: number; edges: { node: { id: string } }[] } } }>(
    agency,
    'query($id: ID!) { node(id: $id) { ... on ScamDen { suspects(first: 100) { totalCount edges { node { id } } } } } }',
    { id: globalId('ScamDen', hub.id) },
  );
  for (const r of [node, list, nested]) expect(r.errors).toBeUndefined();
  return {
    node: node.data!.node !== null,
    list: list.data!.suspects.edges.map((e) => e.node.id),
    listCount: list.data!.suspects.totalCount,
    nested: nested.data!.node.suspects.edges.map((e) => e.node.id),
    nestedCount: nested.data!.node.suspects.totalCount,
  };
}

const redSuspect = () => gw.db.prisma.suspect.findFirstOrThrow({ where: { sourceRef: 'S-RED' } });

beforeAll(async () => {
  gw = await createTestGateway();
  a = await gw.addAgency('VN-MPS');
  b = await gw.addAgency('ES-PN');
  c = await gw.addAgency('PH-NBI');
  await gw.db.prisma.operation.create({
    data: { code: 'OP-DISCLOSE', name: 'Disclosure', leadId: a.id, participants: { create: [{ agencyId: a.id }, { agencyId: b.id }] } },
  });
  await submitLiaisonJson(gw, a, 'OP-DISCLOSE', records);
});
afterAll(async () => {
  await gw?.close();
});

describe('disclosure', () => {
  it('MAT-07 B requests, A approves: B reads that record, and only it, by node, in lists and nested connections; the summary does not move', async () => {
    gw.clock.now = START;
    const suspect = await redSuspect();
    const hit = await hitFor(b);
    expect(hit).toMatchObject({ owner: { code: 'VN-MPS' }, recordType: 'SUSPECT', own: false, recordId: null });
    const before = await seenBy(b, suspect.id);
    expect(before).toMatchObject({ node: false, list: [], listCount: 0, nested: [], nestedCount: 0 });
    const summary = () =>
      gw.gql<{ operation: { summary: { suspects: number } } }>(b, '{ operation(code: "OP-DISCLOSE") { summary { suspects suspectsWanted } } }');
    const summaryBefore = (await summary()).data;

    const requested = await requestFor(b, hit.hitRef);
    expect(requested.errors).toBeUndefined();
    const request = requested.data!.requestDisclosure;
    expect(request).toMatchObject({ status: 'PENDING', direction: 'OUTGOING', recordId: null, owner: { code: 'VN-MPS' }, requester: { code: 'ES-PN' } });
    expect(new Date(request.dueAt).getTime() - START.getTime()).toBe(48 * 3_600_000);
    const again = await requestFor(b, hit.hitRef);
    expect(again.data!.requestDisclosure.id).toBe(request.id);

    const incoming = await gw.gql<{ disclosureRequests: Request[] }>(a, LIST, { direction: 'INCOMING' });
    expect(incoming.data!.disclosureRequests).toEqual([
      { id: request.id, status: 'PENDING', direction: 'INCOMING', recordId: suspect.id, justification: 'linked to case 2026/114' },
    ]);

    const approved = await decide(a, request.id, 'APPROVE', '2026-06-30');
    expect(approved.errors).toBeUndefined();
    expect(approved.data!.decideDisclosure).toMatchObject({ status: 'APPROVED', recordId: suspect.id, expiresOn: '2026-06-30' });

    const outgoing = await gw.gql<{ disclosureRequests: Request[] }>(b, LIST, { direction: 'OUTGOING', status: 'APPROVED' });
    expect(outgoing.data!.disclosureRequests).toMatchObject([{ id: request.id, status: 'APPROVED', recordId: suspect.id }]);
    const after = await seenBy(b, suspect.id);
    expect(after).toEqual({ node: true, list: [globalId('Suspect', suspect.id)], listCount: 1, nested: [globalId('Suspect', suspect.id)], nestedCount: 1 });
    const rematch = await hitFor(b);
    expect(rematch.recordId).toBe(suspect.id);
    expect((await summary()).data).toEqual(summaryBefore);
    // The other RED suspect of the same den stays hidden: the grant is for one record.
    const sibling = await gw.db.prisma.suspect.findFirstOrThrow({ where: { sourceRef: 'S-RED-2' } });
    expect((await seenBy(b, sibling.id)).node).toBe(false);
    // C holds no grant.
    expect(await seenBy(c, suspect.id)).toMatchObject({ node: false, list: [], nestedCount: 0 });

    const events = await gw.db.prisma.agencyEvent.findMany({ where: { type: { startsWith: 'DISCLOSURE_' } }, orderBy: { id: 'asc' } });
    expect(events.map((e) => [e.agencyId, e.type])).toEqual([
      [a.id, 'DISCLOSURE_REQUESTED'],
      [b.id, 'DISCLOSURE_DECIDED'],
    ]);
    expect(events[0]!.payload).toMatchObject({ requestId: request.id, recordId: suspect.id, requestedBy: 'ES-PN', legalBasis: 'MLA treaty art. 4' });
    expect(events[1]!.payload).toMatchObject({ requestId: request.id, decision: 'APPROVE', recordId: suspect.id, expiresOn: '2026-06-30' });
  });

  it('MAT-09 the grant ends at the end of expiresOn, and revocation ends it at once', async () => {
    const suspect = await redSuspect();
    gw.clock.now = new Date('2026-06-30T23:59:00Z');
    expect((await seenBy(b, suspect.id)).node).toBe(true);
    gw.clock.now = new Date('2026-07-01T00:00:00Z');
    expect(await seenBy(b, suspect.id)).toMatchObject({ node: false, list: [], listCount: 0, nestedCount: 0 });
    const expired = await gw.gql<{ disclosureRequests: Request[] }>(b, LIST, { direction: 'OUTGOING', status: 'EXPIRED' });
    expect(expired.data!.disclosureRequests).toMatchObject([{ status: 'EXPIRED', recordId: null }]);

    gw.clock.now = new Date('2026-07-02T12:00:00Z');
    const hit = await hitFor(b);
    const request = (await requestFor(b, hit.hitRef)).data!.requestDisclosure;
    await decide(a, request.id, 'APPROVE');
    expect((await seenBy(b, suspect.id)).node).toBe(true);
    const revoked = await gw.gql<{ revokeDisclosure: Request }>(a, REVOKE, { id: request.id });
    expect(revoked.data!.revokeDisclosure).toMatchObject({ status: 'REVOKED', recordId: suspect.id });
    expect(await seenBy(b, suspect.id)).toMatchObject({ node: false, list: [], listCount: 0, nestedCount: 0 });
    const seen = await gw.gql<{ disclosureRequests: Request[] }>(b, LIST, { direction: 'OUTGOING', status: 'REVOKED' });
    expect(seen.data!.disclosureRequests).toMatchObject([{ id: request.id, status: 'REVOKED', recordId: null }]);
    const told = await gw.db.prisma.agencyEvent.findFirst({ where: { agencyId: b.id, type: 'DISCLOSURE_DECIDED' }, orderBy: { id: 'desc' } });
    expect(told?.payload).toMatchObject({ requestId: request.id, decision: 'REVOKED' });
  });

  it('MAT-08 a denied request leaves the record invisible', async () => {
    gw.clock.now = new Date('2026-07-03T12:00:00Z');
    const suspect = await redSuspect();
    const request = (await requestFor(b, (await hitFor(b)).hitRef)).data!.requestDisclosure;
    const denied = await decide(a, request.id, 'DENY');
    expect(denied.data!.decideDisclosure).toMatchObject({ status: 'DENIED', reason: 'within the treaty' });
    const seen = await gw.gql<{ disclosureRequests: Request[] }>(b, LIST, { direction: 'OUTGOING', status: 'DENIED' });
    expect(seen.data!.disclosureRequests).toMatchObject([{ id: request.id, status: 'DENIED', recordId: null }]);
    expect(await seenBy(b, suspect.id)).toMatchObject({ node: false, list: [], listCount: 0, nestedCount: 0 });
    const twice = await decide(a, request.id, 'APPROVE');
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
    expect((await seenBy(b, suspect.id)).node).toBe(false);
  });

  it("MAT-10 a hitRef used by another agency, an expired one and an unknown one are refused alike", async () => {
    gw.clock.now = new Date('2026-07-04T12:00:00Z');
    const hit = await hitFor(b, OTHER_PASSPORT);
    const byC = await requestFor(c, hit.hitRef);
    gw.clock.now = new Date('2026-08-04T12:00:01Z');
    const expired = await requestFor(b, hit.hitRef);
    const unknown = await requestFor(b, 'x'.repeat(43));
    const shapes = [byC, expired, unknown].map((r) => ({ data: r.data, errors: r.errors, status: r.status }));
    expect(shapes[0]!.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(shapes[1]).toEqual(shapes[0]);
    expect(shapes[2]).toEqual(shapes[0]);
    expect(await gw.db.prisma.disclosureRequest.count({ where: { requesterId: c.id } })).toBe(0);
  });

  it('MAT-11 only the owner decides or revokes; to anyone else a request is NOT_FOUND like a missing id', async () => {
    gw.clock.now = new Date('2026-08-05T12:00:00Z');
    const request = (await requestFor(b, (await hitFor(b, OTHER_PASSPORT)).hitRef)).data!.requestDisclosure;
    const missing = '00000000-0000-4000-8000-000000000000';
    const refusals = [
      await decide(b, request.id, 'APPROVE'),
      await decide(c, request.id, 'APPROVE'),
      await decide(a, missing, 'APPROVE'),
    ].map((r) => ({ data: r.data, errors: r.errors?.map((e) => ({ message: e.message, extensions: e.extensions })) }));
    expect(refusals[0]!.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(refusals[1]).toEqual(refusals[0]);
    expect(refusals[2]).toEqual(refusals[0]);
    const revokeByC = await gw.gql(c, REVOKE, { id: request.id });
    expect(revokeByC.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    const cList = await gw.gql<{ disclosureRequests: Request[] }>(c, LIST, { direction: 'INCOMING' });
    expect(cList.data!.disclosureRequests).toEqual([]);
    expect((await gw.db.prisma.disclosureRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe('PENDING');
  });

  it('MAT-13 a pending request past its due time reads OVERDUE and raises DISCLOSURE_OVERDUE once to each side', async () => {
    gw.clock.now = new Date('2026-08-06T12:00:00Z');
    const request = (await requestFor(b, (await hitFor(b, OTHER_PASSPORT)).hitRef)).data!.requestDisclosure;
    const overdueEvents = () =>
      gw.db.prisma.agencyEvent.findMany({ where: { type: 'DISCLOSURE_OVERDUE', payload: { path: ['requestId'], equals: request.id } } });
    gw.clock.now = new Date('2026-08-08T11:59:59Z');
    expect((await gw.gql<{ disclosureRequests: Request[] }>(a, LIST, { direction: 'INCOMING', status: 'PENDING' })).data!.disclosureRequests.map((r) => r.id)).toContain(request.id);
    expect(await overdueEvents()).toEqual([]);
    gw.clock.now = new Date('2026-08-08T12:00:00Z');
    const overdue = await gw.gql<{ disclosureRequests: Request[] }>(a, LIST, { direction: 'INCOMING', status: 'OVERDUE' });
    expect(overdue.data!.disclosureRequests.find((r) => r.id === request.id)).toMatchObject({ status: 'OVERDUE' });
    await gw.gql(b, LIST, { direction: 'OUTGOING' });
    expect(await raiseOverdueDisclosures(gw.db.prisma, gw.clock.now)).toBe(0);
    const events = await overdueEvents();
    expect(events.map((e) => e.agencyId).sort()).toEqual([a.id, b.id].sort());
    // An overdue request can still be decided.
    expect((await decide(a, request.id, 'DENY')).data!.decideDisclosure.status).toBe('DENIED');
  });
});
