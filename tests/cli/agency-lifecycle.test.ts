// `liaison agency show|suspend|reactivate|update` and `liaison agency keys list|add|remove` as an
// operator runs them, in child processes, while `liaison serve` runs (on the embedded database
// they go through its admin API; on PostgreSQL to the database), with `liaison persisted …`
// beside them (TOK-23, LOG-14). With DATABASE_URL, two `liaison serve` processes on one
// PostgreSQL refuse a removed key and a suspended agency on the next request, and both end the
// agency's event streams (TOK-24).
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgencyKeyPair, mintToken, type AgencyKeyPair } from '../../api/auth/keys.ts';
import { openDatabase } from '../../kernel/db.ts';
import { createCliSandbox, LIAISON_BIN, listeningUrl, type CliSandbox } from '../helpers/cli.ts';
import { openEventStream } from '../events/support.ts';

let sandbox: CliSandbox;
let first: AgencyKeyPair;
let second: AgencyKeyPair;
const servers: ChildProcess[] = [];
const liaison = (args: string[]) => sandbox.run(args);

async function serve(): Promise<string> {
  const child = spawn(process.execPath, [LIAISON_BIN, 'serve', '--port', '0'], {
    env: { ...sandbox.env, LIAISON_METRICS_PORT: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.push(child);
  return listeningUrl(child, 120_000);
}

async function stopServers(): Promise<(number | null)[]> {
  const codes = servers.map((s) => (s.exitCode !== null ? Promise.resolve(s.exitCode) : new Promise<number | null>((resolve) => s.on('close', resolve))));
  for (const s of servers) if (s.exitCode === null) s.kill('SIGTERM');
  const result = await Promise.all(codes);
  servers.length = 0;
  return result;
}

/** `{ me }` at `url` with a fresh token of XA-POL signed by `pair`: the status and refusal reason. */
async function me(url: string, pair: AgencyKeyPair) {
  const token = await mintToken({ privateJwk: pair.privateJwk, iss: 'XA-POL', sub: 'officer-1', aud: 'liaison-gateway', scope: 'records:read', now: new Date() });
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ me { scopes } }' }),
  });
  const body = (await response.json()) as { data?: { me: { scopes: string[] } }; errors?: { extensions?: { reason?: string } }[] };
  return { status: response.status, reason: body.errors?.[0]?.extensions?.reason, scopes: body.data?.me.scopes };
}

beforeAll(async () => {
  sandbox = await createCliSandbox('liaison-lifecycle-');
  first = await generateAgencyKeyPair({ kid: 'xa-1' });
  second = await generateAgencyKeyPair({ kid: 'xa-2', alg: 'ES256' });
  await writeFile(join(sandbox.dir, 'jwks.json'), JSON.stringify(first.jwks));
  // The second key as an operator may receive it: a PEM public key, without kid or alg.
  const pem = createPublicKey({ key: second.publicJwk as unknown as import('node:crypto').JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  await writeFile(join(sandbox.dir, 'xa-2.pem'), pem);
  await writeFile(join(sandbox.dir, 'me.graphql'), 'query Me { me { scopes } }\n');
  const init = await liaison(['init']);
  expect(init.code, init.stderr).toBe(0);
  const add = await liaison(['agency', 'add', '--code', 'XA-POL', '--name', 'XA Police', '--country', 'XA', '--jwks', join(sandbox.dir, 'jwks.json')]);
  expect(add.code, add.stderr).toBe(0);
}, 300_000);
afterAll(async () => {
  await stopServers();
  await sandbox?.close();
});

describe('liaison agency lifecycle while the gateway serves', { timeout: 300_000 }, () => {
  it('TOK-23 adds a PEM key, removes the old one, suspends, reactivates and narrows scopes, each taking effect on the next request', async () => {
    const url = await serve();
    const route = sandbox.env.DATABASE_URL ? 'database: PostgreSQL' : `gateway: ${url} (admin API`;
    expect((await me(url, first)).status).toBe(200);

    const noKid = await liaison(['agency', 'keys', 'add', '--agency', 'XA-POL', '--jwks', join(sandbox.dir, 'xa-2.pem')]);
    expect(noKid.code).toBe(64);
    expect(noKid.stderr).toMatch(/--kid: /);
    const add = await liaison(['agency', 'keys', 'add', '--agency', 'XA-POL', '--jwks', join(sandbox.dir, 'xa-2.pem'), '--kid', 'xa-2', '--alg', 'ES256']);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toBe('added key xa-2 (ES256) to XA-POL\n');
    expect(add.stderr).toContain(route);
    expect((await me(url, second)).status).toBe(200);

    const list = await liaison(['agency', 'keys', 'list', '--agency', 'XA-POL']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^KID\tALG\tADDED\tSTATE\nxa-1\tEdDSA\t\S+\tactive\nxa-2\tES256\t\S+\tactive\n$/);

    const remove = await liaison(['agency', 'keys', 'remove', '--agency', 'XA-POL', '--kid', 'xa-1']);
    expect(remove.code, remove.stderr).toBe(0);
    expect(remove.stdout).toBe('removed key xa-1 of XA-POL; 1 active registered key(s) left\n');
    expect(remove.stderr).not.toMatch(/warning/);
    expect(await me(url, first)).toMatchObject({ status: 401, reason: 'unknown_key' });
    expect((await me(url, second)).status).toBe(200);
    const unknown = await liaison(['agency', 'keys', 'remove', '--agency', 'XA-POL', '--kid', 'xa-9']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/--kid: XA-POL has no key xa-9/);

    const suspend = await liaison(['agency', 'suspend', 'XA-POL']);
    expect(suspend.stdout).toBe('agency XA-POL suspended\n');
    expect(await me(url, second)).toMatchObject({ status: 401, reason: 'agency_suspended' });
    const shown = await liaison(['agency', 'show', 'XA-POL']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^XA-POL {2}XA Police \(XA\) {2}SUSPENDED\n/);
    expect(shown.stdout).toMatch(/\nxa-1\tEdDSA\t\S+\tremoved \S+\n/);
    expect((await liaison(['agency', 'suspend', 'XA-POL'])).stdout).toBe('agency XA-POL was already suspended\n');
    expect((await liaison(['agency', 'reactivate', 'XA-POL'])).stdout).toBe('agency XA-POL reactivated\n');
    expect((await me(url, second)).status).toBe(200);

    const narrow = await liaison(['agency', 'update', 'XA-POL', '--scopes', 'records:read']);
    expect(narrow.code, narrow.stderr).toBe(0);
    expect(narrow.stdout).toBe('agency XA-POL: scopes records:read; jwks uri -\n');
    const badUri = await liaison(['agency', 'update', 'XA-POL', '--jwks-uri', 'http://keys.example/jwks.json']);
    expect(badUri.code).toBe(64);
    expect(badUri.stderr).toMatch(/--jwks-uri: /);
    const json = JSON.parse((await liaison(['agency', 'show', 'XA-POL', '--json'])).stdout) as { status: string; scopes: string[]; keys: unknown[] };
    expect(json).toMatchObject({ status: 'ACTIVE', scopes: ['records:read'], keys: [{ kid: 'xa-1', state: 'removed' }, { kid: 'xa-2', state: 'active' }] });

    const last = await liaison(['agency', 'keys', 'remove', '--agency', 'XA-POL', '--kid', 'xa-2']);
    expect(last.code, last.stderr).toBe(0);
    expect(last.stderr).toMatch(/warning: XA-POL has no key left/);
    expect(await me(url, second)).toMatchObject({ status: 401, reason: 'unknown_key' });
    const again = await liaison(['agency', 'keys', 'add', '--agency', 'XA-POL', '--jwks', join(sandbox.dir, 'jwks.json')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/never registered again/);
  });

  it('LOG-14 registers and lists persisted operations and switches persisted-only while the gateway serves', async () => {
    const add = await liaison(['persisted', 'add', join(sandbox.dir, 'me.graphql'), '--agency', 'XA-POL']);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^[0-9a-f]{64} {2}Me {2}registered\n$/);
    const list = await liaison(['persisted', 'list']);
    expect(list.stdout).toMatch(/^[0-9a-f]{64} {2}Me {2}XA-POL\n$/);
    const only = await liaison(['persisted', 'only', '--agency', 'XA-POL', 'on']);
    expect(only.code, only.stderr).toBe(0);
    expect(only.stdout).toBe('agency XA-POL: persisted operations only on\n');
    expect(await stopServers()).toEqual([0]);

    // Every change above is in the audit chain, as the operator's, and the chain verifies.
    const verify = await liaison(['audit', 'verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const db = await openDatabase({ databaseUrl: sandbox.env.DATABASE_URL, dataDir: sandbox.env.LIAISON_DATA_DIR });
    try {
      const rows = await db.prisma.auditEvent.findMany({ where: { subject: 'operator', action: { startsWith: 'agency.' } }, orderBy: { seq: 'asc' } });
      expect(rows.map((r) => r.action)).toEqual(['agency.key.add', 'agency.key.remove', 'agency.suspend', 'agency.reactivate', 'agency.update', 'agency.key.remove']);
      const via = sandbox.env.DATABASE_URL ? 'cli' : 'admin-api';
      for (const row of rows) expect(row.detail).toMatchObject({ via });
      if (!sandbox.env.DATABASE_URL) {
        // Through the admin API, the persisted-operation changes are audited too.
        expect(await db.prisma.auditEvent.count({ where: { action: { in: ['persisted.add', 'persisted.only'] } } })).toBe(2);
      }
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(!process.env.DATABASE_URL)('two gateway processes on one PostgreSQL', { timeout: 300_000 }, () => {
  it('TOK-24 both refuse a removed key and a suspended agency on the next request, and both end its event streams', async () => {
    const third = await generateAgencyKeyPair({ kid: 'xa-3' });
    const fourth = await generateAgencyKeyPair({ kid: 'xa-4' });
    await writeFile(join(sandbox.dir, 'keys-3-4.json'), JSON.stringify({ keys: [third.publicJwk, fourth.publicJwk] }));
    // The test above left the agency on persisted operations only; these requests send documents.
    expect((await liaison(['persisted', 'only', '--agency', 'XA-POL', 'off'])).code).toBe(0);
    expect((await liaison(['agency', 'keys', 'add', '--agency', 'XA-POL', '--jwks', join(sandbox.dir, 'keys-3-4.json')])).code).toBe(0);
    const urls = [await serve(), await serve()];
    for (const url of urls) expect((await me(url, third)).status).toBe(200);

    expect((await liaison(['agency', 'keys', 'remove', '--agency', 'XA-POL', '--kid', 'xa-3'])).code).toBe(0);
    for (const url of urls) {
      expect(await me(url, third)).toMatchObject({ status: 401, reason: 'unknown_key' });
      expect((await me(url, fourth)).status).toBe(200);
    }

    const streamToken = () =>
      mintToken({ privateJwk: fourth.privateJwk, iss: 'XA-POL', sub: 'officer-1', aud: 'liaison-gateway', scope: 'records:read', now: new Date() });
    const streams = [await openEventStream(urls[0]!, await streamToken()), await openEventStream(urls[1]!, await streamToken())];
    try {
      for (const s of streams) expect(s.status).toBe(200);
      expect((await liaison(['agency', 'suspend', 'XA-POL'])).code).toBe(0);
      for (const s of streams) expect(['complete', 'closed']).toContain((await s.next()).event);
      for (const url of urls) expect(await me(url, fourth)).toMatchObject({ status: 401, reason: 'agency_suspended' });
      expect((await liaison(['agency', 'reactivate', 'XA-POL'])).code).toBe(0);
      for (const url of urls) expect((await me(url, fourth)).status).toBe(200);
    } finally {
      for (const s of streams) s.close();
    }
    expect(await stopServers()).toEqual([0, 0]);
  });
});
