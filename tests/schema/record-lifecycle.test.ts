// Handling codes, evaluation and matchable end to end (issue 10 §6), and retraction (§8): codes
// stored from files and from a submission's defaults, kept when a later file leaves them out,
// shown on records, hits and approved disclosures; unmatchable and retracted records never
// answer a match; only the owner retracts (anyone else: the 404 of a missing record); a
// retracted record leaves every partner read path, grant holders are told, and a later file
// with its sourceRef does not revive it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { submitLiaisonJson } from '../helpers/submit.ts';

let gw: TestGateway;
let a: TestAgency;
let b: TestAgency;
let c: TestAgency;

const OP = 'OP-LIFECYCLE';
const PASSPORT = 'C5550001';
const HIDDEN_PASSPORT = 'C5550002';
const GRANTED_PASSPORT = 'C5550003';
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

const records = [
  { kind: 'scamDen', ref: 'D-HUB', sharingLevel: 'GREEN', country: 'KH', denType: 'LOAN', status: 'ACTIVE' },
  {
    kind: 'suspect', ref: 'S-OWN-CODES', sharingLevel: 'GREEN', nationality: 'VN', role: 'MEMBER', status: 'WANTED', denRef: 'D-HUB',
    handling: 'H3', handlingNote: 'not before the trial', sourceReliability: 'A', informationAssessment: 1,
    identifiers: [{ type: 'PASSPORT', country: 'VN', value: PASSPORT }],
  },
  { kind: 'suspect', ref: 'S-DEFAULTS', sharingLevel: 'GREEN', nationality: 'VN', role: 'MEMBER', status: 'WANTED', denRef: 'D-HUB' },
  {
    kind: 'suspect', ref: 'S-UNMATCHABLE', sharingLevel: 'RED', nationality: 'VN', role: 'MEMBER', status: 'WANTED', matchable: false,
    identifiers: [{ type: 'PASSPORT', country: 'VN', value: HIDDEN_PASSPORT }],
  },
  {
    kind: 'suspect', ref: 'S-GRANTED', sharingLevel: 'RED', nationality: 'VN', role: 'MEMBER', status: 'WANTED', denRef: 'D-HUB',
    sourceReliability: 'C', informationAssessment: 3, identifiers: [{ type: 'PASSPORT', country: 'VN', value: GRANTED_PASSPORT }],
  },
];

async function submit(agency: TestAgency, body: object[], query = '') {
  const file = { format: 'liaison-json', version: 1, operation: OP, records: body };
  const res = await gw.rest(agency, 'POST', `/v1/submissions?format=liaison-json&operation=${OP}${query}`, file);
  return { status: res.status, body: res.json as { code?: string; issues: { field: string; code: string; ref?: string; severity?: string }[]; counts?: Record<string, number> } };
}

const codesOf = (ref: string) =>
  gw.db.prisma.suspect.findFirstOrThrow({
    where: { sourceRef: ref },
    select: { id: true, handling: true, handlingNote: true, sourceReliability: true, informationAssessment: true, matchable: true, retractedAt: true, retractionReason: true, role: true },
  });

type Hit = { hitRef: string; owner: { code: string }; recordId: string | null; handling: string; handlingNote: string | null; sourceReliability: string; informationAssessment: number };
async function hitsFor(agency: TestAgency, passport: string): Promise<Hit[]> {
  const res = await gw.gql<{ match: { results: { hits: Hit[] }[] } }>(
    agency,
    `query($input: MatchInput!) { match(input: $input) { results { hits { hitRef owner { code } recordId handling handlingNote sourceReliability informationAssessment } } } }`,
    { input: { identifiers: [{ type: 'PASSPORT', value: passport, country: 'VN' }], purpose: 'case 2026/300' } },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.match.results[0]!.hits;
}

const retract = (agency: TestAgency, id: string, reason = 'entered in error') =>
  gw.gql<{ retractRecord: { id: string; recordType: string; sourceRef: string; reason: string } }>(
    agency,
    'mutation($id: ID!, $reason: String!) { retractRecord(id: $id, reason: $reason) { id recordType sourceRef reason } }',
    { id, reason },
  );

/** Where `agency` sees suspect `id`: node, the root list, the den's nested list. */
async function seenBy(agency: TestAgency, id: string) {
  const node = await gw.gql<{ node: { id: string } | null }>(agency, 'query($id: ID!) { node(id: $id) { id } }', { id: globalId('Suspect', id) });
  const list = await gw.gql<{ suspects: { edges: { node: { id: string } }[] } }>(agency, '{ suspects(first: 100) { edges { node { id } } } }');
  const hub = await gw.db.prisma.scamDen.findFirstOrThrow({ where: { sourceRef: 'D-HUB' } });
  const nested = await gw.gql<{ node: { suspects: { edges: { node: { id: string } }[] } } }>(
    agency,
    'query($id: ID!) { node(id: $id) { ... on ScamDen { suspects(first: 100) { edges { node { id } } } } } }',
    { id: globalId('ScamDen', hub.id) },
  );
  for (const r of [node, list, nested]) expect(r.errors).toBeUndefined();
  const gid = globalId('Suspect', id);
  return {
    node: node.data!.node !== null,
    list: list.data!.suspects.edges.some((e) => e.node.id === gid),
    nested: nested.data!.node.suspects.edges.some((e) => e.node.id === gid),
  };
}

beforeAll(async () => {
  gw = await createTestGateway();
  a = await gw.addAgency('VN-MPS');
  b = await gw.addAgency('ES-PN');
  c = await gw.addAgency('PH-NBI');
  await gw.db.prisma.operation.create({ data: { code: OP, name: 'Lifecycle', leadId: a.id, participants: { create: [{ agencyId: a.id }, { agencyId: b.id }] } } });
  const first = await submit(a, records, '&handling=H2&evaluation=b2');
  expect(first.status, JSON.stringify(first.body)).toBe(201);
});
afterAll(async () => {
  await gw?.close();
});

describe('handling and evaluation codes', () => {
  it("a record's own codes win; the submission's defaults fill the others; a file without them keeps them", async () => {
    expect(await codesOf('S-OWN-CODES')).toMatchObject({ handling: 'H3', handlingNote: 'not before the trial', sourceReliability: 'A', informationAssessment: 1, matchable: true });
    expect(await codesOf('S-DEFAULTS')).toMatchObject({ handling: 'H2', handlingNote: null, sourceReliability: 'B', informationAssessment: 2, matchable: true });
    // Absent is not null: a later file (no defaults) that changes the role but says nothing of the codes.
    const again = await submit(a, [{ ...records[2], role: 'RECRUITER' }]);
    expect(again.status).toBe(201);
    expect(await codesOf('S-DEFAULTS')).toMatchObject({ role: 'RECRUITER', handling: 'H2', sourceReliability: 'B', informationAssessment: 2 });
    const shown = await gw.gql<{ suspects: { edges: { node: Record<string, unknown> }[] } }>(
      b,
      '{ suspects(first: 10, filter: { owner: "VN-MPS" }) { edges { node { sourceRef handling handlingNote sourceReliability informationAssessment matchable } } } }',
    );
    expect(shown.data!.suspects.edges.map((e) => e.node)).toContainEqual({
      sourceRef: 'S-OWN-CODES', handling: 'H3', handlingNote: 'not before the trial', sourceReliability: 'A', informationAssessment: 1, matchable: true,
    });
  });

  it('FIL-15 the same file with other defaults is written, not skipped as unchanged by its digest', async () => {
    // The record as stored since the test above (which sent this very file without defaults).
    const same = { ...records[2], role: 'RECRUITER' };
    // The defaults are part of each record's digest: other defaults are another record.
    const regraded = await submit(a, [same], '&handling=H1&evaluation=C3');
    expect(regraded.status, JSON.stringify(regraded.body)).toBe(201);
    expect(regraded.body.counts).toMatchObject({ unchanged: 0, updated: 1 });
    expect(await codesOf('S-DEFAULTS')).toMatchObject({ role: 'RECRUITER', handling: 'H1', sourceReliability: 'C', informationAssessment: 3 });
    // Unchanged again with the same defaults (a new file, so not a replay: the known record is skipped, the new one written).
    const again = await submit(a, [same, { ...records[2], ref: 'S-FIL15', role: 'RECRUITER' }], '&handling=H1&evaluation=C3');
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.counts).toMatchObject({ received: 2, unchanged: 1, accepted: 1, updated: 0 });
    // Back to the first grading for the tests below.
    expect((await submit(a, [same], '&handling=H2&evaluation=B2')).status).toBe(201);
  });

  it('a bad default is a 400 naming the parameter, and H3 cannot be a default', async () => {
    for (const [query, field] of [['&evaluation=B5', 'evaluation'], ['&handling=H7', 'handling'], ['&handling=H3', 'handling']] as const) {
      const res = await submit(a, [records[2]!], query);
      expect(res.status).toBe(400);
      expect(res.body.issues).toEqual([expect.objectContaining({ field })]);
    }
  });

  it('a resubmission of identical content with other defaults is not a replay', async () => {
    const body = [{ kind: 'scamDen', ref: 'D-REPLAY', country: 'KH', denType: 'LOAN', status: 'ACTIVE' }];
    expect((await submit(a, body, '&handling=H1')).status).toBe(201);
    expect((await submit(a, body, '&handling=H1')).status).toBe(200);
    expect((await submit(a, body, '&handling=H0')).status).toBe(201);
    expect((await gw.db.prisma.scamDen.findFirstOrThrow({ where: { sourceRef: 'D-REPLAY' } })).handling).toBe('H0');
  });

  it('MAT-30 hits carry the handling code and evaluation; a matchable: false record never answers a match', async () => {
    expect(await hitsFor(b, PASSPORT)).toEqual([
      expect.objectContaining({ owner: { code: 'VN-MPS' }, handling: 'H3', handlingNote: 'not before the trial', sourceReliability: 'A', informationAssessment: 1 }),
    ]);
    expect(await hitsFor(b, HIDDEN_PASSPORT)).toEqual([]);
    // Not even for its owner.
    expect(await hitsFor(a, HIDDEN_PASSPORT)).toEqual([]);
  });
});

describe('retraction', () => {
  it('AUZ-20 only the owner retracts: another agency, a missing id and a malformed one get the same NOT_FOUND', async () => {
    const target = await codesOf('S-DEFAULTS');
    const refusals = [
      await retract(b, target.id),
      await retract(c, globalId('Suspect', target.id)),
      await retract(b, '00000000-0000-4000-8000-000000000000'),
      await retract(b, 'not-an-id'),
    ];
    const missing = refusals[2]!.errors![0]!;
    for (const r of refusals) {
      expect(r.errors![0]!.extensions).toEqual(missing.extensions);
      expect(r.errors![0]!.message).toBe(missing.message);
    }
    expect(missing.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect((await codesOf('S-DEFAULTS')).retractedAt).toBeNull();
    const rest = await gw.rest(b, 'POST', `/v1/records/${target.id}/retraction`, { reason: 'x' });
    expect(rest.status).toBe(404);
  });

  it('AUZ-21 MAT-31 a retracted record leaves every partner view and every match; its owner keeps it with its history', async () => {
    const target = await codesOf('S-OWN-CODES');
    expect(await seenBy(b, target.id)).toEqual({ node: true, list: true, nested: true });
    expect(await hitsFor(b, PASSPORT)).toHaveLength(1);
    const versionsBefore = await gw.db.prisma.recordVersion.count({ where: { recordId: target.id } });

    const done = await retract(a, globalId('Suspect', target.id), 'duplicate of a record of PH-NBI');
    expect(done.errors).toBeUndefined();
    expect(done.data!.retractRecord).toEqual({ id: target.id, recordType: 'SUSPECT', sourceRef: 'S-OWN-CODES', reason: 'duplicate of a record of PH-NBI' });

    expect(await seenBy(b, target.id)).toEqual({ node: false, list: false, nested: false });
    expect(await seenBy(c, target.id)).toEqual({ node: false, list: false, nested: false });
    expect(await hitsFor(b, PASSPORT)).toEqual([]);
    expect(await hitsFor(a, PASSPORT)).toEqual([]);
    expect(await seenBy(a, target.id)).toEqual({ node: true, list: true, nested: true });
    const own = await gw.gql<{ node: { retractedAt: string | null; retractionReason: string | null } }>(
      a,
      'query($id: ID!) { node(id: $id) { ... on Suspect { retractedAt retractionReason } } }',
      { id: globalId('Suspect', target.id) },
    );
    expect(own.data!.node).toMatchObject({ retractionReason: 'duplicate of a record of PH-NBI' });
    expect(own.data!.node.retractedAt).not.toBeNull();
    expect(await gw.db.prisma.recordVersion.count({ where: { recordId: target.id } })).toBe(versionsBefore + 1);
    const audit = await gw.db.prisma.auditEvent.findFirst({ where: { action: 'record.retract', target: target.id } });
    expect(audit).toMatchObject({ agencyCode: 'VN-MPS', outcome: 'ok' });

    const twice = await retract(a, target.id);
    expect(twice.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT' });
  });

  it('MAT-32 grant holders get RECORD_RETRACTED, and the disclosure no longer shows the record over REST', async () => {
    const target = await codesOf('S-GRANTED');
    const [hit] = await hitsFor(b, GRANTED_PASSPORT);
    expect(hit).toMatchObject({ recordId: null, handling: 'H2', sourceReliability: 'C', informationAssessment: 3 });
    const requested = await gw.gql<{ requestDisclosure: { id: string } }>(
      b,
      'mutation($h: String!) { requestDisclosure(hitRef: $h, justification: "case 2026/300", legalBasis: "MLA art. 4") { id } }',
      { h: hit!.hitRef },
    );
    const requestId = requested.data!.requestDisclosure.id;
    const approved = await gw.gql(a, 'mutation($id: ID!) { decideDisclosure(id: $id, decision: APPROVE, reason: "ok") { id } }', { id: requestId });
    expect(approved.errors).toBeUndefined();
    const readRequest = async () => (await gw.rest(b, 'GET', `/v1/disclosure-requests/${requestId}`)).json as { record?: Record<string, unknown> };
    expect((await readRequest()).record).toMatchObject({ sourceRef: 'S-GRANTED', handling: 'H2', sourceReliability: 'C', informationAssessment: 3, handlingNote: null });
    expect(await seenBy(b, target.id)).toEqual({ node: true, list: true, nested: true });

    expect((await retract(a, target.id, 'source withdrew')).errors).toBeUndefined();
    expect(await seenBy(b, target.id)).toEqual({ node: false, list: false, nested: false });
    expect((await readRequest()).record).toBeUndefined();
    const events = await gw.db.prisma.agencyEvent.findMany({ where: { type: 'RECORD_RETRACTED' } });
    expect(events.map((e) => [e.agencyId, e.payload])).toEqual([
      [b.id, expect.objectContaining({ recordType: 'SUSPECT', recordId: target.id, owner: 'VN-MPS', reason: 'source withdrew' })],
    ]);
  });

  it('MAT-33 a later file with the same sourceRef does not revive the record: the report says so, nothing changes', async () => {
    const before = await codesOf('S-OWN-CODES');
    const again = await submit(a, [{ ...records[1], role: 'ORGANIZER' }]);
    expect(again.status).toBe(201);
    expect(again.body.issues).toContainEqual(expect.objectContaining({ code: 'RETRACTED_NOT_REVIVED', severity: 'warning', ref: 'S-OWN-CODES', field: '(record)' }));
    expect(again.body.counts).toMatchObject({ accepted: 0, updated: 0, unchanged: 1 });
    const after = await codesOf('S-OWN-CODES');
    expect(after).toEqual(before);
    expect(await hitsFor(b, PASSPORT)).toEqual([]);
  });
});
