// The repository's own files, read from the working tree (no git needed, so a downloaded
// archive checks the same): everything but dependencies, generated code and local data.
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const SKIPPED = new Set(['node_modules', '.git', '.liaison', 'coverage', 'tmp', 'generated']);

/** Paths relative to the root, with `/` separators, of the files whose name matches `pattern`. */
export function repositoryFiles(pattern: RegExp, dir = ROOT): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...repositoryFiles(pattern, path));
    else if (entry.isFile() && pattern.test(entry.name)) out.push(relative(ROOT, path).split(sep).join('/'));
  }
  return out.sort();
}
