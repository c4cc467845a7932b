// api/openapi-types.ts is generated from api/openapi.yaml: regenerating it in memory with
// openapi-typescript's Node API must give the committed file byte for byte, and the served
// GET /openapi.json must be the YAML's content.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_TYPES_URL, renderOpenApiTypes } from '../../api/rest/generate-openapi-types.ts';
import { parseOpenApiDocument } from '../../api/rest/openapi.ts';
import { createTestGateway, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
beforeAll(async () => {
  gw = await createTestGateway();
});
afterAll(() => gw?.close());

describe('the generated contract types', () => {
  it('match api/openapi.yaml (run `npm run openapi:types` after editing the YAML)', async () => {
    const committed = await readFile(OPENAPI_TYPES_URL, 'utf8');
    expect(committed === (await renderOpenApiTypes()), 'api/openapi-types.ts has drifted from api/openapi.yaml').toBe(true);
  });
});

describe('GET /openapi.json', () => {
  it('serves the YAML document as JSON', async () => {
    const res = await gw.app.fetch(new Request('http://gateway.test/openapi.json'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(parseOpenApiDocument());
  });
});
