// GET / tells a newcomer where to go: an HTML page for a browser, JSON for a script; and any
// other unknown path is a problem document pointing back to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../helpers/app.ts';

let withGraphiql: TestGateway;
let production: TestGateway;

beforeAll(async () => {
  [withGraphiql, production] = await Promise.all([createTestGateway({ graphiql: true }), createTestGateway()]);
});
afterAll(async () => {
  await Promise.all([withGraphiql?.close(), production?.close()]);
});

const home = (gw: TestGateway, accept: string) => gw.app.fetch(new Request('http://gateway.test/', { headers: { accept } }));

describe('GET /', () => {
  it('serves a browser an HTML page linking GraphiQL, the OpenAPI document, the receipt keys and the docs', async () => {
    const res = await home(withGraphiql, 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    for (const href of ['/graphql', '/openapi.json', '/.well-known/jwks.json']) expect(html).toContain(`href="${href}"`);
    expect(html).toContain('docs/api.md');
    expect(html).not.toContain('/console');
  });

  it('answers JSON links for Accept: application/json', async () => {
    const res = await home(withGraphiql, 'application/json');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { links: { rel: string; href: string }[] };
    expect(body.links.map((l) => l.rel)).toEqual(expect.arrayContaining(['graphiql', 'graphql', 'openapi', 'jwks']));
  });

  it('does not offer GraphiQL where it is off', async () => {
    const body = (await (await home(production, 'application/json')).json()) as { links: { rel: string }[] };
    expect(body.links.map((l) => l.rel)).not.toContain('graphiql');
    expect(await (await home(production, 'text/html')).text()).not.toMatch(/graphiql/i);
  });

  it('answers an unknown path with a NOT_FOUND problem document', async () => {
    const res = await withGraphiql.app.fetch(new Request('http://gateway.test/nowhere'));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', status: 404, instance: '/nowhere' });
  });
});
