// The common filters of the three record lists (operationCode, owner, sharingLevel, country,
// status) each narrow the list and its totalCount to the matching records, on the column that
// filter means for the type: a den's country, a suspect's nationality, a fund's account country;
// a fund's status is its action.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
let alpha: TestAgency;
let beta: TestAgency;

/** Per type: the list field, and the filter values that match record 1 but not record 2. */
const TYPES = {
  scamDens: { country: 'KH', status: 'RAIDED' },
  suspects: { country: 'VN', status: 'ARRESTED' },
  interceptedFunds: { country: 'TH', status: 'FROZEN' },
} as const;

beforeAll(async () => {
  gw = await createTestGateway();
  alpha = await gw.addAgency('AA-ONE');
  beta = await gw.addAgency('BB-TWO');
  const p = gw.db.prisma;
  const both = [{ agencyId: alpha.id }, { agencyId: beta.id }];
  const one = await p.operation.create({ data: { code: 'OP-ONE', name: 'One', leadId: alpha.id, participants: { create: both } } });
  const two = await p.operation.create({ data: { code: 'OP-TWO', name: 'Two', leadId: beta.id, participants: { create: both } } });
  // Record 1 (alpha, OP-ONE, GREEN) matches every filter value of TYPES; record 2 (beta, OP-TWO, CLEAR) none.
  const first = { ownerId: alpha.id, operationId: one.id, sharingLevel: 'GREEN' as const, sourceRef: 'R-1' };
  const second = { ownerId: beta.id, operationId: two.id, sharingLevel: 'CLEAR' as const, sourceRef: 'R-2' };
  await p.scamDen.create({ data: { ...first, country: 'KH', denType: 'LOAN', status: 'RAIDED' } });
  await p.scamDen.create({ data: { ...second, country: 'MM', denType: 'LOAN', status: 'ACTIVE' } });
  await p.suspect.create({ data: { ...first, personKey: 'pk-1', nationality: 'VN', role: 'MEMBER', status: 'ARRESTED' } });
  await p.suspect.create({ data: { ...second, personKey: 'pk-2', nationality: 'CN', role: 'MEMBER', status: 'WANTED' } });
  await p.interceptedFund.create({ data: { ...first, amount: '1.00', currency: 'EUR', channel: 'CASH', action: 'FROZEN', accountCountry: 'TH' } });
  await p.interceptedFund.create({ data: { ...second, amount: '2.00', currency: 'EUR', channel: 'CASH', action: 'SEIZED', accountCountry: 'PH' } });
});

afterAll(() => gw?.close());

describe('common record filters', () => {
  for (const [field, own] of Object.entries(TYPES)) {
    const filters: Record<string, string> = {
      operationCode: '"OP-ONE"',
      owner: '"AA-ONE"',
      sharingLevel: 'GREEN',
      country: `"${own.country.toLowerCase()}"`,
      status: own.status,
    };
    for (const [name, value] of Object.entries(filters)) {
      it(`${field}(filter: { ${name} }) lists and counts only the matching record`, async () => {
        const res = await gw.gql<Record<string, { totalCount: number; edges: { node: { sourceRef: string } }[] }>>(
          beta,
          `query { list: ${field}(first: 10, filter: { ${name}: ${value} }) { totalCount edges { node { sourceRef } } } }`,
        );
        expect(res.errors).toBeUndefined();
        expect(res.data!.list!.edges.map((e) => e.node.sourceRef)).toEqual(['R-1']);
        expect(res.data!.list!.totalCount).toBe(1);
      });
    }
    it(`${field} without a filter lists both records`, async () => {
      const res = await gw.gql<Record<string, { totalCount: number }>>(beta, `query { list: ${field}(first: 10) { totalCount } }`);
      expect(res.data!.list!.totalCount).toBe(2);
    });
  }
});
