// What the console's browser tests share: the console built (console/build-if-needed.mjs, the
// same step `npm start` runs), a gateway whose clock follows the real one (the page mints its
// tokens with the browser's clock), an agency whose private key is written to a file named as
// the demo names it, and signing in the way an officer does.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import type { TestAgency } from '../helpers/app.ts';
import { startBrowserGateway, type BrowserGateway } from './support.ts';

const BUILD = new URL('../../console/build-if-needed.mjs', import.meta.url).pathname;
export const CONSOLE_DIST = new URL('../../console/dist/', import.meta.url).pathname;

export async function buildConsole(): Promise<void> {
  await promisify(execFile)(process.execPath, [BUILD], { timeout: 300_000 });
}

export type ConsoleAgency = TestAgency & { keyFile: string };

/** A gateway on the real clock, with the console built. */
export async function startConsoleGateway(): Promise<BrowserGateway> {
  await buildConsole();
  const bg = await startBrowserGateway();
  Object.defineProperty(bg.gw.clock, 'now', { get: () => new Date() });
  return bg;
}

/** Registers an agency and writes its private JWK to <tmp>/<CODE>.private.jwk.json. */
export async function agencyWithKeyFile(bg: BrowserGateway, code: string): Promise<ConsoleAgency> {
  const agency = await bg.gw.addAgency(code);
  const keyFile = join(await mkdtemp(join(tmpdir(), 'liaison-console-')), `${code}.private.jwk.json`);
  await writeFile(keyFile, JSON.stringify(agency.privateJwk), { mode: 0o600 });
  return { ...agency, keyFile };
}

/** Opens the console and fills the sign-in form (the agency code comes from the key file's name). */
export async function fillSignIn(page: Page, url: string, keyFile: string, officer = 'officer-7'): Promise<void> {
  await page.goto(`${url}/console/`);
  await page.getByLabel('Private key file').setInputFiles(keyFile);
  await page.getByLabel('Your officer id').fill(officer);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signIn(page: Page, url: string, keyFile: string): Promise<void> {
  await fillSignIn(page, url, keyFile);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
