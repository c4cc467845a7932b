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
