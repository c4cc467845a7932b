// Governed linkage over REST: POST /v1/matches answers exactly the documented shape with the
// quota left in a header and 429 with Retry-After past it (MAT-12); the requester reads an
// approved record at GET /v1/disclosure-requests/{id} and no longer after revocation (MAT-07);
// and no raw identifier reaches an answer, the audit chain, the events, the stored hits,
// requests and grants, or the logs (MAT-14).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { leakScanDump } from '../helpers/leak-scan.ts';
import { submitLiaisonJson } from '../helpers/submit.ts';

let gw: TestGateway;
let owner: TestAgency;
let asker: TestAgency;

const PASSPORT = 'B9081726';
const PHONE = '+855 12 345 678';
const answers: unknown[] = [];

/** Every answer is kept for the leak scan at the end. */
const send = async (agency: TestAgency, method: string, path: string, body?: unknown) => {
  const answer = await gw.rest(agency, method, path, body);
  answers.push(answer.json);
  return answer;
};

const match = (agency: TestAgency, identifiers: object[]) => send(agency, 'POST', '/v1/matches', { identifiers, purpose: 'REST case 55/2026', caseRef: 'ES-55' });

beforeAll(async () => {
  gw = await createTestGateway();
  owner = await gw.addAgency('KH-NP');
  asker = await gw.addAgency('ES-PN');
  await gw.db.prisma.operation.create({ data: { code: 'OP-REST', name: 'REST', leadId: owner.id, participants: { create: [{ agencyId: owner.id }] } } });
  await submitLiaisonJson(gw, owner, 'OP-REST', [
    {
      kind: 'suspect', ref: 'S-1', sharingLevel: 'RED', nationality: 'KH', role: 'MEMBER', status: 'WANTED',
      identifiers: [{ type: 'PASSPORT', country: 'KH', value: PASSPORT }, { type: 'PHONE', value: PHONE }],
    },
  ]);
});
afterAll(async () => {
  await gw?.close();
});

describe('governed linkage over REST', () => {
  it('MAT-12 POST /v1/matches answers the documented shape, the quota left in Quota-Remaining', async () => {
    const res = await match(asker, [{ type: 'PASSPORT', value: PASSPORT, country: 'KH' }, { type: 'EMAIL', value: 'nobody@example.org' }]);
    expect(res.status).toBe(200);
    expect(res.headers.get('quota-remaining')).toBe('998');
    expect(res.json).toEqual({
      results: [
        { index: 0, hit: true, hits: [
            {
              hitRef: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
              owner: 'KH-NP',
              recordType: 'SUSPECT',
              own: false,
              recordId: null,
              // The owner's terms, shown before anyone asks for the record (issue 10 §6).
              handling: 'H0',
              handlingNote: null,
              sourceReliability: 'X',
              informationAssessment: 4,
            },
          ] },
        { index: 1, hit: false, hits: [] },
      ],
    });
  });

  it('MAT-12 answers 429 with Retry-After once the daily quota is used up, and a bad identifier 400 naming its index', async () => {
    await gw.db.prisma.agency.update({ where: { id: asker.id }, data: { matchQuotaPerDay: 3 } });
    const bad = await match(asker, [{ type: 'PASSPORT', value: 'X1' }]);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ field: 'identifiers[0]', code: 'INVALID_IDENTIFIER' }] });
    const over = await match(asker, [{ type: 'PHONE', value: PHONE }, { type: 'PHONE', value: '+855 99 000 111' }]);
    expect(over.status).toBe(429);
    expect(over.json).toMatchObject({ code: 'RATE_LIMITED', issues: [{ code: 'MATCH_QUOTA_EXCEEDED' }] });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    await gw.db.prisma.agency.update({ where: { id: asker.id }, data: { matchQuotaPerDay: null } });
  });

  it('MAT-07 the requester reads the approved record over REST, and not after revocation', async () => {
    const hit = await match(asker, [{ type: 'PHONE', value: PHONE }]);
    const hitRef = (hit.json as { results: { hits: { hitRef: string }[] }[] }).results[0]!.hits[0]!.hitRef;
    const made = await send(asker, 'POST', '/v1/disclosure-requests', { hitRef, justification: 'ES-55 money mule', legalBasis: 'Budapest Convention art. 29' });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ status: 'PENDING', direction: 'OUTGOING', owner: 'KH-NP', requester: 'ES-PN', recordId: null });
    const id = made.json.id as string;
    const incoming = await send(owner, 'GET', '/v1/disclosure-requests?direction=incoming');
    expect(incoming.json).toMatchObject({ requests: [{ id, status: 'PENDING', direction: 'INCOMING' }] });
    const decided = await send(owner, 'POST', `/v1/disclosure-requests/${id}/decision`, { decision: 'APPROVE', reason: 'request in order', expiresOn: '2026-06-30' });
    expect(decided.json).toMatchObject({ status: 'APPROVED', expiresOn: '2026-06-30' });
    const rematch = await match(asker, [{ type: 'PHONE', value: PHONE }]);
    expect((rematch.json as { results: { hits: { recordId: string | null }[] }[] }).results[0]!.hits[0]!.recordId).toEqual(expect.any(String));
    const read = await send(asker, 'GET', `/v1/disclosure-requests/${id}`);
    expect(read.json).toMatchObject({ status: 'APPROVED', recordId: expect.any(String), record: { recordType: 'SUSPECT', owner: 'KH-NP', sourceRef: 'S-1', status: 'WANTED' } });
    expect((await send(owner, 'POST', `/v1/disclosure-requests/${id}/revocation`)).json).toMatchObject({ status: 'REVOKED' });
    const after = await send(asker, 'GET', `/v1/disclosure-requests/${id}`);
    expect(after.json).toMatchObject({ status: 'REVOKED', recordId: null });
    expect(after.json).not.toHaveProperty('record');
  });

  it('MAT-14 no raw identifier in any answer, the audit chain, the events, hits, requests, grants or logs', async () => {
    const dump = await leakScanDump(gw, answers);
    for (const raw of [PASSPORT, '9081726', PHONE, '12345678', '855 12 345', 'X1"', '+855 99 000 111', '99000111']) expect(dump).not.toContain(raw);
    // Selector hashes belong to the audit chain only: no answer carries one.
    expect(JSON.stringify(answers)).not.toMatch(/[0-9a-f]{64}/);
  });
});
