// `liaison persisted add|list|only` as an operator runs them, in child processes against a
// fresh data directory (or a fresh PostgreSQL database when DATABASE_URL is set).
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliSandbox, type CliSandbox } from '../helpers/cli.ts';

const DOCUMENT = 'query Totals($code: String!) { operation(code: $code) { summary { scamDens suspects } } }\n';
let sandbox: CliSandbox;
let dir: string;
const liaison = (args: string[]) => sandbox.run(args);

beforeAll(async () => {
  sandbox = await createCliSandbox('liaison-persisted-cli-');
  dir = sandbox.dir;
  await writeFile(join(dir, 'totals.graphql'), DOCUMENT);
  await writeFile(join(dir, 'broken.graphql'), '{ nope }');
});

afterAll(() => sandbox?.close());

describe('liaison persisted', { timeout: 240_000 }, () => {
  it('registers a document for an agency, lists it, and switches the agency to persisted-only and back', async () => {
    expect((await liaison(['init'])).code).toBe(0);
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
    expect((await liaison(['persisted', 'only', '--agency', 'ES-PN', 'maybe'])).code).toBe(64);
  });
});
