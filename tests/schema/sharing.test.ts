// The sharing rules (docs/security.md) on every read path (AUZ-01…03, AUZ-10,
// PRV-02): each level × owner / participant / outsider × each record type × list, totalCount,
// node(id), the operation's connections and nested relations. A hidden record must look
// exactly like a missing one.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stableUuid } from '../../api/cli/seed/generate.ts';
import { SharingLevel } from '../../prisma/generated/client/enums.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

const LEVELS = Object.values(SharingLevel);
type Level = SharingLevel;
type Role = 'owner' | 'participant' | 'outsider';

/** The policy oracle: what the sharing rules say each viewer may see. */
function visible(role: Role, level: Level, retracted = false, inOperation = true): boolean {
  if (role === 'owner') return true;
  if (retracted) return false;
  if (level === 'CLEAR' || level === 'GREEN') return true;
  if (level === 'AMBER') return role === 'participant' && inOperation;
  return false;
}

const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

let gw: TestGateway;
let owner: TestAgency;
let participant: TestAgency;
let outsider: TestAgency;
let operationId: string;
const records: { type: 'ScamDen' | 'Suspect' | 'InterceptedFund'; id: string; level: Level; retracted: boolean }[] = [];
let hub: string;

beforeAll(async () => {
  gw = await createTestGateway();
  owner = await gw.addAgency('AA-OWN');
  participant = await gw.addAgency('BB-PART');
  outsider = await gw.addAgency('CC-OUT');
  const p = gw.db.prisma;
  const op = await p.operation.create({
    data: {
      code: 'OP-SHARE',
      name: 'Sharing',
      leadId: owner.id,
      participants: { create: [{ agencyId: owner.id }, { agencyId: participant.id }] },
    },
  });
  operationId = op.id;
  // A GREEN den everyone sees, holding children of every level (nested paths).
  hub = stableUuid('hub');
  await p.scamDen.create({
    data: { id: hub, ownerId: owner.id, sourceRef: 'HUB', operationId, sharingLevel: 'GREEN', country: 'KH', denType: 'CALL_CENTRE', status: 'RAIDED' },
  });
  for (const level of LEVELS) {
    for (const retracted of [false, true]) {
      const suffix = `${level}-${retracted ? 'R' : 'L'}`;
      const common = { ownerId: owner.id, operationId, sharingLevel: level, retractedAt: retracted ? new Date() : null };
      const den = await p.scamDen.create({
        data: { ...common, sourceRef: `D-${suffix}`, country: 'MM', denType: 'LOAN', status: 'ACTIVE' },
      });
      const suspect = await p.suspect.create({
        data: { ...common, sourceRef: `S-${suffix}`, personKey: `pk-${suffix}`, role: 'MEMBER', status: 'WANTED', denId: hub },
      });
      const fund = await p.interceptedFund.create({
        data: { ...common, sourceRef: `F-${suffix}`, amount: '10.00', currency: 'EUR', channel: 'CASH', action: 'SEIZED', denId: hub },
      });
      records.push(
        { type: 'ScamDen', id: den.id, level, retracted },
        { type: 'Suspect', id: suspect.id, level, retracted },
        { type: 'InterceptedFund', id: fund.id, level, retracted },
      );
    }
  }
});

afterAll(() => gw?.close());

const viewers = () => [
  ['owner', owner],
  ['participant', participant],
  ['outsider', outsider],
] as const;

const LIST_FIELD = { ScamDen: 'scamDens', Suspect: 'suspects', InterceptedFund: 'interceptedFunds' } as const;

describe('sharing rules on every path', () => {
  for (const type of ['ScamDen', 'Suspect', 'InterceptedFund'] as const) {
    it(`AUZ-03 lists and counts exactly the visible ${type} records for each viewer`, async () => {
      for (const [role, agency] of viewers()) {
        const res = await gw.gql<Record<string, { totalCount: number; edges: { node: { id: string } }[] }>>(
          agency,
          `query { list: ${LIST_FIELD[type]}(first: 100, filter: { owner: "AA-OWN" }) { totalCount edges { node { id } } } }`,
        );
        expect(res.errors).toBeUndefined();
        const expected = records
          .filter((r) => r.type === type && visible(role, r.level, r.retracted))
          .map((r) => globalId(type, r.id));
        if (type === 'ScamDen') expected.push(globalId('ScamDen', hub));
        const list = res.data!.list!;
        expect(new Set(list.edges.map((e) => e.node.id)), `${role} ${type}`).toEqual(new Set(expected));
        expect(list.totalCount).toBe(expected.length);
      }
    });

    it(`AUZ-01 node(id) shows a hidden ${type} exactly as a missing one`, async () => {
      for (const [role, agency] of viewers()) {
        for (const r of records.filter((x) => x.type === type)) {
          const res = await gw.gql<{ node: { id: string } | null }>(agency, 'query($id: ID!) { node(id: $id) { id } }', {
            id: globalId(type, r.id),
          });
          expect(res.errors).toBeUndefined();
          expect(res.data!.node === null, `${role} ${r.level} retracted=${r.retracted}`).toBe(!visible(role, r.level, r.retracted));
        }
        const missing = await gw.gql(agency, 'query($id: ID!) { node(id: $id) { id } }', {
          id: globalId(type, stableUuid('nothing')),
        });
        expect(missing).toMatchObject({ status: 200, data: { node: null } });
        expect(missing.errors).toBeUndefined();
      }
    });
  }

  it('AUZ-02 nested connections hide children from edges and totalCount', async () => {
    for (const [role, agency] of viewers()) {
      const res = await gw.gql<{
        node: {
          suspects: { totalCount: number; edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean } };
          interceptedFunds: { totalCount: number; edges: { node: { id: string } }[] };
        };
      }>(
        agency,
        `query($id: ID!) { node(id: $id) { ... on ScamDen {
           suspects(first: 100) { totalCount pageInfo { hasNextPage } edges { node { id } } }
           interceptedFunds(first: 100) { totalCount edges { node { id } } } } } }`,
        { id: globalId('ScamDen', hub) },
      );
      expect(res.errors).toBeUndefined();
      for (const [type, field] of [['Suspect', 'suspects'], ['InterceptedFund', 'interceptedFunds']] as const) {
        const expected = records.filter((r) => r.type === type && visible(role, r.level, r.retracted)).map((r) => globalId(type, r.id));
        const conn = res.data!.node[field];
        expect(new Set(conn.edges.map((e) => e.node.id)), `${role} ${field}`).toEqual(new Set(expected));
        expect(conn.totalCount).toBe(expected.length);
      }
      expect(res.data!.node.suspects.pageInfo.hasNextPage).toBe(false);
    }
  });

  it("AUZ-10 an operation's connections apply the same rules, and outsiders do not see the operation", async () => {
    for (const [role, agency] of viewers()) {
      const res = await gw.gql<{ operation: null | { scamDens: { totalCount: number }; summary: { scamDens: number } } }>(
        agency,
        'query { operation(code: "OP-SHARE") { scamDens(first: 100) { totalCount } summary { scamDens } } }',
      );
      expect(res.errors).toBeUndefined();
      if (role === 'outsider') {
        expect(res.data!.operation).toBeNull();
        continue;
      }
      const dens = records.filter((r) => r.type === 'ScamDen' && visible(role, r.level, r.retracted)).length + 1;
      expect(res.data!.operation!.scamDens.totalCount).toBe(dens);
      // Summaries count every live record of the operation, whatever its level.
      expect(res.data!.operation!.summary.scamDens).toBe(1 + LEVELS.length);
    }
  });

  it('a suspect shows its den only when the viewer may see the den', async () => {
    const p = gw.db.prisma;
    const redDen = records.find((r) => r.type === 'ScamDen' && r.level === 'RED' && !r.retracted)!;
    const s = await p.suspect.create({
      data: { ownerId: owner.id, sourceRef: 'S-IN-RED', operationId, sharingLevel: 'GREEN', personKey: 'pk-x', role: 'MEMBER', status: 'ARRESTED', denId: redDen.id },
    });
    for (const [role, agency] of viewers()) {
      const res = await gw.gql<{ node: { den: { id: string } | null } }>(agency, 'query($id: ID!) { node(id: $id) { ... on Suspect { den { id } } } }', {
        id: globalId('Suspect', s.id),
      });
      expect(res.data!.node.den === null, role).toBe(role !== 'owner');
    }
    await p.suspect.delete({ where: { id: s.id } });
  });

  it('PRV-02 aggregates of others do not move when a hidden record is added', async () => {
    const before = await gw.gql<{ suspects: { totalCount: number } }>(participant, '{ suspects(first: 1) { totalCount } }');
    const extra = await gw.db.prisma.suspect.create({
      data: { ownerId: owner.id, sourceRef: 'S-EXTRA-RED', operationId, sharingLevel: 'RED', personKey: 'pk-extra', role: 'MEMBER', status: 'WANTED' },
    });
    const after = await gw.gql<{ suspects: { totalCount: number } }>(participant, '{ suspects(first: 1) { totalCount } }');
    expect(after.data!.suspects.totalCount).toBe(before.data!.suspects.totalCount);
    await gw.db.prisma.suspect.delete({ where: { id: extra.id } });
  });
});

describe('sharing rules, property-based (AUZ-03)', () => {
  it('the visible set equals the policy oracle for generated records', async () => {
    const p = gw.db.prisma;
    const other = await p.operation.create({ data: { code: 'OP-OTHER', name: 'Other', leadId: outsider.id, participants: { create: [{ agencyId: outsider.id }] } } });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            level: fc.constantFrom(...LEVELS),
            retracted: fc.boolean(),
            ownerIndex: fc.integer({ min: 0, max: 2 }),
            operation: fc.constantFrom<'shared' | 'other' | 'none'>('shared', 'other', 'none'),
          }),
          { minLength: 1, maxLength: 15 },
        ),
        async (specs) => {
          run += 1;
          const owners = [owner, participant, outsider];
          const baseline = await Promise.all(
            owners.map(async (viewer) => (await gw.gql<{ suspects: { totalCount: number } }>(viewer, '{ suspects(first: 1) { totalCount } }')).data!.suspects.totalCount),
          );
          const created = [];
          for (const [i, spec] of specs.entries()) {
            const row = await p.suspect.create({
              data: {
                ownerId: owners[spec.ownerIndex]!.id,
                sourceRef: `PB-${run}-${i}`,
                personKey: `pb-${run}`,
                sharingLevel: spec.level,
                retractedAt: spec.retracted ? new Date() : null,
                operationId: spec.operation === 'shared' ? operationId : spec.operation === 'other' ? other.id : null,
                role: 'MEMBER',
                status: 'WANTED',
              },
            });
            created.push({ ...spec, id: row.id });
          }
          for (const [vi, viewer] of owners.entries()) {
            // Stored keys are not filterable (a viewer is shown sealed keys, PRV-08): the run's
            // records are picked out of the viewer's whole list, counted against the baseline.
            const res = await gw.gql<{ suspects: { totalCount: number; edges: { node: { id: string } }[] } }>(
              viewer,
              'query { suspects(first: 100) { totalCount edges { node { id } } } }',
            );
            const mine = new Set(created.map((c) => globalId('Suspect', c.id)));
            const participantOf = (op: string) =>
              op === 'shared' ? vi === 0 || vi === 1 : op === 'other' ? vi === 2 : false;
            const expected = created
              .filter((c) =>
                visible(c.ownerIndex === vi ? 'owner' : participantOf(c.operation) ? 'participant' : 'outsider', c.level, c.retracted),
              )
              .map((c) => globalId('Suspect', c.id));
            expect(new Set(res.data!.suspects.edges.map((e) => e.node.id).filter((id) => mine.has(id)))).toEqual(new Set(expected));
            expect(res.data!.suspects.totalCount).toBe(baseline[vi]! + expected.length);
          }
          await p.suspect.deleteMany({ where: { personKey: `pb-${run}` } });
        },
      ),
      { numRuns: 25 },
    );
  });
});
