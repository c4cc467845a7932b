// `liaison agency limits` as an operator runs it (ISO-13, docs/security-tests.md): it stores an
// agency's own limits, `default` returns one to the gateway's setting, an option not given
// stays as it was, and a bad value or an unknown agency is refused naming the option. The
// gateway reads the stored values (tests/api/rate-limits.test.ts shows them taking effect).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgencyKeyPair } from '../../api/auth/keys.ts';
import { openDatabase } from '../../kernel/db.ts';
import { createCliSandbox, type CliSandbox } from '../helpers/cli.ts';

let sandbox: CliSandbox;

beforeAll(async () => {
  sandbox = await createCliSandbox('liaison-limits-');
  const init = await sandbox.run(['init']);
  expect(init.code, init.stderr).toBe(0);
  const jwks = join(sandbox.dir, 'jwks.json');
  await writeFile(jwks, JSON.stringify((await generateAgencyKeyPair({ kid: 'xa-1' })).jwks));
  const add = await sandbox.run(['agency', 'add', '--code', 'XA-POL', '--name', 'XA Police', '--country', 'XA', '--jwks', jwks]);
  expect(add.code, add.stderr).toBe(0);
}, 300_000);
afterAll(() => sandbox?.close());

/** The agency's stored limits, read with the CLI's process gone (the embedded database has one opener). */
async function storedLimits() {
  const db = await openDatabase({ databaseUrl: sandbox.env.DATABASE_URL, dataDir: sandbox.env.LIAISON_DATA_DIR });
  try {
    return await db.prisma.agency.findUniqueOrThrow({ where: { code: 'XA-POL' }, select: { requestsPerMinute: true, costPerMinute: true } });
  } finally {
    await db.close();
  }
}

describe('liaison agency limits', { timeout: 300_000 }, () => {
  it('ISO-13 stores an agency own limits, keeps what is not given and restores the default', async () => {
    const set = await sandbox.run(['agency', 'limits', '--code', 'XA-POL', '--requests-per-minute', '90', '--cost-per-minute', '5000']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe('limits of XA-POL: requests per minute 90, cost per minute 5000\n');
    expect(await storedLimits()).toEqual({ requestsPerMinute: 90, costPerMinute: 5000 });

    const reset = await sandbox.run(['agency', 'limits', '--code', 'XA-POL', '--requests-per-minute', 'default']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toBe('limits of XA-POL: requests per minute the default, cost per minute unchanged\n');
    expect(await storedLimits()).toEqual({ requestsPerMinute: null, costPerMinute: 5000 });
  });

  it('ISO-13 refuses a bad value, no limit at all, or an unknown agency, naming the option', async () => {
    const zero = await sandbox.run(['agency', 'limits', '--code', 'XA-POL', '--cost-per-minute', '0']);
    expect(zero.code).toBe(64);
    expect(zero.stderr).toMatch(/--cost-per-minute/);
    const none = await sandbox.run(['agency', 'limits', '--code', 'XA-POL']);
    expect(none.code).toBe(64);
    expect(none.stderr).toMatch(/--requests-per-minute/);
    const unknown = await sandbox.run(['agency', 'limits', '--code', 'XA-NONE', '--requests-per-minute', '5']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/--code: No agency XA-NONE/);
    expect(await storedLimits()).toEqual({ requestsPerMinute: null, costPerMinute: 5000 });
  });
});
