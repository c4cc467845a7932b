// api/openapi-types.ts is generated from api/openapi.yaml: regenerating it in memory with
// openapi-typescript's Node API must give the committed file byte for byte. (That the served
// GET /openapi.json is the YAML's content is checked in openapi.test.ts.)
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { OPENAPI_TYPES_URL, renderOpenApiTypes } from '../../api/rest/generate-openapi-types.ts';

describe('the generated contract types', () => {
  it('match api/openapi.yaml (run `npm run openapi:types` after editing the YAML)', async () => {
    const committed = await readFile(OPENAPI_TYPES_URL, 'utf8');
    expect(committed === (await renderOpenApiTypes()), 'api/openapi-types.ts has drifted from api/openapi.yaml').toBe(true);
  });
});
