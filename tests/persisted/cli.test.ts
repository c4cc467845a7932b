// `liaison persisted add|list|only` as an operator runs them, in child processes against a
// fresh data directory (or a fresh PostgreSQL database when DATABASE_URL is set).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const BIN = new URL('../../bin/liaison.js', import.meta.url).pathname;
const DOCUMENT = 'query Totals($code: String!) { operation(code: $code) { summary { scamDens suspects } } }\n';
let dir: string;
let db: TestDatabase | undefined;
let env: NodeJS.ProcessEnv;

function liaison(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'liaison-persisted-cli-'));
  env = { PATH: process.env.PATH, LIAISON_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', NODE_ENV: 'test' };
  if (process.env.DATABASE_URL) {
    db = await createTestDatabase();
    env.DATABASE_URL = db.url;
    env.LIAISON_PSEUDONYM_KEY = 'cli-test-pseudonym-key-0123456789abcdef';
  }
  await writeFile(join(dir, 'totals.graphql'), DOCUMENT);
  await writeFile(join(dir, 'broken.graphql'), '{ nope }');
});

afterAll(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('liaison persisted', { timeout: 240_000 }, () => {
  it('registers a document for an agency, lists it, and switches the agency to persisted-only and back', async () => {
    expect((await liaison(['keys', 'generate', '--kid', 'es-pn-1', '--out', join(dir, 'keys')])).code).toBe(0);
    const agency = await liaison(['agency', 'add', '--code', 'ES-PN', '--name', 'PN', '--country', 'ES', '--jwks', join(dir, 'keys', 'jwks.json')]);
    expect(agency.code, agency.stderr).toBe(0);

    const hash = createHash('sha256').update(DOCUMENT).digest('hex');
    const add = await liaison(['persisted', 'add', join(dir, 'totals.graphql'), '--agency', 'ES-PN']);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toBe(`${hash}  Totals  registered\n`);
    const again = await liaison(['persisted', 'add', join(dir, 'totals.graphql'), '--agency', 'ES-PN']);
    expect(again.stdout).toMatch(/already registered/);

    const list = await liaison(['persisted', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toBe(`${hash}  Totals  ES-PN\n`);

    const on = await liaison(['persisted', 'only', '--agency', 'ES-PN', 'on']);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toMatch(/only on/);
    expect((await liaison(['persisted', 'only', '--agency', 'ES-PN', 'off'])).code).toBe(0);
  });

  it('exits 1 naming the problem for an invalid document, an unknown agency and a bad switch', async () => {
    const broken = await liaison(['persisted', 'add', join(dir, 'broken.graphql')]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/GRAPHQL_VALIDATION_FAILED/);
    const unknown = await liaison(['persisted', 'only', '--agency', 'XX-NONE', 'on']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Unknown agency: XX-NONE/);
    expect((await liaison(['persisted', 'only', '--agency', 'ES-PN', 'maybe'])).code).not.toBe(0);
  });
});
