// The docs link only to files in the repository: every relative link of README.md and
// docs/**/*.md resolves to a file or folder inside it (external http(s) and mailto links, and
// anchors within the same page, are not followed).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryFiles, ROOT } from './repository-files.ts';

const PAGES = ['README.md', ...repositoryFiles(/\.md$/, join(ROOT, 'docs'))];

/** Inline links and images `[text](target "title")` and reference definitions `[id]: target`. */
function linkTargets(markdown: string): string[] {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  const inline = [...withoutCode.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const references = [...withoutCode.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]!);
  return [...inline, ...references];
}

const isLocal = (target: string) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#');

/** Where a relative link of `page` points, or why it does not resolve inside the repository. */
function brokenLink(page: string, target: string): string | undefined {
  const path = decodeURIComponent(target.replace(/[#?].*$/, ''));
  const absolute = path.startsWith('/') ? join(ROOT, path) : resolve(ROOT, dirname(page), path);
  const inside = relative(ROOT, absolute);
  if (inside.startsWith('..')) return `${page}: ${target} leaves the repository`;
  if (!existsSync(absolute)) return `${page}: ${target} does not exist`;
  return undefined;
}

describe('links in the docs', () => {
  it('reads README.md and the pages of docs/', () => {
    expect(PAGES).toContain('README.md');
    expect(PAGES).toContain('docs/security-tests.md');
  });

  it('every relative link resolves to a file in the repository', () => {
    const broken = PAGES.flatMap((page) =>
      linkTargets(readFileSync(join(ROOT, page), 'utf8'))
        .filter(isLocal)
        .map((target) => brokenLink(page, target))
        .filter((problem): problem is string => problem !== undefined),
    );
    expect(broken).toEqual([]);
  });

  it('finds the links of a page and flags one that leaves the repository', () => {
    const page = 'See [the table](security-tests.md#tok), [x][ref], ![img](../nowhere.png), [web](https://example.org) and `[code](no.md)`.\n\n[ref]: ../../outside.md\n';
    const targets = linkTargets(page).filter(isLocal);
    expect(targets).toEqual(['security-tests.md#tok', '../nowhere.png', '../../outside.md']);
    expect(targets.map((t) => brokenLink('docs/page.md', t))).toEqual([undefined, 'docs/page.md: ../nowhere.png does not exist', 'docs/page.md: ../../outside.md leaves the repository']);
  });
});
