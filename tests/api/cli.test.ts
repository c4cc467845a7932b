// The `liaison` command as an operator uses it, in child processes: keys, agencies,
// operations, tokens, the audit check, and data changes while `liaison serve` holds the
// embedded database (they go through the server's loopback admin API).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliSandbox, LIAISON_BIN, listeningUrl, type CliSandbox } from '../helpers/cli.ts';

const BIN = LIAISON_BIN;
let sandbox: CliSandbox;
let dir: string;
let env: NodeJS.ProcessEnv;
const liaison = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => sandbox.run(args, extraEnv);

beforeAll(async () => {
  sandbox = await createCliSandbox('liaison-cli-');
  dir = sandbox.dir;
  env = sandbox.env;
});

afterAll(() => sandbox?.close());

// Each command is a fresh Node process (tsx, and for most a database open): slow on a loaded
// two-core machine, hence the generous timeout.
describe('liaison CLI', { timeout: 240_000 }, () => {
  it('prints help for every command', async () => {
    for (const args of [['--help'], ['serve', '--help'], ['init', '--help'], ['keys', 'generate', '--help'], ['agency', 'add', '--help'], ['operation', 'create', '--help'], ['token', '--help'], ['submit', '--help'], ['audit', 'verify', '--help'], ['migrate', '--help']]) {
      const run = await liaison(args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout).toMatch(/Usage: liaison/);
    }
  });

  it('generates a key pair with a private file only its owner can read, and never overwrites it', async () => {
    const run = await liaison(['keys', 'generate', '--kid', 'es-pn-1', '--out', join(dir, 'keys')]);
    expect(run.code, run.stderr).toBe(0);
    const jwks = JSON.parse(await readFile(join(dir, 'keys', 'jwks.json'), 'utf8'));
    expect(jwks.keys[0]).toMatchObject({ kid: 'es-pn-1', alg: 'EdDSA', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
    expect((await stat(join(dir, 'keys', 'private.jwk.json'))).mode & 0o777).toBe(0o600);
    const again = await liaison(['keys', 'generate', '--kid', 'es-pn-1', '--out', join(dir, 'keys')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not overwriting/);
  });

  it('refuses to create a database implicitly, then creates one with `liaison init`', async () => {
    const before = await liaison(['audit', 'verify']);
    if (!env.DATABASE_URL) {
      expect(before.code).toBe(1);
      expect(before.stderr).toContain(`no Liaison database in ${env.LIAISON_DATA_DIR}`);
    }
    const init = await liaison(['init']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toMatch(env.DATABASE_URL ? /database: PostgreSQL postgres:/ : /database: embedded database in /);
  });

  it('registers an agency, refuses bad input naming the option, creates an operation and verifies the audit chain', async () => {
    const add = await liaison(['agency', 'add', '--code', 'ES-PN', '--name', 'Policía Nacional', '--country', 'es', '--jwks', join(dir, 'keys', 'jwks.json')]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/registered agency ES-PN/);

    const bad = await liaison(['agency', 'add', '--code', 'es pn', '--name', 'X', '--country', 'ES', '--jwks', join(dir, 'keys', 'jwks.json')]);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/^liaison: --code: /m);

    const missingFile = await liaison(['agency', 'add', '--code', 'FR-PN', '--name', 'X', '--country', 'FR', '--jwks', join(dir, 'nope.json')]);
    expect(missingFile.stderr).toMatch(/cannot read JWKS file/);

    const op = await liaison(['operation', 'create', '--code', 'FIRST-LIGHT-2022', '--name', 'First Light', '--lead', 'ES-PN', '--starts', '2022-03-01', '--ends', '2022-09-30']);
    expect(op.code, op.stderr).toBe(0);
    const unknownLead = await liaison(['operation', 'create', '--code', 'OP-2', '--name', 'Two', '--lead', 'XX-NOPE', '--participants', 'ES-PN,YY-NOPE']);
    expect(unknownLead.code).toBe(64);
    expect(unknownLead.stderr).toMatch(/^liaison: --lead: .*XX-NOPE$/m);
    expect(unknownLead.stderr).toMatch(/^--participants: .*YY-NOPE$/m);
    for (const [option, value] of [['--starts', '2026-13-01'], ['--starts', '2026-02-30'], ['--ends', '30/09/2026']]) {
      const badDate = await liaison(['operation', 'create', '--code', 'OP-3', '--name', 'Three', '--lead', 'ES-PN', option!, value!]);
      expect(badDate.code, `${option} ${value}: ${badDate.stderr}`).toBe(64);
      expect(badDate.stderr).toMatch(new RegExp(`^liaison: ${option}: `, 'm'));
    }

    const audit = await liaison(['audit', 'verify']);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/audit chain intact/);
  });

  it('rotates the gateway receipt key', async () => {
    const first = await liaison(['keys', 'rotate-gateway']);
    expect(first.code, first.stderr).toBe(0);
    const second = await liaison(['keys', 'rotate-gateway']);
    const kid = (run: { stdout: string }) => /new receipt key (\S+);/.exec(run.stdout)?.[1];
    expect(kid(first)).toBeDefined();
    expect(kid(second)).not.toBe(kid(first));
  });

  it('mints a token the gateway accepts, with a lifetime of at most 300 s', async () => {
    const run = await liaison(['token', '--agency', 'ES-PN', '--key', join(dir, 'keys', 'private.jwk.json'), '--ttl', '120']);
    expect(run.code, run.stderr).toBe(0);
    const [header, payload] = run.stdout.trim().split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p!, 'base64url').toString()));
    expect(header).toMatchObject({ alg: 'EdDSA', kid: 'es-pn-1', typ: 'JWT' });
    expect(payload.exp - payload.iat).toBe(120);
    expect(payload).toMatchObject({ iss: 'ES-PN', aud: 'liaison-gateway' });
    const tooLong = await liaison(['token', '--agency', 'ES-PN', '--key', join(dir, 'keys', 'private.jwk.json'), '--ttl', '301']);
    expect(tooLong.code).not.toBe(0);
  });

  it('changes data through the running server while it holds the embedded database', async () => {
    const server: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await listeningUrl(server, 60_000);
      const add = await liaison(['agency', 'add', '--code', 'CN-MPS', '--name', 'MPS', '--country', 'CN', '--jwks', join(dir, 'keys', 'jwks.json')]);
      expect(add.code, add.stderr).toBe(0);
      // With PostgreSQL the server holds no data directory and the CLI opens the database itself.
      if (!env.DATABASE_URL) expect(add.stderr).toContain(`gateway: ${url} (admin API`);
      const op = await liaison(['operation', 'create', '--code', 'OP-WHILE-SERVING', '--name', 'x', '--lead', 'CN-MPS', '--participants', 'ES-PN']);
      expect(op.code, op.stderr).toBe(0);
      const badDate = await liaison(['operation', 'create', '--code', 'OP-BAD-DATE', '--name', 'x', '--lead', 'CN-MPS', '--starts', '2026-13-01']);
      expect(badDate.code, badDate.stderr).toBe(64);
      expect(badDate.stderr).toMatch(/^liaison: --starts: /m);
      if (!env.DATABASE_URL) {
        // The admin API itself answers a bad date with 400 naming the field, not a 500.
        const { operatorToken } = JSON.parse(await readFile(join(env.LIAISON_DATA_DIR!, 'liaison.lock.json'), 'utf8')) as { operatorToken: string };
        const direct = await fetch(`${url}/admin/v1/operations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-liaison-operator': operatorToken },
          body: JSON.stringify({ code: 'OP-BAD-DATE', name: 'x', lead: 'CN-MPS', startsOn: '2026-13-01' }),
        });
        expect(direct.status).toBe(400);
        expect(await direct.json()).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ field: 'startsOn' }] });
        expect((await stat(join(env.LIAISON_DATA_DIR!, 'liaison.lock.json'))).mode & 0o777).toBe(0o600);
      }

      const token = (await liaison(['token', '--agency', 'ES-PN', '--key', join(dir, 'keys', 'private.jwk.json')])).stdout.trim();
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ agencies { code } operation(code: "OP-WHILE-SERVING") { lead { code } } }' }),
      });
      const body = (await res.json()) as { data: { agencies: { code: string }[]; operation: { lead: { code: string } } } };
      expect(body.data.agencies.map((a) => a.code)).toEqual(['CN-MPS', 'ES-PN']);
      expect(body.data.operation.lead.code).toBe('CN-MPS');

      const forged = await fetch(`${url}/admin/v1/agencies`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-liaison-operator': 'guess' },
        body: '{}',
      });
      expect(forged.status).toBe(401);
    } finally {
      server.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => server.on('close', resolve));
      expect(code).toBe(0);
    }
  });
});
