// Issue 10 §5: the three unsanctioned oracles of the attack review, reproduced as described,
// now extract nothing; and a submission that links to another agency's record is governed
// like a match (LINKED_BY_SUBMISSION to the owner, the submitter's match quota charged).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicPayload } from '../../schema/events.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { submitLiaisonJson } from '../helpers/submit.ts';

let gw: TestGateway;
let a: TestAgency;
let b: TestAgency;
let c: TestAgency;

const OP = 'OP-ORACLE';
const A_PASSPORT = 'C1234567';
const A_IBAN = 'DE89 3704 0044 0532 0130 00';

type Edge<T> = { edges: { node: T }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
type SuspectNode = { id: string; sourceRef: string; personKey: string; alsoReportedBy: { code: string }[] };

const SUSPECTS = `query($filter: SuspectFilter, $after: String) { suspects(filter: $filter, first: 100, after: $after) {
  edges { node { id sourceRef personKey alsoReportedBy { code } } } pageInfo { hasNextPage endCursor } } }`;
const FUNDS = `query($filter: InterceptedFundFilter) { interceptedFunds(filter: $filter, first: 100) { edges { node { sourceRef accountKey } } } }`;
const SUMMARY = `query { operation(code: "${OP}") { summary { suspects suspectsWanted suspectsArrested } } }`;

async function allSuspects(agency: TestAgency, filter: object): Promise<SuspectNode[]> {
  const out: SuspectNode[] = [];
  let after: string | null = null;
  do {
    const res: { data?: { suspects: Edge<SuspectNode> }; errors?: unknown } = await gw.gql<{ suspects: Edge<SuspectNode> }>(agency, SUSPECTS, { filter, after });
    expect(res.errors).toBeUndefined();
    out.push(...res.data!.suspects.edges.map((e) => e.node));
    after = res.data!.suspects.pageInfo.hasNextPage ? res.data!.suspects.pageInfo.endCursor : null;
  } while (after);
  return out;
}

const summaryOf = async (agency: TestAgency) => {
  const res = await gw.gql<{ operation: { summary: { suspects: number; suspectsWanted: number; suspectsArrested: number } } }>(agency, SUMMARY);
  expect(res.errors).toBeUndefined();
  return res.data!.operation.summary;
};

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

const quotaUsed = async (agency: TestAgency) =>
  (await gw.db.prisma.matchQuotaUsage.findMany({ where: { agencyId: agency.id } })).reduce((n, r) => n + r.used, 0);

const suspect = (ref: string, level: string, passport: string | null, extra: object = {}) => ({
  kind: 'suspect',
  ref,
  sharingLevel: level,
  nationality: 'VN',
  role: 'MEMBER',
  status: 'WANTED',
  ...(passport ? { identifiers: [{ type: 'PASSPORT', country: 'VN', value: passport }] } : {}),
  ...extra,
});

beforeAll(async () => {
  gw = await createTestGateway();
  a = await gw.addAgency('VN-MPS');
  b = await gw.addAgency('KH-NPA');
  c = await gw.addAgency('TH-RTP');
  await gw.db.prisma.operation.create({
    data: { code: OP, name: 'Oracles', leadId: a.id, participants: { create: [a, b, c].map((x) => ({ agencyId: x.id, joinedAt: new Date() })) } },
  });
  await submitLiaisonJson(gw, a, OP, [
    suspect('A-GREEN', 'GREEN', A_PASSPORT),
    suspect('A-RED', 'RED', 'C7770001'),
    suspect('A-WANTED-2', 'AMBER', 'C7770002'),
    suspect('A-OTHER', 'RED', 'C7770003', { status: 'ARRESTED', statusOn: '2022-01-01' }),
    { kind: 'interceptedFund', ref: 'A-F', sharingLevel: 'GREEN', amount: '10', currency: 'EUR', channel: 'BANK_TRANSFER', action: 'FROZEN', account: { type: 'BANK_ACCOUNT', value: A_IBAN } },
  ]);
}, 120_000);
afterAll(() => gw?.close());

describe('pseudonym reversal by self-submission', () => {
  it('MAT-21 2,000 guessed passports submitted by B give no personKey equal to A’s; A is told of the one link, B pays it from its quota', async () => {
    const [target] = await allSuspects(b, { owner: 'VN-MPS', sharingLevel: 'GREEN' });
    expect(target?.sourceRef).toBe('A-GREEN');
    const guesses = Array.from({ length: 2000 }, (_, i) => suspect(`B-G-${i}`, 'RED', `C${1233000 + i}`));
    const usedBefore = await quotaUsed(b);
    await submitLiaisonJson(gw, b, OP, guesses);

    const own = await allSuspects(b, { owner: 'KH-NPA' });
    expect(own).toHaveLength(2000);
    expect(own.filter((s) => s.personKey === target!.personKey)).toEqual([]);
    expect(new Set(own.map((s) => s.personKey)).size).toBe(2000);
    expect(own.filter((s) => s.alsoReportedBy.length > 0)).toEqual([]);
    // A's record, seen by B, names no other reporter either (B's own reports never show there).
    const [again] = await allSuspects(b, { owner: 'VN-MPS', sharingLevel: 'GREEN' });
    expect(again!.alsoReportedBy).toEqual([]);

    const linked = (await eventsOf(a)).filter((e) => e.type === 'LINKED_BY_SUBMISSION');
    expect(linked).toHaveLength(1);
    expect(linked[0]!.payload).toMatchObject({ recordType: 'SUSPECT', linkedBy: 'KH-NPA', operation: OP });
    expect(JSON.stringify(linked)).not.toContain(A_PASSPORT);
    expect((await quotaUsed(b)) - usedBefore).toBe(1);
  }, 300_000);

  it('MAT-21 guessed accounts give no accountKey equal to the one B reads on A’s fund', async () => {
    const read = await gw.gql<{ interceptedFunds: { edges: { node: { sourceRef: string; accountKey: string } }[] } }>(b, FUNDS, { filter: { owner: 'VN-MPS' } });
    const target = read.data!.interceptedFunds.edges[0]!.node.accountKey;
    const funds = ['DE89 3704 0044 0532 0130 00', 'DE89370400440532013001', 'DE02120300000000202051'].map((iban, i) => ({
      kind: 'interceptedFund', ref: `B-F-${i}`, sharingLevel: 'RED', amount: '1', currency: 'EUR', channel: 'BANK_TRANSFER', action: 'FROZEN',
      account: { type: 'BANK_ACCOUNT', value: iban },
    }));
    await submitLiaisonJson(gw, b, OP, funds);
    const mine = await gw.gql<{ interceptedFunds: { edges: { node: { sourceRef: string; accountKey: string } }[] } }>(b, FUNDS, { filter: { owner: 'KH-NPA' } });
    expect(mine.data!.interceptedFunds.edges.map((e) => e.node.accountKey)).not.toContain(target);
    expect((await eventsOf(a)).filter((e) => e.type === 'LINKED_BY_SUBMISSION' && e.payload.recordType === 'INTERCEPTED_FUND')).toHaveLength(1);
  }, 120_000);
});

describe('keys shown through the API', () => {
  it('PRV-08 are bound to the viewer and the owner: another agency’s view of the same record differs, and a filter takes only the viewer’s own', async () => {
    const [forB] = await allSuspects(b, { owner: 'VN-MPS', sharingLevel: 'GREEN' });
    const [forC] = await allSuspects(c, { owner: 'VN-MPS', sharingLevel: 'GREEN' });
    const [forA] = await allSuspects(a, { owner: 'VN-MPS', sharingLevel: 'GREEN' });
    expect(new Set([forA!.personKey, forB!.personKey, forC!.personKey]).size).toBe(3);
    expect(forB!.personKey).not.toMatch(/^[0-9a-f]{64}$/);
    // The shown key filters every visible report of that person by that owner…
    expect((await allSuspects(b, { personKey: forB!.personKey })).map((s) => s.sourceRef)).toEqual(['A-GREEN']);
    // …and C's key means nothing to B: an input error, not a silent empty list.
    const refused = await gw.gql(b, SUSPECTS, { filter: { personKey: forC!.personKey } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('the operation summary', () => {
  it('MAT-22 reads the same for B whichever passport B’s RED probe carries, A’s RED suspect’s included', async () => {
    const guesses = ['C7760000', 'C7765555', 'C7770001', 'C7779999'];
    const seen: number[] = [];
    for (const passport of guesses) {
      await submitLiaisonJson(gw, b, OP, [suspect('B-PROBE', 'RED', passport)]);
      seen.push((await summaryOf(b)).suspects);
    }
    expect(new Set(seen).size).toBe(1);
  }, 120_000);

  it('MAT-23 does not let B’s RED report of A’s suspect change A’s figures, and A is told of the link', async () => {
    const before = await summaryOf(a);
    const linkedBefore = (await eventsOf(a)).filter((e) => e.type === 'LINKED_BY_SUBMISSION').length;
    await submitLiaisonJson(gw, b, OP, [suspect('B-POISON', 'RED', 'C7770002', { status: 'RELEASED', statusOn: '2026-05-01' })]);
    const after = await summaryOf(a);
    expect(after.suspectsWanted).toBe(before.suspectsWanted);
    const linked = (await eventsOf(a)).filter((e) => e.type === 'LINKED_BY_SUBMISSION');
    expect(linked).toHaveLength(linkedBefore + 1);
    expect(linked.at(-1)!.payload).toMatchObject({ linkedBy: 'KH-NPA', recordType: 'SUSPECT' });
  }, 120_000);
});

describe('governed submission linkage', () => {
  it('MAT-24 over the match quota the records are still stored and the owner still told; match is then refused', async () => {
    await gw.db.prisma.agency.update({ where: { id: c.id }, data: { matchQuotaPerDay: 1 } });
    await submitLiaisonJson(gw, c, OP, [suspect('C-1', 'RED', 'C7770001'), suspect('C-2', 'RED', 'C7770003'), suspect('C-3', 'RED', A_PASSPORT)]);
    expect(await gw.db.prisma.suspect.count({ where: { ownerId: c.id } })).toBe(3);
    const toA = (await eventsOf(a)).filter((e) => e.type === 'LINKED_BY_SUBMISSION' && e.payload.linkedBy === 'TH-RTP');
    expect(toA).toHaveLength(3);
    expect(await quotaUsed(c)).toBe(3);
    const refused = await gw.gql(c, `query { match(input: { purpose: "p", identifiers: [{ type: EMAIL, value: "x@example.org" }] }) { quotaRemaining } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  }, 120_000);

  it('MAT-24 an unchanged resubmission links nothing again and charges nothing', async () => {
    const records = [suspect('B-AGAIN', 'RED', 'C7770003')];
    await submitLiaisonJson(gw, b, OP, records);
    const used = await quotaUsed(b);
    const events = (await eventsOf(a)).length;
    const file = { format: 'liaison-json', version: 1, operation: OP, records: [...records, suspect('B-NEW', 'RED', null)] };
    const response = await gw.rest(b, 'POST', `/v1/submissions?format=liaison-json&operation=${OP}`, file);
    expect(response.status).toBe(201);
    expect(await quotaUsed(b)).toBe(used);
    expect((await eventsOf(a)).length).toBe(events);
  }, 120_000);
});
