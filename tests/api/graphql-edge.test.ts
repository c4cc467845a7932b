// The edge of the GraphQL endpoint (docs/security-tests.md: GQL-01…11, the HTTP parts of TOK-17 and
// TOK-19, LOG-01/02): limits reject before any resolver runs, errors are masked, tokens
// never reach the logs.
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
let agency: TestAgency;

beforeAll(async () => {
  gw = await createTestGateway();
  agency = await gw.addAgency('ES-PN');
});
afterAll(() => gw?.close());

async function post(body: string, headers: Record<string, string> = {}, path = '/graphql') {
  const res = await gw.app.fetch(
    new Request(`http://gateway.test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await agency.token()}`, ...headers },
      body,
    }),
  );
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
}

const codeOf = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;

describe('query limits', () => {
  it('GQL-01 refuses a query deeper than the limit, also through fragments', async () => {
    const deep = '{ operation(code: "X") { scamDens(first: 1) { edges { node { suspects(first: 1) { edges { node { den { suspects(first: 1) { edges { node { id } } } } } } } } } } } }';
    const res = await gw.gql(agency, deep);
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    const viaFragments = `
      query { ...A }
      fragment A on Query { operation(code: "X") { ...B } }
      fragment B on Operation { scamDens(first: 1) { edges { node { ...C } } } }
      fragment C on ScamDen { suspects(first: 1) { edges { node { den { suspects(first: 1) { edges { node { den { id } } } } } } } } }`;
    expect((await gw.gql(agency, viaFragments)).status).toBe(400);
  });

  it('GQL-02 refuses a query whose page sizes multiply past the cost limit, before any data is read', async () => {
    const res = await gw.gql(
      agency,
      '{ scamDens(first: 100) { edges { node { suspects(first: 100) { edges { node { id personKey role status sex } } } interceptedFunds(first: 100) { edges { node { id amount currency } } } } } } }',
    );
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.data ?? null).toBeNull();
  });

  it('accepts the legitimate dens-with-suspects-and-funds query', async () => {
    const res = await gw.gql(
      agency,
      '{ scamDens(first: 50) { totalCount edges { node { id country suspects(first: 10) { totalCount edges { node { id personKey status } } } interceptedFunds(first: 10) { edges { node { amount currency } } } } } } }',
    );
    expect(res.errors).toBeUndefined();
  });

  it('GQL-03 refuses 11 aliases but allows __typename aliases', async () => {
    const aliases = Array.from({ length: 11 }, (_, i) => `a${i}: me { subject }`).join(' ');
    expect((await gw.gql(agency, `{ ${aliases} }`)).status).toBe(400);
    const typenames = Array.from({ length: 15 }, (_, i) => `t${i}: __typename`).join(' ');
    expect((await gw.gql(agency, `{ ${typenames} }`)).errors).toBeUndefined();
  });

  it('GQL-04 refuses more than 10 directives', async () => {
    const directives = Array.from({ length: 11 }, () => '@include(if: true)').join(' ');
    expect((await gw.gql(agency, `{ me ${directives} { subject } }`)).status).toBe(400);
  });

  it('GQL-05 refuses over 1000 tokens, over 15000 characters and fragment cycles', async () => {
    expect((await gw.gql(agency, `{ ${'__typename '.repeat(1001)} }`)).status).toBe(400);
    expect((await gw.gql(agency, `{ __typename } # ${'x'.repeat(15_001)}`)).status).toBe(400);
    const cycle = 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }';
    expect((await gw.gql(agency, cycle)).status).toBe(400);
  });

  it('GQL-05 refuses a body over 1 MiB with 413', async () => {
    const res = await post(JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(res.status).toBe(413);
  });

  it('GQL-06 keeps page sizes within 1–100 and never first with last', async () => {
    for (const args of ['first: 101', 'first: 0', 'first: -1', 'first: 99999999', 'first: 5, last: 5']) {
      const res = await gw.gql(agency, `{ scamDens(${args}) { totalCount } }`);
      expect(codeOf(res), args).toBe('BAD_USER_INPUT');
    }
    expect((await gw.gql(agency, '{ scamDens { totalCount } }')).errors).toBeUndefined();
  });

  it('GQL-06 applies the page rules to variable defaults too, and to first with last through them', async () => {
    for (const query of [
      'query($n: Int = 1000) { suspects(first: $n) { totalCount } }',
      'query($n: Int = 0) { suspects(first: $n) { totalCount } }',
      'query($n: Int = -1) { suspects(first: $n) { totalCount } }',
      'query($n: Int = 5) { suspects(first: 5, last: $n) { totalCount } }',
    ]) {
      const res = await gw.gql(agency, query);
      expect(codeOf(res), query).toBe('BAD_USER_INPUT');
    }
    // A variable sent with the request wins over its default, as in execution.
    expect((await gw.gql(agency, 'query($n: Int = 1000) { suspects(first: $n) { totalCount } }', { n: 10 })).errors).toBeUndefined();
  });

  it('GQL-07 refuses batched operations', async () => {
    const res = await post(JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]));
    expect(res.status).toBe(400);
  });

  it('GQL-08 refuses introspection without GraphiQL and suggests no field names', async () => {
    expect((await gw.gql(agency, '{ __schema { types { name } } }')).status).toBe(400);
    const typo = await gw.gql(agency, '{ suspct { totalCount } }');
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.errors)).not.toMatch(/Did you mean/);
    const page = await gw.app.fetch(new Request('http://gateway.test/graphql', { headers: { accept: 'text/html' } }));
    expect(await page.text()).not.toMatch(/graphiql/i);
  });
});

describe('answers', () => {
  /** POSTs over a real socket (inject measures the body itself): status, headers and body as sent. */
  async function overHttp(body: string, headers: Record<string, string>) {
    if (!gw.app.fastify.server.listening) await gw.app.fastify.listen({ port: 0, host: '127.0.0.1' });
    const { port } = gw.app.fastify.server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await agency.token()}`, ...headers },
      body,
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  it('sends a GraphQL answer whole, with its length, and an event stream asked for as a stream', async () => {
    const query = JSON.stringify({ query: '{ me { agency { code } } }' });
    const res = await overHttp(query, {});
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).data.me.agency.code).toBe('ES-PN');
    expect(res.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    expect(res.headers.get('transfer-encoding')).toBeNull();
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(res.text)));

    const events = await overHttp(query, { accept: 'text/event-stream' });
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(events.headers.get('content-length')).toBeNull();
    expect(events.text).toContain('"code":"ES-PN"');
  });
});

describe('errors and methods', () => {
  it('GQL-10 masks unexpected errors: no SQL, no stack', async () => {
    const original = gw.db.prisma.scamDen.findMany;
    const originalRaw = gw.db.prisma.$queryRawUnsafe;
    const originalPlain = gw.db.statements.$queryRawUnsafe;
    const fail = () => Promise.reject(new Error('relation "scam_den" violates SELECT secret'));
    // The Prisma path and the compiled one (schema/compiled/, one plain statement, kernel/db.ts) both fail.
    (gw.db.prisma.scamDen as { findMany: unknown }).findMany = fail;
    (gw.db.prisma as { $queryRawUnsafe: unknown }).$queryRawUnsafe = fail;
    (gw.db.statements as { $queryRawUnsafe: unknown }).$queryRawUnsafe = fail;
    try {
      const res = await gw.gql(agency, '{ scamDens(first: 1) { edges { node { id } } } }');
      expect(codeOf(res)).toBe('INTERNAL');
      expect(JSON.stringify(res)).not.toMatch(/scam_den|secret|at /);
    } finally {
      (gw.db.prisma.scamDen as { findMany: unknown }).findMany = original;
      (gw.db.prisma as { $queryRawUnsafe: unknown }).$queryRawUnsafe = originalRaw;
      (gw.db.statements as { $queryRawUnsafe: unknown }).$queryRawUnsafe = originalPlain;
    }
  });

  it('GQL-11 refuses a mutation over GET and simple content types without the CSRF header', async () => {
    const get = await gw.app.fetch(
      new Request(`http://gateway.test/graphql?query=${encodeURIComponent('mutation { addOperationParticipant(operationCode: "X", agencyCode: "Y") { code } }')}`, {
        headers: { authorization: `Bearer ${await agency.token()}`, 'x-graphql-yoga-csrf': '1', accept: 'application/json' },
      }),
    );
    expect(get.status).toBe(405);
    const plain = await post(JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'text/plain' });
    expect(plain.status).toBe(403);
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('TOK-19 refuses a token in the query string, and two transports at once', async () => {
    const token = await agency.token();
    const queryOnly = await gw.app.fetch(
      new Request(`http://gateway.test/graphql?access_token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ me { subject } }' }),
      }),
    );
    expect(queryOnly.status).toBe(401);
    const both = await post(JSON.stringify({ query: '{ me { subject } }' }), {}, `/graphql?access_token=${token}`);
    expect(both.status).toBe(400);
    expect(both.headers.get('www-authenticate')).toMatch(/invalid_request/);
  });

  it('answers 401 with WWW-Authenticate and UNAUTHENTICATED without a token', async () => {
    const res = await gw.gql(null, '{ me { subject } }');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });

  it('answers FORBIDDEN for a valid token without the scope', async () => {
    const res = await gw.gql(agency, '{ scamDens(first: 1) { totalCount } }', {}, { scope: 'match:query' });
    expect(codeOf(res)).toBe('FORBIDDEN');
  });

  it('TOK-17 answers 431 for a 20 KiB header from a real socket', async () => {
    const server = createServer((req, res) => gw.app.fastify.routing(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { authorization: `Bearer ${'a'.repeat(20 * 1024)}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    server.close();
    expect(status).toBe(431);
  });
});

describe('logs', () => {
  it('LOG-01 write one line per request with agency and operation, and never a token', async () => {
    const token = await agency.token();
    await gw.app.fetch(
      new Request('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: 'query WhoAmI { me { subject } }' }),
      }),
    );
    const line = gw.logs.filter((l) => l.msg === 'request').at(-1)!;
    expect(line).toMatchObject({ status: 200, agency: 'ES-PN', subject: 'officer-7', operationName: 'WhoAmI', route: '/graphql' });
    expect(typeof line.requestId).toBe('string');
    expect(typeof line.durationMs).toBe('number');
    const all = JSON.stringify(gw.logs);
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split('.')[2]!);
    expect(all).not.toMatch(/Bearer /);
  });
});
