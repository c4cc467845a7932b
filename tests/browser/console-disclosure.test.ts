// Disclosure in the web console (issue 12 §6) in a real browser on a live gateway: ES-PN
// matches a RED suspect of CN-MPS (a hit without the record), requests its disclosure from the
// Match screen; CN-MPS signs in, finds the request in its Incoming tab and its live feed, and
// approves it; ES-PN's feed, open all along, receives the decision over the event stream, and
// its Outgoing tab shows the request APPROVED with the record. Every token the page minted
// asked for the one scope its request needed; a feed whose stream is refused falls back to
// polling and still shows new events. Screenshots of the new screens go to the screenshots folder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { launchBrowser, SCREENSHOTS, type BrowserGateway } from './support.ts';
import { agencyWithKeyFile, fillSignIn, signIn, startConsoleGateway, type ConsoleAgency } from './console-support.ts';
import { matchOwnerRecord, PASSPORT, seedOwnerRecord } from '../events/support.ts';

const DESKTOP = { width: 1280, height: 800 };
const JUSTIFICATION = 'Case 2026/114: the passport opened a mule account';
const LEGAL_BASIS = 'MLA request 2026/88';

let bg: BrowserGateway;
let browser: Browser;
let cnMps: ConsoleAgency;
let esPn: ConsoleAgency;
const cspViolations: string[] = [];
/** Each GraphQL operation the pages sent, with the scope of the token it carried. */
const scopesByOperation = new Map<string, Set<string>>();

beforeAll(async () => {
  [bg, browser] = await Promise.all([startConsoleGateway(), launchBrowser()]);
  cnMps = await agencyWithKeyFile(bg, 'CN-MPS');
  esPn = await agencyWithKeyFile(bg, 'ES-PN');
  await seedOwnerRecord(bg.gw, cnMps);
});
afterAll(async () => {
  await browser?.close();
  await bg?.close();
});

function recordScope(request: Request): void {
  const header = request.headers().authorization;
  const name = /^\s*(?:query|mutation|subscription)\s+(\w+)/.exec(String(JSON.parse(request.postData() ?? '{}').query ?? ''))?.[1];
  if (!header || !name) return;
  const scope = String(decodeJwt(header.replace(/^Bearer /, '')).scope);
  scopesByOperation.set(name, new Set([...(scopesByOperation.get(name) ?? []), scope]));
}

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') recordScope(request);
  });
  return { context, page };
}

async function openDisclosures(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Disclosures' }).click();
  await page.getByRole('heading', { name: 'Disclosures' }).waitFor();
}

const feedItem = (page: Page, type: string) => page.locator(`.feed-events li[data-event-type="${type}"]`);

describe('disclosure in the web console', () => {
  let esPage: Page;
  let esContext: BrowserContext;

  it('requests disclosure of a hit whose record is hidden, with both fields required', async () => {
    ({ context: esContext, page: esPage } = await newPage());
    await signIn(esPage, bg.url, esPn.keyFile);
    await esPage.getByRole('link', { name: 'Match' }).click();
    await esPage.getByLabel('Purpose').fill('Case 2026/114: tracing a money mule');
    await esPage.getByLabel('Identifier 1').fill(PASSPORT);
    await esPage.getByLabel('Country (ISO, e.g. CN) 1').fill('VN');
    await esPage.getByRole('button', { name: 'Match', exact: true }).click();
    const row = esPage.locator('.match-results tbody tr').first();
    await row.waitFor();
    expect(await row.innerText()).toMatch(/Hit\s+CN-MPS .* SUSPECT · request disclosure to see it/s);

    await row.getByRole('button', { name: /^Request disclosure/ }).click();
    await row.getByRole('button', { name: 'Send the request' }).click();
    await row.getByText('Write why you need the record').waitFor();
    await row.getByLabel('Justification').fill(JUSTIFICATION);
    await row.getByRole('button', { name: 'Send the request' }).click();
    await row.getByText('Name the legal basis you rely on').waitFor();
    await row.getByLabel('Legal basis').fill(LEGAL_BASIS);
    await row.getByRole('button', { name: 'Send the request' }).click();
    const requested = row.getByText(/^Disclosure requested: Pending, to be decided by \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
    await requested.waitFor();
    await esPage.screenshot({ path: `${SCREENSHOTS}console-match-disclosure.png`, fullPage: true });

    // The Outgoing tab lists it, pending and without the record; the feed is streaming.
    await openDisclosures(esPage);
    await esPage.getByRole('tab', { name: 'Outgoing' }).click();
    const outgoing = esPage.locator('table.outgoing tbody tr');
    await outgoing.first().waitFor();
    expect(await outgoing.first().innerText()).toMatch(new RegExp(`CN-MPS.*SUSPECT.*${JUSTIFICATION}.*${LEGAL_BASIS}.*Pending.*Not visible`, 's'));
    await esPage.locator('[data-feed-state="live"]').waitFor();
  });

  it('shows the owner the incoming request and the DISCLOSURE_REQUESTED event, and takes the approval', async () => {
    const { context, page } = await newPage();
    await signIn(page, bg.url, esPn.keyFile);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await fillSignIn(page, bg.url, cnMps.keyFile);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await openDisclosures(page);

    const row = page.locator('table.incoming tbody tr').first();
    await row.waitFor();
    expect(await row.innerText()).toMatch(new RegExp(`ES-PN.*SUSPECT.*${JUSTIFICATION}.*${LEGAL_BASIS}.*\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC.*Pending`, 's'));
    await feedItem(page, 'DISCLOSURE_REQUESTED').waitFor();
    expect(await feedItem(page, 'DISCLOSURE_REQUESTED').innerText()).toContain(`ES-PN asks to see your SUSPECT record: ${JUSTIFICATION} (legal basis: ${LEGAL_BASIS})`);
    expect(await feedItem(page, 'MATCH_HIT').innerText()).toContain('ES-PN matched an identifier of your SUSPECT record.');
    await page.screenshot({ path: `${SCREENSHOTS}console-disclosures-incoming.png`, fullPage: true });

    await row.getByRole('button', { name: 'Deny' }).click();
    await row.getByText('Write the reason for your decision').waitFor();
    await row.getByLabel('Reason').fill('MLA request in order');
    await row.getByLabel('Last day of access').fill('2030-12-31');
    await row.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => row.innerText(), { timeout: 20_000 }).toMatch(/Approved\s+Reason: MLA request in order\s+Until 2030-12-31 \(UTC\)/);
    expect(await row.getByRole('button', { name: /^Revoke/ }).count()).toBe(1);

    await page.getByLabel('Status').selectOption('PENDING');
    await page.getByText('No request for your records with this status.').waitFor();
    await context.close();
  });

  it("brings the decision to the requester's open feed over the stream, and the record to its Outgoing tab", async () => {
    const decided = feedItem(esPage, 'DISCLOSURE_DECIDED');
    await decided.waitFor();
    expect(await decided.innerText()).toContain('CN-MPS approved your request for a SUSPECT record: MLA request in order');
    await esPage.getByRole('button', { name: 'Reload' }).click();
    const outgoing = esPage.locator('table.outgoing tbody tr').first();
    await outgoing.getByText('Suspect S-RED: nationality VN, MEMBER, WANTED').waitFor();
    expect(await outgoing.innerText()).toMatch(/Approved\s+Reason: MLA request in order/);
    await esPage.screenshot({ path: `${SCREENSHOTS}console-disclosures-outgoing.png`, fullPage: true });
    await esContext.close();
  });

  it('asked each token for the one scope its request needs', () => {
    expect(Object.fromEntries([...scopesByOperation].map(([name, scopes]) => [name, [...scopes]]))).toMatchObject({
      ConsoleMatch: ['match:query'],
      ConsoleRequestDisclosure: ['match:query'],
      ConsoleDisclosureRequests: ['records:read'],
      ConsoleDecideDisclosure: ['records:submit'],
      ConsoleEvents: ['records:read'],
      ConsoleEventStream: ['records:read'],
    });
  });

  it('falls back to polling when the event stream is refused, and still shows new events', async () => {
    const { context, page } = await newPage();
    await page.route('**/graphql', (route) =>
      route.request().headers().accept === 'text/event-stream' ? route.fulfill({ status: 503, body: 'no streams here' }) : route.fallback(),
    );
    await signIn(page, bg.url, cnMps.keyFile);
    await openDisclosures(page);
    await page.locator('[data-feed-state="polling"]').waitFor();
    const hitsBefore = await feedItem(page, 'MATCH_HIT').count();
    await matchOwnerRecord(bg.gw, esPn, 'case 2026/7: a second look');
    await expect.poll(() => feedItem(page, 'MATCH_HIT').count(), { timeout: 20_000 }).toBe(hitsBefore + 1);
    expect(await feedItem(page, 'MATCH_HIT').first().innerText()).toContain('Purpose: case 2026/7: a second look');
    await page.screenshot({ path: `${SCREENSHOTS}console-feed-polling.png`, fullPage: true });
    await context.close();
  });

  it('met no Content-Security-Policy violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
