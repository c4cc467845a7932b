// Retraction follow-ups (issue 10 §8): besides grant holders (record-lifecycle.test.ts), the agencies whose watch
// fired on a retracted record get RECORD_RETRACTED — naming their watches, never the record's
// id nor the owner's reason, which they were never shown — and no pending disclosure request
// is left waiting on a record that can no longer be disclosed: each is closed (DENIED with a
// fixed reason) and its requester told. An agency that only matched the record, or whose watch
// never fired on it, hears nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETRACTED_REQUEST_REASON } from '../../schema/retraction.ts';
import { publicPayload } from '../../schema/events.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { submitLiaisonJson } from '../helpers/submit.ts';

let gw: TestGateway;
let owner: TestAgency;
let watcher: TestAgency;
let matcher: TestAgency;
let lateWatcher: TestAgency;

const OP = 'OP-RETRACT-FOLLOW';
const PASSPORT = 'C7770001';
const WALLET = 'TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE';
const WATCH = `mutation($input: WatchInput!) { watch(input: $input) { id } }`;
const MATCH = `query($input: MatchInput!) { match(input: $input) { results { hits { hitRef } } } }`;
const REQUEST = `mutation($h: String!) { requestDisclosure(hitRef: $h, justification: "case 2026/77", legalBasis: "MLA art. 4") { id status } }`;
const MINE = `query { disclosureRequests(direction: OUTGOING) { id status reason } }`;
const RETRACT = 'mutation($id: ID!, $reason: String!) { retractRecord(id: $id, reason: $reason) { id } }';

const eventsOf = async (agency: TestAgency, type: string) =>
  (await gw.db.prisma.agencyEvent.findMany({ where: { agencyId: agency.id, type }, orderBy: { id: 'asc' } })).map((e) => publicPayload(e.payload));

const suspect = (ref: string, identifiers: object[]) => ({ kind: 'suspect', ref, sharingLevel: 'RED', nationality: 'VN', role: 'RECRUITER', status: 'WANTED', identifiers });

const watchOn = async (agency: TestAgency, identifiers: object[]) => {
  const res = await gw.gql<{ watch: { id: string } }>(agency, WATCH, { input: { identifiers, purpose: 'case 2026/77' } });
  expect(res.errors).toBeUndefined();
  return res.data!.watch.id;
};

async function request(agency: TestAgency, hitRef: string) {
  const res = await gw.gql<{ requestDisclosure: { id: string; status: string } }>(agency, REQUEST, { h: hitRef });
  expect(res.errors).toBeUndefined();
  return res.data!.requestDisclosure;
}

async function retract(kind: 'suspect' | 'interceptedFund', sourceRef: string, reason: string) {
  const row =
    kind === 'suspect'
      ? await gw.db.prisma.suspect.findFirstOrThrow({ where: { sourceRef, ownerId: owner.id } })
      : await gw.db.prisma.interceptedFund.findFirstOrThrow({ where: { sourceRef, ownerId: owner.id } });
  const res = await gw.gql(owner, RETRACT, { id: row.id, reason });
  expect(res.errors).toBeUndefined();
  return row.id;
}

beforeAll(async () => {
  gw = await createTestGateway();
  owner = await gw.addAgency('VN-MPS');
  watcher = await gw.addAgency('ES-PN');
  matcher = await gw.addAgency('PH-NBI');
  lateWatcher = await gw.addAgency('TH-RTP');
  await gw.db.prisma.operation.create({
    data: { code: OP, name: 'Retraction follow-ups', leadId: owner.id, participants: { create: [owner, watcher, matcher, lateWatcher].map((x) => ({ agencyId: x.id, joinedAt: new Date() })) } },
  });
}, 120_000);
afterAll(() => gw?.close());

describe('retraction follow-ups', () => {
  it('MAT-34 watchers whose watch fired on a retracted record get RECORD_RETRACTED without its id or reason; matchers and later watchers do not', async () => {
    const watchId = await watchOn(watcher, [{ type: 'PASSPORT', value: PASSPORT, country: 'VN' }]);
    const walletWatch = await watchOn(watcher, [{ type: 'CRYPTO_WALLET', value: WALLET, ticker: 'USDT' }]);
    await submitLiaisonJson(gw, owner, OP, [
      suspect('S-W', [{ type: 'PASSPORT', country: 'VN', value: PASSPORT }]),
      { kind: 'interceptedFund', ref: 'F-W', sharingLevel: 'RED', amount: '5', currency: 'USDT', channel: 'CRYPTO', action: 'FROZEN', account: { type: 'CRYPTO_WALLET', value: WALLET, ticker: 'USDT' } },
    ]);
    expect(await eventsOf(watcher, 'WATCH_HIT')).toHaveLength(2);
    // A watch made after the record was stored never fired on it; a plain match is not a watch.
    await watchOn(lateWatcher, [{ type: 'PASSPORT', value: PASSPORT, country: 'VN' }]);
    const matched = await gw.gql<{ match: { results: { hits: { hitRef: string }[] }[] } }>(matcher, MATCH, {
      input: { identifiers: [{ type: 'PASSPORT', value: PASSPORT, country: 'VN' }], purpose: 'case 2026/78' },
    });
    expect(matched.data!.match.results[0]!.hits).toHaveLength(1);

    const suspectId = await retract('suspect', 'S-W', 'informant named in the file');
    const told = await eventsOf(watcher, 'RECORD_RETRACTED');
    expect(told).toEqual([{ recordType: 'SUSPECT', owner: 'VN-MPS', watchIds: [watchId], at: expect.any(String) }]);
    expect(JSON.stringify(told)).not.toContain(suspectId);
    expect(JSON.stringify(told)).not.toContain('informant');
    expect(await eventsOf(matcher, 'RECORD_RETRACTED')).toEqual([]);
    expect(await eventsOf(lateWatcher, 'RECORD_RETRACTED')).toEqual([]);

    await retract('interceptedFund', 'F-W', 'duplicate');
    expect((await eventsOf(watcher, 'RECORD_RETRACTED')).map((p) => [p.recordType, p.watchIds])).toEqual([
      ['SUSPECT', [watchId]],
      ['INTERCEPTED_FUND', [walletWatch]],
    ]);
    const audit = await gw.db.prisma.auditEvent.findFirst({ where: { action: 'record.retract', target: suspectId } });
    expect(audit!.detail).toMatchObject({ watchersTold: 1, grantHoldersTold: 0, pendingRequestsClosed: 0 });
  });

  it('MAT-35 pending and overdue disclosure requests on a retracted record are closed (DENIED, a fixed reason) and each requester told; decided ones stay', async () => {
    const passport = 'C7770002';
    await submitLiaisonJson(gw, owner, OP, [suspect('S-P', [{ type: 'PASSPORT', country: 'VN', value: passport }])]);
    const hitOf = async (agency: TestAgency) => {
      const res = await gw.gql<{ match: { results: { hits: { hitRef: string }[] }[] } }>(agency, MATCH, {
        input: { identifiers: [{ type: 'PASSPORT', value: passport, country: 'VN' }], purpose: 'case 2026/79' },
      });
      return res.data!.match.results[0]!.hits[0]!.hitRef;
    };
    const pending = await request(watcher, await hitOf(watcher));
    const denied = await request(lateWatcher, await hitOf(lateWatcher));
    expect((await gw.gql(owner, 'mutation($id: ID!) { decideDisclosure(id: $id, decision: DENY, reason: "not now") { id } }', { id: denied.id })).errors).toBeUndefined();
    gw.clock.now = new Date(gw.clock.now.getTime() + 49 * 3_600_000);
    const overdue = await request(matcher, await hitOf(matcher));
    gw.clock.now = new Date(gw.clock.now.getTime() + 49 * 3_600_000);
    const before = await gw.gql<{ disclosureRequests: { id: string; status: string }[] }>(matcher, MINE);
    expect(before.data!.disclosureRequests.find((r) => r.id === overdue.id)?.status).toBe('OVERDUE');

    const id = await retract('suspect', 'S-P', 'entered in error');
    for (const [agency, req] of [[watcher, pending], [matcher, overdue]] as const) {
      const mine = await gw.gql<{ disclosureRequests: { id: string; status: string; reason: string | null }[] }>(agency, MINE);
      expect(mine.data!.disclosureRequests.find((r) => r.id === req.id)).toEqual({ id: req.id, status: 'DENIED', reason: RETRACTED_REQUEST_REASON });
      const decided = (await eventsOf(agency, 'DISCLOSURE_DECIDED')).filter((p) => p.requestId === req.id);
      expect(decided).toEqual([
        { requestId: req.id, decision: 'DENY', reason: RETRACTED_REQUEST_REASON, recordType: 'SUSPECT', retracted: true, decidedBy: 'VN-MPS', at: expect.any(String) },
      ]);
    }
    const stillDenied = await gw.gql<{ disclosureRequests: { id: string; status: string; reason: string | null }[] }>(lateWatcher, MINE);
    expect(stillDenied.data!.disclosureRequests.find((r) => r.id === denied.id)).toEqual({ id: denied.id, status: 'DENIED', reason: 'not now' });
    expect((await eventsOf(lateWatcher, 'DISCLOSURE_DECIDED')).filter((p) => p.requestId === denied.id)).toHaveLength(1);
    const audit = await gw.db.prisma.auditEvent.findFirst({ where: { action: 'record.retract', target: id } });
    expect(audit!.detail).toMatchObject({ pendingRequestsClosed: 2 });
    const owners = await gw.gql<{ disclosureRequests: { id: string; status: string }[] }>(owner, `query { disclosureRequests(direction: INCOMING, status: PENDING) { id status } }`);
    expect(owners.data!.disclosureRequests).toEqual([]);
  });
});
