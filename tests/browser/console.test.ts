// The web console (issue 12) in a real browser (Debian Chromium through playwright-core) on a
// live gateway with a fresh database: an officer signs in with the agency's key file, dry-runs
// a broken es-pn-csv file and reads the issue, submits the good file, sees its receipt verified
// and the dashboard's totals, charts and map change, matches an identifier, and signs out.
// Screenshots of each screen go to the screenshots folder (support.ts).
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generateAgencyKeyPair } from '../../api/auth/keys.ts';
import { CONSOLE_CSP } from '../../api/console.ts';
import { launchBrowser, SCREENSHOTS, type BrowserGateway } from './support.ts';
import { agencyWithKeyFile, fillSignIn, signIn, startConsoleGateway, type ConsoleAgency } from './console-support.ts';

const OPERATION = 'FIRST-LIGHT-2022';
const SAMPLE = new URL('../../docs/examples/es-pn-csv.csv', import.meta.url);
const DESKTOP = { width: 1280, height: 800 };

let bg: BrowserGateway;
let browser: Browser;
let esPn: ConsoleAgency;
let goodFile: string;
let brokenFile: string;
const cspViolations: string[] = [];

beforeAll(async () => {
  [bg, browser] = await Promise.all([startConsoleGateway(), launchBrowser()]);
  esPn = await agencyWithKeyFile(bg, 'ES-PN');
  const created = await bg.gw.gql(esPn, `mutation { createOperation(input: { code: "${OPERATION}", name: "First Light 2022" }) { code } }`);
  expect(created.errors).toBeUndefined();
  const sample = await readFile(SAMPLE, 'utf8');
  goodFile = join(tmpdir(), `console-${process.pid}-es-pn.csv`);
  brokenFile = join(tmpdir(), `console-${process.pid}-es-pn-broken.csv`);
  await writeFile(goodFile, sample);
  // Line 3 (the second den) gets a status the format does not know.
  await writeFile(brokenFile, sample.replace(';REGISTRADO;', ';INVENTADO;'));
});
afterAll(async () => {
  await browser?.close();
  await bg?.close();
});
// A failure shows what the gateway did last (its log holds no raw identifier): once in four
// full runs on one machine the good file's dry run never answered within 30 s, alone it never
// failed.
beforeEach(() => {
  onTestFailed(() => {
    const last = bg.gw.logs.slice(-40).map(({ time, level, msg, route, status, durationMs, code, reason }) => ({ time, level, msg, route, status, durationMs, code, reason }));
    console.error(`the gateway's last ${last.length} log entries:\n${last.map((entry) => JSON.stringify(entry)).join('\n')}`);
  });
});

async function newPage(viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  return { context, page };
}

const figure = (page: Page, name: string) => page.locator(`[data-figure="${name}"] dd`);

async function summary(): Promise<{ scamDens: number; suspects: number }> {
  const result = await bg.gw.gql<{ operation: { summary: { scamDens: number; suspects: number } } }>(
    esPn,
    `{ operation(code: "${OPERATION}") { summary { scamDens suspects } } }`,
  );
  return result.data!.operation.summary;
}

async function dryRun(page: Page, file: string): Promise<void> {
  await page.getByRole('link', { name: 'Submit' }).click();
  await page.getByLabel('Drop the file here, or choose it').setInputFiles(file);
  await expect.poll(() => page.getByLabel('File format').inputValue()).toBe('es-pn-csv');
  await page.getByRole('button', { name: 'Check the file (dry run)' }).click();
  await page.locator('.report').waitFor();
}

describe('the web console', () => {
  it('is served with a strict Content-Security-Policy and asks for the key first (PRV-06)', async () => {
    const response = await fetch(`${bg.url}/console/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    const { context, page } = await newPage();
    await page.goto(`${bg.url}/console/`);
    await page.getByRole('heading', { name: 'Sign in with your agency key' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}console-sign-in.png`, fullPage: true });
    await context.close();
  });

  it('tells an officer whose key is not registered what to do', async () => {
    const stranger = await generateAgencyKeyPair({ kid: 'es-pn-9' });
    const keyFile = join(await mkdtemp(join(tmpdir(), 'console-stranger-')), 'ES-PN.private.jwk.json');
    await writeFile(keyFile, JSON.stringify(stranger.privateJwk));
    const { context, page } = await newPage();
    await fillSignIn(page, bg.url, keyFile);
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('does not know this key');
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}console-sign-in-refused.png`, fullPage: true });
    await context.close();
  });

  it('dry-runs a broken es-pn-csv file and shows the issue with its line and field', async () => {
    const { context, page } = await newPage();
    await signIn(page, bg.url, esPn.keyFile);
    await dryRun(page, brokenFile);
    const row = page.locator('.issues tbody tr', { hasText: 'UNKNOWN_VALUE' });
    await expect.poll(() => row.count()).toBe(1);
    const cells = await row.locator('td').allInnerTexts();
    expect(cells.slice(0, 4)).toEqual(['3', 'estado', 'UNKNOWN_VALUE', 'error']);
    expect(cells[5]).toMatch(/^This value is not one the format knows\. Use one of: .*REGISTRADO/);
    // The filter hides it, the CSV of the shown issues carries it.
    await page.getByLabel('Severity').selectOption('warning');
    expect(await row.count()).toBe(0);
    await page.getByLabel('Severity').selectOption('');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the issues (CSV)' }).click()]);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('line,path,field,code,severity,ref,message');
    expect(csv).toMatch(/\r\n3,,estado,UNKNOWN_VALUE,error,ES-C-002,/);
    // ATOMIC: a file the dry run rejected cannot be sent; the page says what to do instead.
    expect(await page.getByRole('button', { name: 'Submit the file' }).isDisabled()).toBe(true);
    expect(await page.locator('.actions small').innerText()).toMatch(/^The dry run rejected the file: correct the issues/);
    await page.screenshot({ path: `${SCREENSHOTS}console-dry-run-issues.png`, fullPage: true });
    expect((await summary()).scamDens).toBe(0);
    await context.close();
  });

  it('submits the good file after a dry run, verifies the receipt, and the dashboard totals, charts and map change', async () => {
    const { context, page } = await newPage();
    await signIn(page, bg.url, esPn.keyFile);
    await page.getByRole('link', { name: 'Operation dashboard' }).click();
    await expect.poll(() => figure(page, 'scamDens').innerText()).toBe('0');

    await dryRun(page, goodFile);
    const send = page.getByRole('button', { name: 'Submit the file' });
    expect(await send.isEnabled()).toBe(true);
    await send.click();
    await page.getByTestId('receipt-valid').waitFor({ timeout: 30_000 });
    expect(await page.locator('.report .note.ok').first().innerText()).toMatch(/^ACCEPTED — Stored: \d+ new/);
    await page.screenshot({ path: `${SCREENSHOTS}console-submitted.png`, fullPage: true });
    expect(await page.locator('section[aria-labelledby="history-heading"] tbody tr').count()).toBe(1);

    const totals = await summary();
    expect(totals.scamDens).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'Operation dashboard' }).click();
    await expect.poll(() => figure(page, 'scamDens').innerText()).toBe(String(totals.scamDens));
    expect(await figure(page, 'suspects').innerText()).toBe(String(totals.suspects));

    // Charts: four canvases with pixels drawn and as many bars as the data has non-zero values.
    const dens = await bg.gw.gql<{ scamDens: { edges: { node: { country: string; geohash: string | null } }[] } }>(
      esPn,
      `{ scamDens(first: 100, filter: { operationCode: "${OPERATION}" }) { edges { node { country geohash } } } }`,
    );
    const nodes = dens.data!.scamDens.edges.map((e) => e.node);
    const countries = new Set(nodes.map((n) => n.country)).size;
    const cells = new Set(nodes.flatMap((n) => (n.geohash ? [n.geohash] : []))).size;
    const canvases = page.locator('.chart canvas');
    await expect.poll(() => canvases.count(), { timeout: 20_000 }).toBe(4);
    expect(await canvases.first().getAttribute('data-marks')).toBe(String(countries));
    for (const canvas of await canvases.all()) {
      expect(Number(await canvas.getAttribute('data-marks'))).toBeGreaterThan(0);
      const painted = await canvas.evaluate((c: HTMLCanvasElement) => {
        const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n += 1;
        return n;
      });
      expect(painted).toBeGreaterThan(100);
    }
    // Map: the world's countries and one circle per geohash cell of the dens.
    const map = page.locator('figure.map svg');
    await map.waitFor({ timeout: 20_000 });
    expect(await map.locator('.countries path').count()).toBeGreaterThan(100);
    expect(cells).toBeGreaterThan(0);
    expect(await map.locator('circle.den-cell').count()).toBe(cells);
    // Tables: the dens of the operation, with the API's total.
    expect(await page.locator('.records [data-total]').first().getAttribute('data-total')).toBe(String(totals.scamDens));
    await page.screenshot({ path: `${SCREENSHOTS}console-dashboard.png`, fullPage: true });
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.screenshot({ path: `${SCREENSHOTS}console-dashboard-tablet.png`, fullPage: true });
    await context.close();
  });

  it('matches an identifier from the submitted file and shows the hit with its owner', async () => {
    const { context, page } = await newPage();
    await signIn(page, bg.url, esPn.keyFile);
    await page.getByRole('link', { name: 'Match' }).click();
    await page.getByLabel('Purpose').fill('Case 2026/114: tracing a money mule');
    await page.getByLabel('Identifier 1').fill('E12345678');
    await page.getByLabel('Country (ISO, e.g. CN) 1').fill('CN');
    await page.getByRole('button', { name: 'Add an identifier' }).click();
    await page.getByLabel('Identifier 2').fill('X0000000');
    await page.getByLabel('Country (ISO, e.g. CN) 2').fill('CN');
    await page.getByRole('button', { name: 'Match', exact: true }).click();
    const rows = page.locator('.match-results tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).innerText()).toMatch(/Hit\s+ES-PN/);
    expect(await rows.nth(1).innerText()).toContain('No hit');
    await page.screenshot({ path: `${SCREENSHOTS}console-match.png`, fullPage: true });
    await context.close();
  });

  it('keeps the key and tokens out of every browser storage; sign-out forgets the key and a reload asks again (PRV-05, PRV-07)', async () => {
    const { context, page } = await newPage();
    await signIn(page, bg.url, esPn.keyFile);
    await page.getByRole('link', { name: 'Operation dashboard' }).click();
    await page.locator('[data-figure="scamDens"]').waitFor();
    const stored = await page.evaluate(async () => ({
      local: localStorage.length,
      session: sessionStorage.length,
      databases: (await indexedDB.databases()).length,
      cookie: document.cookie,
      caches: (await caches.keys()).length,
    }));
    expect(stored).toEqual({ local: 0, session: 0, databases: 0, cookie: '', caches: 0 });
    expect(await context.cookies()).toEqual([]);
    const html = await page.content();
    expect(html).not.toContain(String(esPn.privateJwk.d));
    expect(html).not.toMatch(/eyJ[\w-]+\.eyJ/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('Signed out: the key was forgotten.').waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in with your agency key' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await context.close();
  });

  it('forgets the key after 15 minutes without activity (PRV-07)', async () => {
    const { context, page } = await newPage();
    await page.clock.install();
    await signIn(page, bg.url, esPn.keyFile);
    await page.clock.fastForward('14:00');
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    await page.clock.fastForward('01:30');
    await page.getByText('You were signed out after 15 minutes without activity').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}console-idle.png`, fullPage: true });
    await context.close();
  });

  it('met no Content-Security-Policy violation on any screen (PRV-06)', () => {
    expect(cspViolations).toEqual([]);
  });
});
