// The console's budget, checked on the built files (not by timing): the JavaScript a browser
// loads before the first screen — the entry script and every module it preloads — is at most
// 250 KB gzipped; the charts and the map are separate chunks loaded with the dashboard. The
// built page has no inline script, so the Content-Security-Policy needs no exception (PRV-06).
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, CONSOLE_DIST } from './console-support.ts';

export const INITIAL_JS_BUDGET_BYTES = 250 * 1024;

let html: string;
beforeAll(async () => {
  await buildConsole();
  html = await readFile(`${CONSOLE_DIST}index.html`, 'utf8');
});

/** Paths (under /console/) of the scripts index.html loads or preloads. */
const initialScripts = (page: string) => [
  ...[...page.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!),
  ...[...page.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)].map((m) => m[1]!),
];

const gzipped = async (path: string) => gzipSync(await readFile(`${CONSOLE_DIST}${path.replace(/^\/console\//, '')}`)).length;

describe('the built console', () => {
  it(`loads at most ${INITIAL_JS_BUDGET_BYTES / 1024} KB of gzipped JavaScript before the first screen`, async () => {
    const scripts = initialScripts(html);
    expect(scripts.length).toBeGreaterThan(0);
    const sizes = await Promise.all(scripts.map(gzipped));
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(10 * 1024);
    expect(total).toBeLessThanOrEqual(INITIAL_JS_BUDGET_BYTES);
  });

  it('keeps the charts and the map out of the first load', () => {
    expect(initialScripts(html).some((s) => /Charts|WorldMap/.test(s))).toBe(false);
  });

  it('has no inline script and loads nothing from another origin (PRV-06)', () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
  });
});
