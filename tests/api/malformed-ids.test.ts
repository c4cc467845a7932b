// Malformed node ids and cursors are the caller's mistake, not the gateway's: BAD_USER_INPUT,
// with nothing of the input in the answer or the logs (they used to be INTERNAL, and the
// Prisma error quoting the input was logged at error level).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
let agency: TestAgency;
const b64 = (s: string) => Buffer.from(s).toString('base64');

beforeAll(async () => {
  gw = await createTestGateway();
  agency = await gw.addAgency('ES-PN');
});
afterAll(async () => {
  await gw?.close();
});

describe('malformed ids and cursors', () => {
  it.each([
    ['a node id with a non-uuid', `{ node(id: "${b64('ScamDen:probe-notauuid')}") { id } }`],
    ['a node id of a type without nodes', `{ node(id: "${b64('Agency:probe-x')}") { id } }`],
    ['a node id that is not base64 of anything', '{ node(id: "probe-zzz") { id } }'],
    ['a cursor that is not one', '{ scamDens(after: "probe-zzz") { totalCount } }'],
    ['a cursor around a non-uuid', `{ scamDens(after: "${b64('GPC:S:probe-notauuid')}") { totalCount } }`],
  ])('AUZ-12 answers BAD_USER_INPUT for %s and logs none of it', async (_name, query) => {
    const before = gw.logs.length;
    const result = await gw.gql(agency, query);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ code: 'MALFORMED_ID' }] });
    expect(JSON.stringify(result)).not.toContain('probe-');
    const logged = gw.logs.slice(before);
    expect(logged.filter((l) => Number(l.level) >= 50)).toEqual([]);
    expect(JSON.stringify(logged)).not.toContain('probe-');
  });
});
