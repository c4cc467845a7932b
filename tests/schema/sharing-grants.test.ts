// The grant branch of the sharing rules, property-based (MAT-07, MAT-09): for generated records
// (level, owner, retracted) and generated disclosure grants (grantee, expiry, revocation), at a
// generated instant, the set of suspects each agency sees through the list and totalCount, and
// through node(id), equals the rule computed here in plain TypeScript, on the compiled read path
// (schema/compiled/: the root list and the list nested under a den) and on the Prisma path alike.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharingLevel } from '../../prisma/generated/client/enums.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

const LEVELS = Object.values(SharingLevel);
const BASE = new Date('2026-06-01T12:00:00Z').getTime();
const HOUR = 3_600_000;

type GrantSpec = { grantee: number; expiresInHours: number | null; revoked: boolean };
type RecordSpec = { owner: number; level: SharingLevel; retracted: boolean; grants: GrantSpec[] };

/** The rule: owner always; otherwise not retracted and (CLEAR/GREEN, or a live grant to the viewer). No operation here, so AMBER is the owner's only. */
function visible(viewer: number, record: RecordSpec, at: number): boolean {
  if (record.owner === viewer) return true;
  if (record.retracted) return false;
  if (record.level === 'CLEAR' || record.level === 'GREEN') return true;
  return record.grants.some((g) => g.grantee === viewer && !g.revoked && (g.expiresInHours === null || BASE + g.expiresInHours * HOUR > at));
}

const globalId = (id: string) => Buffer.from(`Suspect:${id}`).toString('base64');

let gw: TestGateway;
/** A second gateway on the same database answering record reads by the Prisma path only. */
let prismaPath: TestGateway;
let agencies: TestAgency[];

beforeAll(async () => {
  gw = await createTestGateway();
  prismaPath = await createTestGateway({}, { db: gw.db, compiledReads: false });
  agencies = [await gw.addAgency('AA-ONE'), await gw.addAgency('BB-TWO'), await gw.addAgency('CC-THREE')];
});
afterAll(async () => {
  await prismaPath?.close();
  await gw?.close();
});

const grantArb = fc.record({
  grantee: fc.integer({ min: 0, max: 2 }),
  expiresInHours: fc.option(fc.integer({ min: -48, max: 48 }), { nil: null }),
  revoked: fc.boolean(),
});
const recordArb = fc.record({
  owner: fc.integer({ min: 0, max: 2 }),
  level: fc.constantFrom(...LEVELS),
  retracted: fc.boolean(),
  grants: fc.array(grantArb, { maxLength: 3 }),
});

describe('sharing rules with disclosure grants, property-based', () => {
  it('MAT-07 MAT-09 AUZ-33 the visible set equals the rule for generated records, grants, expiries, revocations and instants', async () => {
    const p = gw.db.prisma;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: -24, max: 72 }), async (specs, atHours) => {
        run += 1;
        const personKey = `grants-${run}`;
        const baseline = await Promise.all(
          agencies.map(async (viewer) => (await gw.gql<{ suspects: { totalCount: number } }>(viewer, '{ suspects(first: 1) { totalCount } }')).data!.suspects.totalCount),
        );
        const created: { id: string; spec: RecordSpec }[] = [];
        // A den everyone sees (the only one in the database), holding every generated suspect.
        const hub = await p.scamDen.create({
          data: { ownerId: agencies[0]!.id, sourceRef: `HUB-${run}`, sharingLevel: 'GREEN', country: 'KH', denType: 'CALL_CENTRE', status: 'ACTIVE' },
        });
        for (const [i, spec] of specs.entries()) {
          const owner = agencies[spec.owner]!;
          const suspect = await p.suspect.create({
            data: {
              ownerId: owner.id,
              sourceRef: `G-${run}-${i}`,
              personKey,
              sharingLevel: spec.level,
              retractedAt: spec.retracted ? new Date(BASE) : null,
              role: 'MEMBER',
              status: 'WANTED',
              denId: hub.id,
            },
          });
          for (const [j, grant] of spec.grants.entries()) {
            const grantee = agencies[grant.grantee]!;
            const request = await p.disclosureRequest.create({
              data: {
                hitRefHash: `${run}-${i}-${j}`.padEnd(64, '0'),
                requesterId: grantee.id,
                requestedBy: 'officer',
                ownerId: owner.id,
                kind: 'SUSPECT',
                recordId: suspect.id,
                justification: 'property test',
                legalBasis: 'property test',
                status: grant.revoked ? 'REVOKED' : 'APPROVED',
                dueAt: new Date(BASE + 48 * HOUR),
              },
            });
            await p.recordGrant.create({
              data: {
                requestId: request.id,
                granteeId: grantee.id,
                suspectId: suspect.id,
                expiresAt: grant.expiresInHours === null ? null : new Date(BASE + grant.expiresInHours * HOUR),
                revokedAt: grant.revoked ? new Date(BASE) : null,
              },
            });
          }
          created.push({ id: suspect.id, spec });
        }
        const at = BASE + atHours * HOUR;
        gw.clock.now = new Date(at);
        prismaPath.clock.now = new Date(at);
        for (const [vi, viewer] of agencies.entries()) {
          const expected = created.filter((c) => visible(vi, c.spec, at)).map((c) => globalId(c.id));
          // Stored keys are not filterable (a viewer is shown sealed keys, PRV-08): the run's
          // records are picked out of the viewer's whole list, counted against the baseline,
          // on the compiled path and on the Prisma path alike.
          const mine = new Set(created.map((c) => globalId(c.id)));
          for (const path of [gw, prismaPath]) {
            const list = await path.gql<{ suspects: { totalCount: number; edges: { node: { id: string } }[] } }>(
              viewer,
              'query { suspects(first: 100) { totalCount edges { node { id } } } }',
            );
            expect(list.errors).toBeUndefined();
            expect(new Set(list.data!.suspects.edges.map((e) => e.node.id).filter((id) => mine.has(id)))).toEqual(new Set(expected));
            expect(list.data!.suspects.totalCount).toBe(baseline[vi]! + expected.length);
          }
          // The same rule one level down, in the compiled statement's LATERAL page under the den.
          const nested = await gw.gql<{ scamDens: { edges: { node: { suspects: { totalCount: number; edges: { node: { id: string } }[] } } }[] } }>(
            viewer,
            '{ scamDens(first: 1) { edges { node { suspects(first: 100) { totalCount edges { node { id } } } } } } }',
          );
          expect(nested.errors).toBeUndefined();
          const underHub = nested.data!.scamDens.edges[0]!.node.suspects;
          expect(new Set(underHub.edges.map((e) => e.node.id))).toEqual(new Set(expected));
          expect(underHub.totalCount).toBe(expected.length);
          const aliases = created.map((c, i) => `n${i}: node(id: "${globalId(c.id)}") { id }`).join(' ');
          const nodes = await gw.gql<Record<string, { id: string } | null>>(viewer, `query { ${aliases} }`);
          expect(nodes.errors).toBeUndefined();
          const seen = Object.values(nodes.data!).filter((n): n is { id: string } => n !== null);
          expect(seen.map((n) => n.id).sort()).toEqual([...expected].sort());
        }
        await p.disclosureRequest.deleteMany({ where: { recordId: { in: created.map((c) => c.id) } } });
        await p.suspect.deleteMany({ where: { personKey } });
        await p.scamDen.delete({ where: { id: hub.id } });
      }),
      { numRuns: 20 },
    );
    // Twenty runs, each querying two read paths for three viewers: minutes on a loaded PGlite.
  }, 300_000);
});
