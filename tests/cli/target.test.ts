// The CLI always knows its target, as a partner runs it outside the repository: the repository's
// bin/liaison.js invoked by path from a temporary folder. Reproduces blocker 2 of issue 7 (an
// `agency add` that silently created a database in the current folder), then checks where each
// command goes: the admin API of the running server found through LIAISON_DATA_DIR, the gateway
// of --url / LIAISON_URL / the data directory, and the errors when there is none or it is dead.
// Also: all five samples of docs/examples submit on the demo, each by its sender.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SAMPLE_SENDS } from '../../api/cli/seed/demo.ts';
import { LIAISON_BIN, listeningUrl, runLiaison, type CliRun } from '../helpers/cli.ts';

const REPO = new URL('../../', import.meta.url).pathname;
let dir: string;
let serverData: string;
let server: ChildProcess | undefined;
let url: string;

/** The CLI by path, from `cwd` (default: the temporary folder), with only the given environment. */
const liaison = (args: string[], env: NodeJS.ProcessEnv = {}, cwd = dir): Promise<CliRun> =>
  runLiaison(args, { PATH: process.env.PATH, HOME: dir, LOG_LEVEL: 'warn', ...env }, cwd);

const exists = (path: string) => access(path).then(() => true, () => false);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'liaison-partner-'));
  serverData = join(dir, 'gateway-data');
  server = spawn(process.execPath, [LIAISON_BIN, 'serve', '--demo', '--port', '0'], {
    cwd: dir,
    env: { PATH: process.env.PATH, LIAISON_DATA_DIR: serverData, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await listeningUrl(server, 170_000);
}, 180_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const closed = new Promise((resolve) => server!.on('close', resolve));
    server.kill('SIGTERM');
    await closed;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the CLI outside the repository', { timeout: 300_000 }, () => {
  it('runs by path from a folder outside the repository and prints its version', async () => {
    expect(dir.startsWith(REPO)).toBe(false);
    const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const run = await liaison(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(version);
  });

  it('does not create a database in the current folder when none is there (blocker 2)', async () => {
    const keys = await liaison(['keys', 'generate', '--kid', 'nl-politie-1']);
    expect(keys.code, keys.stderr).toBe(0);
    const jwks = join(dir, 'liaison-keys', 'nl-politie-1', 'jwks.json');
    // The default key folder is one git ignores, should a partner run this inside a clone.
    const ignored = spawnSync('git', ['check-ignore', '-q', 'liaison-keys/nl-politie-1/private.jwk.json'], { cwd: REPO });
    expect(ignored.status).toBe(0);
    const before = await readdir(dir);
    const add = await liaison(['agency', 'add', '--code', 'NL-POLITIE', '--name', 'Politie', '--country', 'NL', '--jwks', jwks]);
    expect(add.code).toBe(1);
    expect(add.stderr).toContain(`no Liaison database in ${join(dir, '.liaison')}`);
    expect(add.stdout).not.toMatch(/registered/);
    expect(await exists(join(dir, '.liaison'))).toBe(false);
    expect(await readdir(dir)).toEqual(before);
  });

  it('registers the agency through the admin API of the running gateway named by LIAISON_DATA_DIR, and says so', async () => {
    const jwks = join(dir, 'liaison-keys', 'nl-politie-1', 'jwks.json');
    const add = await liaison(['agency', 'add', '--code', 'NL-POLITIE', '--name', 'Politie', '--country', 'NL', '--jwks', jwks], {
      LIAISON_DATA_DIR: serverData,
    });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toContain(`gateway: ${url} (admin API of the server holding ${serverData})`);
    const op = await liaison(['operation', 'create', '--code', 'ONBOARDING-NL', '--name', 'x', '--lead', 'NL-POLITIE'], {
      LIAISON_DATA_DIR: serverData,
    });
    expect(op.code, op.stderr).toBe(0);

    // The gateway itself now knows the agency: a token of its key is accepted.
    const token = await liaison(['token', '--agency', 'NL-POLITIE', '--key', join(dir, 'liaison-keys', 'nl-politie-1', 'private.jwk.json'), '--scope', 'records:read']);
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.stdout.trim()}` },
      body: JSON.stringify({ query: '{ me { agency { code } } }' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ data: { me: { agency: { code: 'NL-POLITIE' } } } });
  });

  it('submits to the gateway of --url, LIAISON_URL or the data directory, naming it, with the token from any source', async () => {
    const key = join(dir, 'liaison-keys', 'nl-politie-1', 'private.jwk.json');
    const file = join(dir, 'first.json');
    await writeFile(file, JSON.stringify({
        format: 'liaison-json',
        version: 1,
        operation: 'ONBOARDING-NL',
        records: [{ kind: 'scamDen', ref: 'NL-D-1', sharingLevel: 'GREEN', country: 'KH', denType: 'CALL_CENTRE', status: 'RAIDED' }],
      }));
    const args = ['submit', file, '--format', 'LIAISON-JSON', '--operation', 'ONBOARDING-NL', '--mode', 'partial', '--dry-run'];
    const mint = async () => (await liaison(['token', '--agency', 'NL-POLITIE', '--key', key, '--scope', 'records:submit'])).stdout.trim();

    const viaDataDir = await liaison([...args, '--token', await mint()], { LIAISON_DATA_DIR: serverData });
    expect(viaDataDir.code, viaDataDir.stdout + viaDataDir.stderr).toBe(0);
    expect(viaDataDir.stderr).toContain(`gateway: ${url} (from the server running on ${serverData})`);

    const viaEnv = await liaison(args, { LIAISON_URL: url, LIAISON_TOKEN: await mint() });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(viaEnv.stderr).toContain(`gateway: ${url} (from LIAISON_URL)`);

    await writeFile(join(dir, 'token.txt'), `${await mint()}\n`);
    const viaFile = await liaison([...args, '--url', url, '--token-file', join(dir, 'token.txt')]);
    expect(viaFile.code, viaFile.stderr).toBe(0);
    expect(viaFile.stderr).toContain(`gateway: ${url} (from --url)`);

    const minted = await liaison([...args, '--url', url, '--key', key, '--agency', 'NL-POLITIE', '--json']);
    expect(minted.code, minted.stderr).toBe(0);
    expect(JSON.parse(minted.stdout)).toMatchObject({ agency: 'NL-POLITIE', dryRun: true, status: 'ACCEPTED' });

    const out = join(dir, 'report.json');
    const written = await liaison([...args, '--url', url, '--key', key, '--agency', 'NL-POLITIE', '--out', out]);
    expect(written.code, written.stderr).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8')).receipt.split('.')).toHaveLength(3);
  });

  it('refuses usage errors with exit 64 naming the option: no gateway, no token, a misspelled scope, a bad enum', async () => {
    const file = join(REPO, 'docs/examples/es-pn-csv.csv');
    const noGateway = await liaison(['submit', file, '--format', 'es-pn-csv', '--operation', 'X', '--token', 't']);
    expect(noGateway.code).toBe(64);
    expect(noGateway.stderr).toMatch(/--url/);
    const noToken = await liaison(['submit', file, '--format', 'es-pn-csv', '--operation', 'X', '--url', url]);
    expect(noToken.code).toBe(64);
    expect(noToken.stderr).toMatch(/--token/);
    const scope = await liaison(['token', '--agency', 'NL-POLITIE', '--key', 'k.json', '--scope', 'records:raed']);
    expect(scope.code).toBe(64);
    expect(scope.stderr).toMatch(/--scope .*records:raed/);
    const mode = await liaison(['submit', file, '--format', 'es-pn-csv', '--operation', 'X', '--mode', 'HALF', '--url', url, '--token', 't']);
    expect(mode.code).toBe(64);
    expect(mode.stderr).toMatch(/--mode/);
    const missing = await liaison(['agency', 'add', '--name', 'x']);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toMatch(/--code/);
  });

  it('names the URL it cannot reach', async () => {
    const dead = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const run = await liaison(['submit', join(REPO, 'docs/examples/es-pn-csv.csv'), '--format', 'es-pn-csv', '--operation', 'X', '--token', 't'], {
      LIAISON_URL: `http://127.0.0.1:${dead}`,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot reach http://127.0.0.1:${dead}: connection refused`);
  });

  it('submits each of the five samples of docs/examples on the demo, sent by its agency', async () => {
    for (const send of DEMO_SAMPLE_SENDS) {
      const key = join(serverData, 'demo-keys', `${send.agency}.private.jwk.json`);
      const run = await liaison(
        ['submit', join(REPO, 'docs/examples', send.file), '--format', send.format, '--operation', send.operation, '--key', key, '--agency', send.agency, '--mode', 'PARTIAL'],
        { LIAISON_DATA_DIR: serverData },
      );
      expect(run.code, `${send.file}:\n${run.stdout}${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/: ACCEPTED/);
    }
  });
});
