// GraphiQL must work on a network closed to the internet: the page may not load scripts,
// styles or icons from any other host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
beforeAll(async () => {
  gw = await createTestGateway({ graphiql: true });
});
afterAll(() => gw?.close());

describe('GraphiQL', () => {
  it('serves its page with every asset inline, and the example operations', async () => {
    const res = await gw.app.fetch(new Request('http://gateway.test/graphql', { headers: { accept: 'text/html' } }));
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).not.toMatch(/(src|href)=["']?https?:\/\//);
    expect(html).toContain('Liaison gateway');
    expect(html).toContain('OperationTotals');
  });
});

describe('GraphiQL and single-use tokens', () => {
  it('answers its schema introspection without spending the pasted token', async () => {
    const agency = await gw.addAgency('ES-PN');
    const token = await agency.token();
    const post = (query: string) =>
      gw.app.fetch(
        new Request('http://gateway.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query }),
        }),
      );
    const schema = await post('query IntrospectionQuery { __schema { queryType { name } } }');
    expect(schema.status).toBe(200);
    const me = (await (await post('{ me { agency { code } } }')).json()) as { data?: { me: { agency: { code: string } } } };
    expect(me.data?.me.agency.code).toBe('ES-PN');
  });

  it('still requires a token for anything that is not pure introspection', async () => {
    const res = await gw.gql(null, '{ __schema { queryType { name } } agencies { code } }');
    expect(res.status).toBe(401);
  });
});
