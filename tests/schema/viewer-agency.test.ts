// `me { agency { ... } }`: the fields the token check already read (code, name, and the status
// of an agency admitted, ACTIVE) are answered from it, with no statement of their own; any other
// field, or a fragment, is read from the database. Both answer what is stored now.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
let agency: TestAgency;

beforeAll(async () => {
  gw = await createTestGateway();
  agency = await gw.addAgency('XV-ME', { name: 'Viewer Agency', country: 'PT' });
});
afterAll(() => gw?.close());

describe('me.agency', () => {
  it('GQL-18 answers code, name and status from the token check, as stored at the time of the request', async () => {
    const first = await gw.gql<{ me: { agency: Record<string, string> } }>(agency, '{ me { agency { __typename code name status } } }');
    expect(first.errors).toBeUndefined();
    expect(first.data?.me.agency).toEqual({ __typename: 'Agency', code: 'XV-ME', name: 'Viewer Agency', status: 'ACTIVE' });
    await gw.db.prisma.agency.update({ where: { id: agency.id }, data: { name: 'Renamed Agency' } });
    const renamed = await gw.gql<{ me: { agency: Record<string, string> } }>(agency, '{ me { agency { name } } }');
    expect(renamed.data?.me.agency).toEqual({ name: 'Renamed Agency' });
  });

  it('GQL-18 reads any other field, and fragments, from the database', async () => {
    const country = await gw.gql<{ me: { agency: Record<string, string> } }>(agency, '{ me { agency { code country } } }');
    expect(country.data?.me.agency).toEqual({ code: 'XV-ME', country: 'PT' });
    const fragment = await gw.gql<{ me: { agency: Record<string, string> } }>(agency, '{ me { agency { ... on Agency { code name status } } } }');
    expect(fragment.data?.me.agency).toEqual({ code: 'XV-ME', name: 'Renamed Agency', status: 'ACTIVE' });
    const aliased = await gw.gql<{ me: { agency: Record<string, string> } }>(agency, '{ me { a: agency { c: code } b: agency { country } } }');
    expect(aliased.data?.me).toEqual({ a: { c: 'XV-ME' }, b: { country: 'PT' } });
  });
});
