// docs/api.md is generated (docs/generate-api-md.ts) from the schema, the OpenAPI document and
// the error table; a change to any of them without regenerating fails here.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderApiMarkdown } from '../../docs/generate-api-md.ts';

describe('docs/api.md', () => {
  it('is up to date with schema/schema.graphql, api/openapi.yaml and kernel/errors.ts (run `npm run docs:api`)', async () => {
    const committed = await readFile(new URL('../../docs/api.md', import.meta.url), 'utf8');
    expect(committed === (await renderApiMarkdown()), 'docs/api.md is stale: run `npm run docs:api`').toBe(true);
  });

  it('lists every query and mutation field and every error code', async () => {
    const md = await renderApiMarkdown();
    for (const name of ['`me`', '`operation`', '`submitRecords`', '`submission`', '`UNAUTHENTICATED`', '`PERSISTED_QUERY_ONLY`', '#### OperationSummary']) {
      expect(md).toContain(name);
    }
  });
});
