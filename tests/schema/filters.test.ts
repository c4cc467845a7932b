// List filters stay inside the sharing rules: a filter must not tell a viewer more than the
// records it may see already do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
let lead: TestAgency;
let outsider: TestAgency;

const COUNT = `query($code: String!) {
  scamDens(filter: { operationCode: $code }) { totalCount }
  suspects(filter: { operationCode: $code }) { totalCount }
  interceptedFunds(filter: { operationCode: $code }) { totalCount } }`;
type Counts = { scamDens: { totalCount: number }; suspects: { totalCount: number }; interceptedFunds: { totalCount: number } };
const counts = async (agency: TestAgency, code: string) => {
  const result = await gw.gql<Counts>(agency, COUNT, { code });
  expect(result.errors).toBeUndefined();
  const d = result.data!;
  return [d.scamDens.totalCount, d.suspects.totalCount, d.interceptedFunds.totalCount];
};

beforeAll(async () => {
  gw = await createTestGateway();
  lead = await gw.addAgency('ES-PN');
  outsider = await gw.addAgency('PH-NBI');
  const p = gw.db.prisma;
  const op = await p.operation.create({ data: { code: 'OP-HIDDEN', name: 'Hidden', leadId: lead.id, participants: { create: [{ agencyId: lead.id }] } } });
  // GREEN records: every agency sees them in lists; only their operation is hidden from PH-NBI.
  await p.scamDen.create({ data: { ownerId: lead.id, sourceRef: 'D-1', operationId: op.id, sharingLevel: 'GREEN', country: 'KH', denType: 'LOAN', status: 'ACTIVE' } });
  await p.suspect.create({ data: { ownerId: lead.id, sourceRef: 'S-1', operationId: op.id, sharingLevel: 'GREEN', personKey: 'P1', role: 'MEMBER', status: 'WANTED' } });
  await p.interceptedFund.create({
    data: { ownerId: lead.id, sourceRef: 'F-1', operationId: op.id, sharingLevel: 'GREEN', amount: '10', currency: 'USD', channel: 'CASH', action: 'SEIZED' },
  });
});
afterAll(async () => {
  await gw?.close();
});

describe('operationCode filter', () => {
  it('AUZ-11 filters by a hidden operation exactly as by a code that does not exist', async () => {
    expect(await counts(outsider, 'OP-HIDDEN')).toEqual([0, 0, 0]);
    expect(await counts(outsider, 'OP-NO-SUCH')).toEqual([0, 0, 0]);
    // The records themselves are GREEN: the outsider does see them unfiltered.
    const all = await gw.gql<Counts>(outsider, '{ scamDens { totalCount } suspects { totalCount } interceptedFunds { totalCount } }');
    expect(all.data).toEqual({ scamDens: { totalCount: 1 }, suspects: { totalCount: 1 }, interceptedFunds: { totalCount: 1 } });
  });

  it("AUZ-11 filters a participant's own operation as before", async () => {
    expect(await counts(lead, 'OP-HIDDEN')).toEqual([1, 1, 1]);
  });
});
