// /console as the gateway serves it, without a browser: the page and its config under the
// console's Content-Security-Policy, a redirect from /console, nothing at all with
// LIAISON_CONSOLE=off (PRV-06).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../api/console.ts';
import { loadConfig } from '../../kernel/config.ts';
import { createTestGateway, type TestGateway } from '../helpers/app.ts';
import { buildConsole } from '../browser/console-support.ts';

let on: TestGateway;
let off: TestGateway;

beforeAll(async () => {
  await buildConsole();
  [on, off] = await Promise.all([createTestGateway(), createTestGateway({ console: false })]);
});
afterAll(async () => {
  await Promise.all([on?.close(), off?.close()]);
});

const get = (gw: TestGateway, path: string) => gw.app.fetch(new Request(`http://gateway.test${path}`));

describe('/console', () => {
  it('is on by default and off with LIAISON_CONSOLE=off', () => {
    expect(loadConfig({}).console).toBe(true);
    expect(loadConfig({ LIAISON_CONSOLE: 'off' }).console).toBe(false);
    expect(() => loadConfig({ LIAISON_CONSOLE: 'maybe' })).toThrow(/LIAISON_CONSOLE/);
  });

  it('serves the page, its assets and its config under the console CSP (PRV-06)', async () => {
    const page = await get(on, '/console/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(await page.text())![1]!;
    const asset = await get(on, script);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const config = await get(on, '/console/config.json');
    expect(await config.json()).toEqual({ audience: on.config.audience });
    expect(config.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
  });

  it('redirects /console to /console/', async () => {
    const response = await get(on, '/console');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/console/');
  });

  it('answers 404 for every console path when turned off', async () => {
    for (const path of ['/console', '/console/', '/console/config.json']) expect((await get(off, path)).status).toBe(404);
  });
});
