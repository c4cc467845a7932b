// Clients generated from a released schema must keep working: any BREAKING change between
// schema/released/v1.graphql and schema/schema.graphql fails here unless docs/CHANGELOG.md
// records its path under "## Unreleased — breaking" (convention in tests/docs/schema-guard.ts).
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { breakingChanges, recordedBreakingPaths, unrecordedBreakingChanges } from './schema-guard.ts';

const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('schema evolution', () => {
  it('has no unrecorded breaking change since the last release', async () => {
    const unrecorded = await unrecordedBreakingChanges(await read('schema/released/v1.graphql'), await read('schema/schema.graphql'), await read('docs/CHANGELOG.md'));
    expect(unrecorded, 'record each path under "## Unreleased — breaking" in docs/CHANGELOG.md').toEqual([]);
  });

  describe('the guard itself', () => {
    // A synthetic break: the released schema with Viewer.scopes removed from a copy.
    let released: string;
    let withoutScopes: string;
    beforeAll(async () => {
      released = await read('schema/released/v1.graphql');
      withoutScopes = released.replace(/(type Viewer \{[^}]*?)\n\s*scopes: \[String!\]!/, '$1');
      expect(withoutScopes).not.toBe(released);
    });
    const withExtraField = () => released.replace('type Viewer {', 'type Viewer {\n  nickname: String');

    it('fails on a removed field that the changelog does not record', async () => {
      const unrecorded = await unrecordedBreakingChanges(released, withoutScopes, '# Changelog\n\n## 1 — 2026-06-01\n\n- `Viewer.scopes` added\n');
      expect(unrecorded.map((c) => c.path)).toEqual(['Viewer.scopes']);
    });

    it('passes once the removal is recorded under "Unreleased — breaking"', async () => {
      const changelog = '# Changelog\n\n## Unreleased — breaking\n\n- `Viewer.scopes`: removed; read `me.agency` instead.\n\n## 1 — 2026-06-01\n';
      expect(await unrecordedBreakingChanges(released, withoutScopes, changelog)).toEqual([]);
    });

    it('lets additions through without any entry', async () => {
      expect(await breakingChanges(released, withExtraField())).toEqual([]);
    });

    it('reads only the breaking section, up to the next heading', () => {
      const paths = recordedBreakingPaths('## Unreleased — breaking\n- `A.b`\n## 1\n- `C.d`\n');
      expect([...paths]).toEqual(['A.b']);
    });
  });
});
