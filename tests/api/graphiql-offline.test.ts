// GraphiQL must work on a network closed to the internet: the page may not load scripts,
// styles or icons from any other host.
import { getIntrospectionQuery } from 'graphql';
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

describe('GraphiQL and the depth limit', () => {
  const fullIntrospection = getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
    oneOf: true,
  });
  const nestedOfType = (levels: number) =>
    `{ __schema { types { ${'ofType { '.repeat(levels)}name${' }'.repeat(levels)} } } }`;

  it("answers GraphiQL's full introspection query (depth 15, with fragments) without a token", async () => {
    const res = await gw.gql<{ __schema: { queryType: { name: string } } }>(null, fullIntrospection);
    expect(res.status).toBe(200);
    expect(res.data?.__schema.queryType.name).toBe('Query');
  });

  it('refuses an introspection query deeper than GraphiQL\'s own', async () => {
    expect((await gw.gql(null, nestedOfType(12))).status).toBe(200);
    const tooDeep = await gw.gql(null, nestedOfType(14));
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('keeps the depth limit of 10 for every query that is not pure introspection', async () => {
    const agency = await gw.addAgency('NL-POLITIE');
    const deep = '{ __typename operation(code: "X") { scamDens(first: 1) { edges { node { suspects(first: 1) { edges { node { den { suspects(first: 1) { edges { node { id } } } } } } } } } } } }';
    expect((await gw.gql(agency, deep)).status).toBe(400);
  });
});

