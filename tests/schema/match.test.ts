// Governed matching (Query.match): hit/no-hit across every agency's records whatever their
// level, with the selector computed exactly as ingestion computes it; records revealed only
// within the sharing rules; a purpose, a daily quota, an owner notification and an audit event
// per call; no raw value anywhere in the answer, the events, the audit log or the logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hitRefHash, runMatch } from '../../schema/match.ts';
import { TEST_PSEUDONYM_KEY } from '../helpers/app.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { leakScanDump } from '../helpers/leak-scan.ts';
import { submitLiaisonJson } from '../helpers/submit.ts';

let gw: TestGateway;
let owner: TestAgency;
let asker: TestAgency;
let third: TestAgency;

const PASSPORT = 'C7654321';
const PHONE = '+84 912 345 678';
const IBAN = 'DE89 3704 0044 0532 0130 00';

const records = [
    {
      kind: 'suspect', ref: 'S-RED', sharingLevel: 'RED', fullName: 'Tran Thi Mai', birthDate: '1995-03-04', nationality: 'VN',
      identifiers: [{ type: 'PASSPORT', country: 'VN', value: PASSPORT }, { type: 'PHONE', value: PHONE }],
      role: 'MEMBER', status: 'WANTED',
    },
    {
      kind: 'suspect', ref: 'S-GREEN', sharingLevel: 'GREEN', nationality: 'VN',
      identifiers: [{ type: 'PHONE', value: '+84 913 000 111' }], role: 'MEMBER', status: 'ARRESTED',
    },
    {
      kind: 'interceptedFund', ref: 'F-1', sharingLevel: 'AMBER', amount: '1000', currency: 'EUR', channel: 'BANK_TRANSFER', action: 'FROZEN',
      account: { type: 'BANK_ACCOUNT', value: IBAN },
    },
];

const MATCH = `query($input: MatchInput!) { match(input: $input) {
  quotaRemaining quotaPerDay
  results { index hit hits { hitRef owner { code } recordType own recordId record { ... on Suspect { id } ... on InterceptedFund { id } } } } } }`;

type MatchData = {
  match: {
    quotaRemaining: number;
    quotaPerDay: number;
    results: { index: number; hit: boolean; hits: { hitRef: string; owner: { code: string }; recordType: string; own: boolean; recordId: string | null; record: { id: string } | null }[] }[];
  };
};

const match = (agency: TestAgency, identifiers: object[], purpose = 'case 2026/114: fraud against pensioners', caseRef?: string) =>
  gw.gql<MatchData>(agency, MATCH, { input: { identifiers, purpose, ...(caseRef ? { caseRef } : {}) } });

beforeAll(async () => {
  gw = await createTestGateway();
  owner = await gw.addAgency('VN-MPS');
  asker = await gw.addAgency('ES-PN');
  third = await gw.addAgency('PH-NBI');
  await gw.db.prisma.operation.create({
    data: { code: 'OP-MATCH', name: 'Match', leadId: owner.id, participants: { create: [{ agencyId: owner.id }] } },
  });
  await submitLiaisonJson(gw, owner, 'OP-MATCH', records);
});
afterAll(async () => {
  await gw?.close();
});

describe('match', () => {
  it("MAT-01 answers a hit on another agency's RED suspect with its owner and type, and no record", async () => {
    const result = await match(asker, [{ type: 'PASSPORT', value: 'c 765-4321', country: 'VN' }]);
    expect(result.errors).toBeUndefined();
    const [outcome] = result.data!.match.results;
    expect(outcome).toMatchObject({ index: 0, hit: true });
    expect(outcome!.hits).toHaveLength(1);
    expect(outcome!.hits[0]).toMatchObject({ owner: { code: 'VN-MPS' }, recordType: 'SUSPECT', own: false, recordId: null, record: null });
    expect(outcome!.hits[0]!.hitRef).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('MAT-01 answers no hit for an unknown identifier, and reveals a record the sharing rules already show', async () => {
    const result = await match(asker, [
      { type: 'PASSPORT', value: 'C0000000', country: 'VN' },
      { type: 'PHONE', value: '0913 000 111', country: 'VN' },
    ]);
    expect(result.errors).toBeUndefined();
    const [miss, green] = result.data!.match.results;
    expect(miss).toEqual({ index: 0, hit: false, hits: [] });
    expect(green!.hits[0]).toMatchObject({ recordType: 'SUSPECT', own: false });
    expect(green!.hits[0]!.recordId).not.toBeNull();
    expect(green!.hits[0]!.record).toEqual({ id: expect.any(String) });
  });

  it('finds funds by account, names with birth dates, and marks the caller\'s own records', async () => {
    const result = await match(owner, [
      { type: 'BANK_ACCOUNT', value: IBAN.replace(/ /g, '') },
      { type: 'NAME_DOB', value: 'MAI, Tran Thi', birthDate: '1995-03-04' },
    ]);
    const [account, person] = result.data!.match.results;
    expect(account!.hits[0]).toMatchObject({ recordType: 'INTERCEPTED_FUND', own: true });
    expect(account!.hits[0]!.recordId).not.toBeNull();
    expect(person!.hits[0]).toMatchObject({ recordType: 'SUSPECT', own: true });
  });

  it('MAT-03 tells the owner who matched which record and why, never the value', async () => {
    const before = await gw.db.prisma.agencyEvent.count({ where: { agencyId: owner.id } });
    await match(third, [{ type: 'PHONE', value: PHONE }], 'tracing a money mule', 'PH-2026-77');
    const events = await gw.db.prisma.agencyEvent.findMany({ where: { agencyId: owner.id }, orderBy: { id: 'asc' } });
    expect(events.length).toBe(before + 1);
    const last = events.at(-1)!;
    expect(last.type).toBe('MATCH_HIT');
    expect(last.payload).toMatchObject({ recordType: 'SUSPECT', matchedBy: 'PH-NBI', purpose: 'tracing a money mule', caseRef: 'PH-2026-77' });
    expect(JSON.stringify(last.payload)).not.toMatch(/912 ?345 ?678|PHONE|[0-9a-f]{64}/);
  });

  it('MAT-05 stores only the hash of a hitRef, bound to the requesting agency', async () => {
    const result = await match(asker, [{ type: 'PASSPORT', value: PASSPORT, country: 'VN' }]);
    const hitRef = result.data!.match.results[0]!.hits[0]!.hitRef;
    const row = await gw.db.prisma.matchHit.findUnique({ where: { refHash: hitRefHash(hitRef) } });
    expect(row).toMatchObject({ requesterId: asker.id, ownerId: owner.id, kind: 'SUSPECT' });
    expect(await gw.db.prisma.matchHit.count({ where: { refHash: hitRef } })).toBe(0);
  });

  it('MAT-06 refuses a missing purpose and an identifier it cannot normalize, naming the index, before spending quota', async () => {
    const noPurpose = await gw.gql(asker, MATCH, { input: { identifiers: [{ type: 'EMAIL', value: 'a@b.example' }], purpose: '  ' } });
    expect(noPurpose.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const before = (await match(asker, [{ type: 'EMAIL', value: 'nobody@example.org' }])).data!.match.quotaRemaining;
    const bad = await match(asker, [{ type: 'EMAIL', value: 'x@y.example' }, { type: 'PASSPORT', value: 'C1' }]);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ field: 'identifiers[1]', code: 'INVALID_IDENTIFIER' }] });
    expect(JSON.stringify(bad.errors)).not.toContain('C1"');
    const after = (await match(asker, [{ type: 'EMAIL', value: 'nobody@example.org' }])).data!.match.quotaRemaining;
    expect(after).toBe(before - 1);
  });

  it('MAT-02 counts identifiers against the daily quota and answers RATE_LIMITED past it, with the time to wait', async () => {
    const limited = await gw.addAgency('XQ-LIMITED');
    await gw.db.prisma.agency.update({ where: { id: limited.id }, data: { matchQuotaPerDay: 3 } });
    const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'EMAIL', value: `probe${i}@example.org` }));
    expect((await match(limited, ids(2))).data!.match).toMatchObject({ quotaRemaining: 1, quotaPerDay: 3 });
    const over = await match(limited, ids(2));
    expect(over.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', issues: [{ code: 'MATCH_QUOTA_EXCEEDED' }] });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await match(limited, ids(1))).data!.match.quotaRemaining).toBe(0);
  });

  it('needs the match:query scope', async () => {
    const result = await gw.gql(asker, MATCH, { input: { identifiers: [{ type: 'EMAIL', value: 'a@b.example' }], purpose: 'x' } }, { scope: 'records:read' });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('MAT-04 audits each call with purpose, count and selector hashes, and no raw value reaches the database or the logs', async () => {
    await match(asker, [{ type: 'PHONE', value: PHONE }], 'audit check');
    const audit = await gw.db.prisma.auditEvent.findFirst({ where: { action: 'match', detail: { path: ['purpose'], equals: 'audit check' } } });
    expect(audit?.detail).toMatchObject({ count: 1, selectors: [expect.stringMatching(/^PHONE:[0-9a-f]{64}$/)] });
    const dump = await leakScanDump(gw);
    for (const raw of [PASSPORT, '7654321', '912345678', '912 345 678', 'DE89370400440532013000', 'Tran Thi Mai']) expect(dump).not.toContain(raw);
  });

  it('MAT-37 stores no hit and tells no owner when the audit event of the match cannot be written', async () => {
    const hits = () => gw.db.prisma.matchHit.count();
    const ownerEvents = () => gw.db.prisma.agencyEvent.count({ where: { agencyId: owner.id } });
    const [hitsBefore, eventsBefore] = [await hits(), await ownerEvents()];
    const viewer = { agencyId: third.id, agencyCode: third.code, agencyName: third.code, subject: 'officer-7', scopes: ['match:query' as const], jti: 'mat-37', expiresAt: new Date(Date.now() + 60_000) };
    const request = { identifiers: [{ type: 'PHONE' as const, value: PHONE }], purpose: 'audit outage' };
    const services = { pseudonymKey: TEST_PSEUDONYM_KEY, now: () => new Date() };
    // The hits, the events and the audit event are one statement: without a chain head, none is written.
    const head = await gw.db.prisma.$queryRaw<{ seq: bigint; prev_hash: string; hash: string }[]>`SELECT seq, prev_hash, hash FROM audit_chain_head WHERE id = 1`;
    await gw.db.prisma.$executeRaw`DELETE FROM audit_chain_head`;
    try {
      await expect(runMatch(gw.db.prisma, viewer, request, services)).rejects.toThrow(/audit_chain_head is missing/);
    } finally {
      await gw.db.prisma.$executeRaw`INSERT INTO audit_chain_head (id, seq, prev_hash, hash) VALUES (1, ${head[0]!.seq}, ${head[0]!.prev_hash}, ${head[0]!.hash})`;
    }
    expect([await hits(), await ownerEvents()]).toEqual([hitsBefore, eventsBefore]);
    // With the head back, the same call is answered, stored and told.
    const answer = await runMatch(gw.db.prisma, viewer, request, services);
    expect(answer.results[0]).toMatchObject({ hit: true });
    expect([await hits(), await ownerEvents()]).toEqual([hitsBefore + 1, eventsBefore + 1]);
  });
});
