// Who belongs to an operation, and who may change that (AUZ-13…16): operation codes are unique
// per lead, so creating one is no existence oracle; agencies a partner names are invited and
// see the operation's AMBER records and summary only once they accept; declining leaves
// nothing; only the lead invites, whatever other scopes a partner holds; an operation the
// caller cannot see answers exactly like a missing one; joining tells the other participants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperation } from '../../schema/operations.ts';
import { createTestGateway, type GqlResult, type TestAgency, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
let lead: TestAgency;
let invitee: TestAgency;
let decliner: TestAgency;
let outsider: TestAgency;
let amberDenId: string;

const CREATE = `mutation($input: CreateOperationInput!) {
  createOperation(input: $input) { code qualifiedCode lead { code } participants { code } } }`;
const VIEW = `query($code: String!) {
  operation(code: $code) { code summary { scamDens } scamDens(first: 10) { totalCount } }
  scamDens(first: 10, filter: { sharingLevel: AMBER }) { totalCount edges { node { id } } } }`;
const INVITATIONS = '{ invitations { code qualifiedCode name lead { code } invitedAt } }';
const ACCEPT = 'mutation($code: String!) { acceptInvitation(operationCode: $code) { code participants { code } } }';
const DECLINE = 'mutation($code: String!) { declineInvitation(operationCode: $code) }';
const INVITE = `mutation($op: String!, $agency: String!) {
  inviteParticipant(operationCode: $op, agencyCode: $agency) { code members { agency { code } joinedAt } } }`;
const ADD = `mutation($op: String!, $agency: String!) {
  addOperationParticipant(operationCode: $op, agencyCode: $agency) { code } }`;
const SUBMIT = `mutation($op: String!) {
  submitRecords(input: { format: LIAISON_JSON, operationCode: $op, dryRun: true, content: ${JSON.stringify(
    JSON.stringify({
      format: 'liaison-json',
      version: 1,
      records: [{ kind: 'scamDen', ref: 'D-INV-1', sharingLevel: 'AMBER', country: 'KH', denType: 'CALL_CENTRE', status: 'RAIDED' }],
    }),
  )} }) { counts { received } } }`;
const MEMBERS = 'query($code: String!) { operation(code: $code) { members { agency { code } invitedAt joinedAt } } }';

const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

/** What a refusal says, without what differs per request. */
const refusal = (res: GqlResult) => ({
  status: res.status,
  data: res.data,
  errors: res.errors?.map((e) => ({ message: e.message, path: e.path, extensions: e.extensions })),
});

beforeAll(async () => {
  gw = await createTestGateway();
  lead = await gw.addAgency('AA-LEAD');
  invitee = await gw.addAgency('BB-INV');
  decliner = await gw.addAgency('CC-DEC');
  outsider = await gw.addAgency('DD-OUT');
  const created = await gw.gql<{ createOperation: { participants: { code: string }[] } }>(lead, CREATE, {
    input: { code: 'OP-INV', name: 'Invitations', participants: ['BB-INV', 'CC-DEC'] },
  });
  expect(created.errors).toBeUndefined();
  // Only the lead has joined: the agencies it named are invited.
  expect(created.data!.createOperation.participants).toEqual([{ code: 'AA-LEAD' }]);
  const operation = await gw.db.prisma.operation.findFirstOrThrow({ where: { code: 'OP-INV' } });
  const den = await gw.db.prisma.scamDen.create({
    data: { ownerId: lead.id, sourceRef: 'D-AMBER', operationId: operation.id, sharingLevel: 'AMBER', country: 'KH', denType: 'CALL_CENTRE', status: 'RAIDED' },
  });
  amberDenId = den.id;
});

afterAll(() => gw?.close());

describe('creating an operation (AUZ-13)', () => {
  it('AUZ-13 a code used by an operation the caller cannot see answers exactly like a fresh code', async () => {
    const hidden = await gw.gql<{ createOperation: Record<string, unknown> }>(outsider, CREATE, {
      input: { code: 'OP-INV', name: 'Mine', participants: [] },
    });
    const fresh = await gw.gql<{ createOperation: Record<string, unknown> }>(outsider, CREATE, {
      input: { code: 'OP-FRESH', name: 'Mine', participants: [] },
    });
    expect(hidden.errors).toBeUndefined();
    expect(fresh.errors).toBeUndefined();
    expect(hidden.data!.createOperation).toEqual({ code: 'OP-INV', qualifiedCode: 'DD-OUT/OP-INV', lead: { code: 'DD-OUT' }, participants: [{ code: 'DD-OUT' }] });
    expect(fresh.data!.createOperation).toEqual({ code: 'OP-FRESH', qualifiedCode: 'DD-OUT/OP-FRESH', lead: { code: 'DD-OUT' }, participants: [{ code: 'DD-OUT' }] });
    // The caller's own code is the one conflict, and the caller can see that operation anyway.
    const again = await gw.gql(outsider, CREATE, { input: { code: 'OP-INV', name: 'Twice', participants: [] } });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    // The lead's operation stays hidden: the outsider's code names its own.
    const view = await gw.gql<{ operation: { code: string; scamDens: { totalCount: number } } }>(outsider, VIEW, { code: 'OP-INV' });
    expect(view.data!.operation.scamDens.totalCount).toBe(0);
    const qualified = await gw.gql(outsider, VIEW, { code: 'AA-LEAD/OP-INV' });
    expect(qualified.data!.operation).toBeNull();
  });

  it('a bare code that names two operations the caller joined is refused as ambiguous; LEAD/CODE names one', async () => {
    const a = await gw.addAgency('EE-ONE');
    const b = await gw.addAgency('FF-TWO');
    const both = await gw.addAgency('GG-BOTH');
    await createOperation(gw.db.prisma, { code: 'OP-TWIN', name: 'Twin one', lead: a.code, participants: [both.code] });
    await createOperation(gw.db.prisma, { code: 'OP-TWIN', name: 'Twin two', lead: b.code, participants: [both.code] });
    const bare = await gw.gql(both, 'query { operation(code: "OP-TWIN") { name } }');
    expect(bare.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ field: 'code', code: 'AMBIGUOUS_OPERATION' }] });
    const one = await gw.gql<{ operation: { name: string } }>(both, 'query { operation(code: "FF-TWO/OP-TWIN") { name qualifiedCode } }');
    expect(one.data!.operation).toEqual({ name: 'Twin two', qualifiedCode: 'FF-TWO/OP-TWIN' });
    // Each lead reaches its own with the bare code.
    const own = await gw.gql<{ operation: { name: string } }>(a, 'query { operation(code: "OP-TWIN") { name } }');
    expect(own.data!.operation).toEqual({ name: 'Twin one' });
  });
});

describe('invitations (AUZ-14, AUZ-16)', () => {
  it('AUZ-14 an invited agency sees no AMBER record, summary or operation, and cannot submit to it, until it accepts', async () => {
    const before = await gw.gql<{ operation: unknown; scamDens: { totalCount: number } }>(invitee, VIEW, { code: 'OP-INV' });
    expect(before.errors).toBeUndefined();
    expect(before.data).toEqual({ operation: null, scamDens: { totalCount: 0, edges: [] } });
    const node = await gw.gql(invitee, 'query($id: ID!) { node(id: $id) { id } }', { id: globalId('ScamDen', amberDenId) });
    expect(node.data).toEqual({ node: null });
    const invitations = await gw.gql(invitee, INVITATIONS);
    expect(invitations.data).toEqual({
      invitations: [{ code: 'OP-INV', qualifiedCode: 'AA-LEAD/OP-INV', name: 'Invitations', lead: { code: 'AA-LEAD' }, invitedAt: gw.clock.now.toISOString() }],
    });
    const submitBefore = await gw.gql(invitee, SUBMIT, { op: 'OP-INV' });
    const submitNowhere = await gw.gql(invitee, SUBMIT, { op: 'OP-NOWHERE' });
    expect(submitBefore.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(refusal(submitBefore)).toEqual(refusal(submitNowhere));

    const accepted = await gw.gql(invitee, ACCEPT, { code: 'OP-INV' });
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data).toEqual({ acceptInvitation: { code: 'OP-INV', participants: [{ code: 'AA-LEAD' }, { code: 'BB-INV' }] } });

    const after = await gw.gql<{ operation: unknown; scamDens: { totalCount: number } }>(invitee, VIEW, { code: 'OP-INV' });
    expect(after.data).toEqual({
      operation: { code: 'OP-INV', summary: { scamDens: 1 }, scamDens: { totalCount: 1 } },
      scamDens: { totalCount: 1, edges: [{ node: { id: globalId('ScamDen', amberDenId) } }] },
    });
    const submitAfter = await gw.gql<{ submitRecords: { counts: { received: number } } }>(invitee, SUBMIT, { op: 'OP-INV' });
    expect(submitAfter.errors).toBeUndefined();
    expect((await gw.gql(invitee, INVITATIONS)).data).toEqual({ invitations: [] });
    // Accepting twice finds no invitation.
    expect((await gw.gql(invitee, ACCEPT, { code: 'OP-INV' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('AUZ-14 declining leaves nothing: no membership, no invitation, nothing to accept later', async () => {
    const declined = await gw.gql(decliner, DECLINE, { code: 'OP-INV' });
    expect(declined.errors).toBeUndefined();
    expect(declined.data).toEqual({ declineInvitation: true });
    const operation = await gw.db.prisma.operation.findFirstOrThrow({ where: { code: 'OP-INV', lead: { code: 'AA-LEAD' } } });
    expect(await gw.db.prisma.operationParticipant.count({ where: { operationId: operation.id, agencyId: decliner.id } })).toBe(0);
    expect((await gw.gql(decliner, INVITATIONS)).data).toEqual({ invitations: [] });
    expect((await gw.gql(decliner, VIEW, { code: 'OP-INV' })).data).toEqual({ operation: null, scamDens: { totalCount: 0, edges: [] } });
    const late = await gw.gql(decliner, ACCEPT, { code: 'OP-INV' });
    expect(late.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const members = await gw.gql<{ operation: { members: { agency: { code: string } }[] } }>(lead, MEMBERS, { code: 'OP-INV' });
    expect(members.data!.operation.members.map((m) => m.agency.code)).not.toContain('CC-DEC');
  });

  it('AUZ-16 PARTICIPANT_JOINED reaches the outbox of the participants already in, not the joiner or the invited', async () => {
    const later = await gw.addAgency('HH-LATE');
    const pending = await gw.addAgency('II-PEND');
    for (const code of [later.code, pending.code]) {
      expect((await gw.gql(lead, INVITE, { op: 'OP-INV', agency: code })).errors).toBeUndefined();
    }
    const eventsBefore = await gw.db.prisma.agencyEvent.count({ where: { type: 'PARTICIPANT_JOINED' } });
    gw.clock.now = new Date('2026-06-02T08:30:00Z');
    expect((await gw.gql(later, ACCEPT, { code: 'AA-LEAD/OP-INV' })).errors).toBeUndefined();
    const events = await gw.db.prisma.agencyEvent.findMany({ where: { type: 'PARTICIPANT_JOINED' }, orderBy: { id: 'asc' }, skip: eventsBefore });
    const byAgency = new Map(events.map((e) => [e.agencyId, e.payload]));
    expect(new Set(byAgency.keys())).toEqual(new Set([lead.id, invitee.id]));
    for (const payload of byAgency.values()) {
      expect(payload).toEqual({ operation: 'AA-LEAD/OP-INV', agency: 'HH-LATE', joinedAt: '2026-06-02T08:30:00.000Z' });
    }
    // Who joined and when: every participant sees it; only the lead sees the pending invitation.
    const forLead = await gw.gql<{ operation: { members: { agency: { code: string }; joinedAt: string | null }[] } }>(lead, MEMBERS, { code: 'OP-INV' });
    expect(forLead.data!.operation.members.map((m) => [m.agency.code, m.joinedAt !== null])).toEqual([
      ['AA-LEAD', true],
      ['BB-INV', true],
      ['HH-LATE', true],
      ['II-PEND', false],
    ]);
    const forMember = await gw.gql<{ operation: { members: { agency: { code: string }; joinedAt: string | null }[] } }>(invitee, MEMBERS, { code: 'OP-INV' });
    expect(forMember.data!.operation.members).toEqual(forLead.data!.operation.members.slice(0, 3));
    expect(forMember.data!.operation.members[2]).toMatchObject({ agency: { code: 'HH-LATE' }, joinedAt: '2026-06-02T08:30:00.000Z' });
  });
});

describe('who may change membership (AUZ-15)', () => {
  it('AUZ-15 a participant that is not the lead cannot invite', async () => {
    const res = await gw.gql(invitee, INVITE, { op: 'OP-INV', agency: 'DD-OUT' });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const outsiderRow = await gw.db.prisma.operationParticipant.count({ where: { agencyId: outsider.id, operation: { lead: { code: 'AA-LEAD' } } } });
    expect(outsiderRow).toBe(0);
  });

  it('AUZ-15 a partner token with the admin scope cannot add itself to an operation it cannot see: it answers like a missing one', async () => {
    const scope = 'records:read operations:manage admin';
    for (const mutation of [ADD, INVITE]) {
      const hidden = await gw.gql(outsider, mutation, { op: 'AA-LEAD/OP-INV', agency: 'DD-OUT' }, { scope });
      const missing = await gw.gql(outsider, mutation, { op: 'AA-LEAD/OP-NONE', agency: 'DD-OUT' }, { scope });
      expect(hidden.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(refusal(hidden)).toEqual(refusal(missing));
    }
    // The bare code names the outsider's own OP-INV (AUZ-13), which it leads: that invites
    // nobody into the lead's operation.
    const outsiderRow = await gw.db.prisma.operationParticipant.count({ where: { agencyId: outsider.id, operation: { lead: { code: 'AA-LEAD' } } } });
    expect(outsiderRow).toBe(0);
    const view = await gw.gql(outsider, VIEW, { code: 'AA-LEAD/OP-INV' });
    expect(view.data).toEqual({ operation: null, scamDens: { totalCount: 0, edges: [] } });
  });
});
