// The repository stands on its own: no file names a path of a particular machine or a document
// kept outside the repository (the design notes, style guide, attack matrix or format
// specification the project started from). What they said that matters is written here, in
// docs/ and in comments, in the project's own words.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryFiles, ROOT } from './repository-files.ts';

// Built from pieces so that this file does not match itself.
const OUTSIDE = new RegExp(
  [
    ['/wo', 'rk/'].join(''), // a machine's checkout path
    ['\\.\\./sha', 'red/(?:[A-Z]|formats/)'].join(''), // the folder beside the repository
    ['SECURITY', '-MATRIX'].join(''),
    ['DES', 'IGN\\.md'].join(''),
    ['STY', 'LE\\.md'].join(''),
    ['(?<![\\w/])forma', 'ts/README\\.md'].join(''), // the outside format specification (docs/formats/ is ours)
  ].join('|'),
);

/**
 * Files other engineers are rewriting in parallel; each must still hold an outside reference
 * (so this list cannot outlive its reason): remove an entry once its file is clean.
 */
const PENDING_ELSEWHERE: string[] = [];

const TEXT = /\.(ts|mts|js|mjs|cjs|md|ya?ml|json|prisma|sql|graphql|html|css|sh)$|^(run|\.gitignore)$/;

function filesNamingOutside(): string[] {
  return repositoryFiles(TEXT)
    .filter((file) => file !== 'package-lock.json')
    .filter((file) => OUTSIDE.test(readFileSync(join(ROOT, file), 'utf8')));
}

describe('the repository is self-contained', () => {
  const offending = filesNamingOutside();

  it('no file names a machine path or a document outside the repository', () => {
    expect(offending.filter((file) => !PENDING_ELSEWHERE.includes(file))).toEqual([]);
  });

  it('every file still pending elsewhere does still name one (else drop it from the list)', () => {
    expect(PENDING_ELSEWHERE.filter((file) => !offending.includes(file))).toEqual([]);
  });

  it('the pattern catches each kind of outside reference and spares the repository\'s own', () => {
    const outside = ['/wo' + 'rk/main/x', '../sha' + 'red/formats/samples/a.csv', 'SECURITY' + '-MATRIX', 'DES' + 'IGN.md', 'STY' + 'LE.md', 'see forma' + 'ts/README.md'];
    for (const text of outside) expect(OUTSIDE.test(text), text).toBe(true);
    for (const text of ["import x from '../shared/fields.ts'", 'docs/formats/README.md', 'docs/security-tests.md']) expect(OUTSIDE.test(text), text).toBe(false);
  });
});
