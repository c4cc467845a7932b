// docs/security-tests.md is the project's own table of attack ids (TOK-…, AUZ-…, …): every id
// cited anywhere in the repository has a row, and each row names test files that exist, among
// them every test file that cites the id.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryFiles, ROOT } from './repository-files.ts';

const TABLE = 'docs/security-tests.md';
const ID = /\b(?:TOK|AUZ|PRV|LOG|REL|FIL|GQL|ISO|MAT)-\d{2}\b/g;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** id → the files its row names (backticked paths in the last column). */
function tableRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of read(TABLE).split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const id = cells[1];
    if (!id || !/^[A-Z]{3}-\d{2}$/.test(id)) continue;
    const files = [...(cells[cells.length - 2] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    rows.set(id, files);
  }
  return rows;
}

/** id → the files (other than the table) that cite it. */
function citations(): Map<string, string[]> {
  const cited = new Map<string, string[]>();
  for (const file of repositoryFiles(/\.(ts|md|ya?ml|cjs|mjs|js)$/)) {
    if (file === TABLE) continue;
    for (const id of new Set(read(file).match(ID) ?? [])) cited.set(id, [...(cited.get(id) ?? []), file]);
  }
  return cited;
}

describe(TABLE, () => {
  const rows = tableRows();
  const cited = citations();

  it('has a row for every id cited in the repository', () => {
    expect(cited.size).toBeGreaterThan(0);
    const missing = [...cited.keys()].filter((id) => !rows.has(id)).map((id) => `${id} (cited in ${cited.get(id)!.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('names, for each id, test files that exist, including every test file citing it', () => {
    for (const [id, files] of rows) {
      expect(files.length, `${id} names no test file`).toBeGreaterThan(0);
      const existing = new Set(repositoryFiles(/\.test\.ts$/));
      for (const file of files) expect(existing.has(file), `${id}: ${file} is not a test file of the repository`).toBe(true);
      const citingTests = (cited.get(id) ?? []).filter((file) => file.endsWith('.test.ts'));
      expect(files, `${id}: test files citing it`).toEqual(expect.arrayContaining(citingTests));
    }
  });

  it('notices an id cited without a row', () => {
    // Spelled in pieces so that this file does not cite the ids itself.
    const [unknown, known] = [['AUZ', '99'].join('-'), ['TOK', '01'].join('-')];
    expect([...`see ${unknown} and ${known}`.matchAll(ID)].map((m) => m[0]).filter((id) => !rows.has(id))).toEqual([unknown]);
  });
});
