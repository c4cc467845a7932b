// The compiled gateway (bin/build.mjs, `npm run build`), as a deployment runs it: built from
// this checkout into a folder of its own, then `node <build>/api/cli/main.js` serves the demo
// (on PostgreSQL when DATABASE_URL is set) with nothing of tsx loaded, and the compiled CLI
// submits every sample of docs/examples through it: the ingest worker thread starts from its
// compiled entry. Also what bin/liaison.js relies on to choose: a build is current only while its
// fingerprint is this checkout's.
import { spawn, type ChildProcess } from 'node:child_process';
import { access, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledBuild, ENTRY, ROOT } from '../../bin/build.mjs';
import { DEMO_SAMPLE_SENDS } from '../../api/cli/seed/demo.ts';
import { createCliSandbox, listeningUrl, runProcess, type CliSandbox } from '../helpers/cli.ts';

// Inside the repository, so that the build's imports find its node_modules as dist/'s do.
const OUT = join(ROOT, 'node_modules', '.cache', `liaison-build-test-${process.pid}`);
let sandbox: CliSandbox;
let server: ChildProcess | undefined;

beforeAll(async () => {
  const built = await runProcess(process.execPath, [join(ROOT, 'bin/build.mjs'), '--out', OUT], { PATH: process.env.PATH }, ROOT);
  expect(built.code, built.stdout + built.stderr).toBe(0);
  sandbox = await createCliSandbox('liaison-compiled-');
}, 240_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((resolve) => server!.on('close', resolve));
  }
  await sandbox?.close();
  await rm(OUT, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('the compiled gateway', () => {
  it('holds JavaScript that imports no TypeScript, and the files it reads at run time', async () => {
    const files = await filesUnder(OUT);
    const scripts = files.filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(100);
    // No TypeScript, and no tsx entry (ingest/parse-worker.cjs, kernel/pglite-worker.cjs): a worker can only start compiled.
    expect(files.filter((f) => /\.[cm]?ts$|\.cjs$/.test(f))).toEqual([]);
    expect(files.some((f) => f.endsWith('.test.js'))).toBe(false);
    for (const script of scripts) {
      const text = await readFile(script, 'utf8');
      expect(text, script).not.toMatch(/(?:from|import\()\s*['"]\.{1,2}\/[^'"]*\.ts['"]/);
    }
    for (const asset of ['package.json', 'api/openapi.yaml', 'ingest/rates/reference-rates.csv', 'prisma/schema.prisma', 'ingest/parse-worker.js', 'kernel/pglite-worker.js', ENTRY]) {
      await access(join(OUT, asset));
    }
    expect((await readdir(join(OUT, 'prisma/migrations'))).length).toBe((await readdir(join(ROOT, 'prisma/migrations'))).length);
  });

  it('is current for this checkout, stale for other sources, missing where nothing was built', async () => {
    expect(await compiledBuild(OUT)).toEqual({ current: true, entry: join(OUT, ENTRY) });
    const other = await mkdtemp(join(tmpdir(), 'liaison-stale-build-'));
    try {
      expect(await compiledBuild(other)).toEqual({ current: false, reason: 'missing' });
      const stamp = JSON.parse(await readFile(join(OUT, 'BUILD.json'), 'utf8')) as { fingerprint: string };
      await cp(join(OUT, 'BUILD.json'), join(other, 'BUILD.json'));
      await writeFile(join(other, 'BUILD.json'), JSON.stringify({ ...stamp, fingerprint: stamp.fingerprint.replace(/^./, (c) => (c === '0' ? '1' : '0')) }));
      expect(await compiledBuild(other)).toEqual({ current: false, reason: 'stale' });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('serves the demo and stores every sample of docs/examples, parsed by the compiled worker', async () => {
    const main = join(OUT, ENTRY);
    const env = { ...sandbox.env, NODE_ENV: 'production' };
    server = spawn(process.execPath, [main, 'serve', '--demo', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let errors = '';
    server.stderr!.on('data', (d: Buffer) => (errors += d));
    const url = await listeningUrl(server, 150_000);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    // The demo keys are written in the data directory, whichever the database.
    for (const send of DEMO_SAMPLE_SENDS) {
      const key = join(sandbox.env.LIAISON_DATA_DIR!, 'demo-keys', `${send.agency}.private.jwk.json`);
      const run = await runProcess(
        process.execPath,
        [main, 'submit', join(ROOT, 'docs/examples', send.file), '--format', send.format, '--operation', send.operation, '--key', key, '--agency', send.agency, '--mode', 'PARTIAL', '--url', url],
        env,
      );
      expect(run.code, `${send.file}:\n${run.stdout}${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/: ACCEPTED/);
    }
    expect(errors).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION|error/i);
  }, 240_000);
});
