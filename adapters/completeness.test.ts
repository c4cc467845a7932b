// Adding a format is one folder (issue 8, item 8), and the officer docs cannot drift (issue 7,
// item 6). For every registered adapter (adapters/index.ts) this fails when the format lacks
// its fixtures (a valid.* file and at least one error fixture), its sample in docs/examples/,
// its officer guide docs/formats/<format>.md, or its line in docs/adapters.md; when the guide
// misses a value the adapter accepts (Adapter.allowedValues) or the link to the issue codes;
// when docs/formats/issues.md misses an issue code. The shared enums of contract.ts must equal
// the database's (prisma/schema.prisma, read as text: adapters import nothing of the project).
// The OpenAPI media type of a format is checked with the API contract, not here.
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  DEN_STATUSES, DEN_TYPES, FUND_ACTIONS, FUND_CHANNELS, ISSUE_CODES, SELECTOR_TYPES, SEXES, SHARING_LEVELS, SUSPECT_ROLES, SUSPECT_STATUSES,
} from './contract.ts';
import { ADAPTERS } from './index.ts';

const ROOT = new URL('../', import.meta.url);
const text = (path: string) => readFile(new URL(path, ROOT), 'utf8');
const names = async (path: string) => readdir(new URL(path, ROOT));

describe.each(ADAPTERS.map((adapter) => [adapter.format, adapter] as const))('%s is complete', (format, adapter) => {
  it('has fixtures: a valid file and at least one error file', async () => {
    const fixtures = await names(`adapters/${format}/fixtures/`);
    expect(fixtures.filter((name) => name.startsWith('valid.'))).toHaveLength(1);
    expect(fixtures.filter((name) => !name.startsWith('valid.')).length).toBeGreaterThan(0);
  });

  it('has a sample in docs/examples', async () => {
    expect((await names('docs/examples/')).filter((name) => name.startsWith(`${format}.`))).toHaveLength(1);
  });

  it('has a line in docs/adapters.md', async () => {
    expect(await text('docs/adapters.md')).toMatch(new RegExp(`^\\| \`${format}\` \\|.*\\(formats/${format}\\.md\\)`, 'm'));
  });

  it('has an officer guide listing every value it accepts and linking the issue codes', async () => {
    const guide = await text(`docs/formats/${format}.md`);
    expect(guide).toContain('](issues.md)');
    expect(guide).toContain(`--format ${format}`);
    const missing = Object.entries(adapter.allowedValues).flatMap(([field, values]) =>
      values.filter((value) => !guide.includes(`\`${value}\``)).map((value) => `${field}: ${value}`),
    );
    expect(missing).toEqual([]);
  });
});

describe('officer docs', () => {
  it('explain every issue code', async () => {
    const issues = await text('docs/formats/issues.md');
    expect(ISSUE_CODES.filter((code) => !issues.includes(`| \`${code}\` |`))).toEqual([]);
  });
});

/** `enum Name { A B }` blocks of the Prisma schema. */
function prismaEnums(schema: string): Map<string, string[]> {
  const enums = new Map<string, string[]>();
  for (const match of schema.matchAll(/^enum\s+(\w+)\s*\{([^}]*)\}/gm)) {
    const values = (match[2] ?? '')
      .split('\n')
      .map((line) => line.replace(/\/\/.*$/, '').trim())
      .filter((line) => /^[A-Z_]+$/.test(line));
    enums.set(match[1]!, values);
  }
  return enums;
}

describe('shared enums', () => {
  it('are the database enums, value for value and in order', async () => {
    const enums = prismaEnums(await text('prisma/schema.prisma'));
    const ours: Record<string, readonly string[]> = {
      SharingLevel: SHARING_LEVELS,
      DenType: DEN_TYPES,
      DenStatus: DEN_STATUSES,
      Sex: SEXES,
      SuspectRole: SUSPECT_ROLES,
      SuspectStatus: SUSPECT_STATUSES,
      FundChannel: FUND_CHANNELS,
      FundAction: FUND_ACTIONS,
    };
    for (const [name, values] of Object.entries(ours)) expect(enums.get(name), name).toEqual([...values]);
    // The database also stores the derived NAME_DOB selector, which no file sends.
    expect(enums.get('SelectorType')).toEqual([...SELECTOR_TYPES, 'NAME_DOB']);
  });
});
