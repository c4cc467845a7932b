// The analyst's path (issue 7): a person opens GraphiQL in a real browser (Debian Chromium,
// headless, through playwright-core), sees no error before running anything, finds
// Query.operation in the Docs panel, pastes a token into Headers and runs queries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestAgency } from '../helpers/app.ts';
import { launchBrowser, reusableAuthorization, SCREENSHOTS, startBrowserGateway, type BrowserGateway } from './support.ts';

let bg: BrowserGateway;
let browser: Browser;
let agency: TestAgency;

beforeAll(async () => {
  [bg, browser] = await Promise.all([startBrowserGateway(), launchBrowser()]);
  agency = await bg.gw.addAgency('ES-PN');
});
afterAll(async () => {
  await browser?.close();
  await bg?.close();
});

type Opened = { page: Page; statuses: number[] };

/** Opens GraphiQL and waits until it has the schema (the Docs button appears only then). */
async function openGraphiql(): Promise<Opened> {
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'], viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const statuses: number[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/graphql' && response.request().method() === 'POST') statuses.push(response.status());
  });
  await page.goto(`${bg.url}/graphql`);
  await page.locator('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]').waitFor();
  return { page, statuses };
}

/** What a Monaco editor shows, with its non-breaking spaces and line breaks made plain. */
const editorText = async (page: Page, editor: string) =>
  (await page.locator(`${editor} .view-lines`).first().innerText()).replace(/\s+/g, ' ').trim();

/** Replaces the text of a GraphiQL editor the way a person does: select all, paste. */
async function pasteInto(page: Page, editor: string, text: string): Promise<void> {
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.locator(editor).first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
  await expect.poll(() => editorText(page, editor), { timeout: 20_000 }).toBe(text.replace(/\s+/g, ' '));
}

/** Puts a query into the editor and waits until GraphiQL has taken it (its tab is named after it). */
async function pasteQuery(page: Page, query: string, operationName: string): Promise<void> {
  await pasteInto(page, '.graphiql-query-editor', query);
  await expect.poll(() => page.locator('.graphiql-tab-active, .graphiql-tab').first().innerText(), { timeout: 20_000 }).toContain(operationName);
}

const responseText = (page: Page) => page.locator('.graphiql-response').first().innerText();

/** Runs the query in the editor and waits for the result of that run. */
async function run(page: Page, statuses: number[]): Promise<{ status: number; text: string }> {
  const before = statuses.length;
  await page.locator('.graphiql-execute-button').first().click();
  await expect.poll(() => statuses.length, { timeout: 20_000 }).toBeGreaterThan(before);
  await expect.poll(() => responseText(page), { timeout: 20_000 }).toMatch(/"(data|errors)"/);
  return { status: statuses.at(-1)!, text: await responseText(page) };
}

async function pasteHeaders(page: Page, authorization: string): Promise<void> {
  await page.getByRole('button', { name: 'Headers' }).click();
  await pasteInto(page, '.graphiql-editor-tool .graphiql-editor:visible', JSON.stringify({ Authorization: authorization }));
}

const ME = 'query Me { me { agency { code } subject } }';

describe('GraphiQL in a browser', () => {
  it('loads the schema on opening and shows no error before the first run', async () => {
    const { page, statuses } = await openGraphiql();
    await page.screenshot({ path: `${SCREENSHOTS}opened.png` });
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect((await responseText(page)).trim()).toBe('');
    await page.context().close();
  });

  it('lists Query.operation in the Docs panel', async () => {
    const { page } = await openGraphiql();
    await page.locator('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]').click();
    const explorer = page.locator('.graphiql-doc-explorer');
    await explorer.getByRole('link', { name: 'Query', exact: true }).first().click();
    await expect
      .poll(() => explorer.locator('.graphiql-doc-explorer-field-name').allInnerTexts())
      .toContain('operation');
    await page.screenshot({ path: `${SCREENSHOTS}docs.png` });
    await page.context().close();
  });

  it('completes field names from the schema', async () => {
    const { page } = await openGraphiql();
    await page.locator('.graphiql-query-editor').first().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('{ operat');
    await page.keyboard.press('Control+Space');
    const suggestions = page.locator('.graphiql-query-editor .suggest-widget .monaco-list-row');
    await expect.poll(() => suggestions.allInnerTexts(), { timeout: 20_000 }).toEqual(
      expect.arrayContaining([expect.stringMatching(/^operation\b/)]),
    );
    await page.screenshot({ path: `${SCREENSHOTS}autocomplete.png` });
    await page.context().close();
  });

  it('runs a query with a pasted token, also after re-fetching the schema with it', async () => {
    const { page, statuses } = await openGraphiql();
    await pasteHeaders(page, `Bearer ${await agency.token()}`);
    // ↻ introspects with the pasted headers: that must neither fail nor spend the token.
    const before = statuses.length;
    await page.locator('button[aria-label^="Re-fetch GraphQL schema"]').click();
    await expect.poll(() => statuses.slice(before), { timeout: 20_000 }).toEqual([200]);
    await pasteQuery(page, ME, 'Me');
    const first = await run(page, statuses);
    await page.screenshot({ path: `${SCREENSHOTS}first-run.png` });
    expect(first.status).toBe(200);
    expect(first.text).toContain('"ES-PN"');
    expect(first.text).not.toContain('"errors"');
    await page.context().close();
  });

  it('runs twice in a row with one pasted access token (a single-use token reads token_reused the second time)', async () => {
    const authorization = await reusableAuthorization(bg, agency);
    const { page, statuses } = await openGraphiql();
    await pasteHeaders(page, authorization.header);
    await pasteQuery(page, ME, 'Me');
    const first = await run(page, statuses);
    expect(first.status).toBe(200);
    expect(first.text).toContain('"ES-PN"');
    await pasteQuery(page, `${ME} # again`, 'Me');
    const second = await run(page, statuses);
    await page.screenshot({ path: `${SCREENSHOTS}second-run.png` });
    if (authorization.reusable) {
      expect(second.status).toBe(200);
      expect(second.text).toContain('"ES-PN"');
    } else {
      expect(second.status).toBe(401);
      expect(second.text).toContain('"token_reused"');
    }
    await page.context().close();
  });
});
