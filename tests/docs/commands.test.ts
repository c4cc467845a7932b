// Every shell command in the docs runs, so the docs cannot rot. The ```sh blocks of README.md
// and docs/*.md run in document order with bash (-e -o pipefail) in a temp directory beside a
// live gateway (`liaison serve --demo` on a fresh embedded database) and must exit 0:
//   ```sh           runs while the gateway serves;
//   ```sh offline   runs after it stopped (commands that open the embedded database themselves);
//   ```sh no-run    is not run, and must be listed in NOT_RUN below with what covers it instead.
// The temp directory is outside the repository, as a partner's folder is. `liaison` is this
// checkout's bin/liaison.js through a symlink on PATH (what the documented `npm link` installs);
// `npx liaison` (documented for use inside the repository) runs the same. The documented
// http://127.0.0.1:4000 becomes the test gateway's URL; docs/ is linked into the temp directory
// (docs/examples), and so is node_modules (the jose snippets).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningUrl } from '../helpers/cli.ts';

const REPO = new URL('../../', import.meta.url).pathname;
const BIN = join(REPO, 'bin/liaison.js');
const DOCUMENTED_URL = 'http://127.0.0.1:4000';

/** Blocks not run here, by file and the block's exact text, with what exercises them instead. */
const NOT_RUN: { file: string; command: string; coveredBy: string }[] = [
  { file: 'README.md', command: 'npm ci && npm start', coveredBy: 'this test starts the same `liaison serve --demo` that `npm start` runs; .ci/run runs `npm ci`' },
  { file: 'README.md', command: 'npm ci && npm test', coveredBy: '.ci/run runs `npm ci && npm test`, which includes this test' },
  { file: 'docs/adapters.md', command: 'npx vitest run adapters/contract.test.ts adapters/es-pn-csv', coveredBy: '`npm test` (.ci/run) runs every adapter test and the contract test' },
  {
    file: 'docs/partner-onboarding.md',
    command: 'cd /path/to/liaison && npm ci && npm link   # or: npm install -g /path/to/liaison',
    coveredBy: 'this test puts a `liaison` symlink to bin/liaison.js on PATH, which is what `npm link` installs',
  },
  {
    file: 'docs/partner-onboarding.md',
    command: 'alias liaison="node /path/to/liaison/bin/liaison.js"',
    coveredBy: 'tests/cli/target.test.ts runs `node <repository>/bin/liaison.js` from a folder outside the repository',
  },
  {
    file: 'docs/partner-onboarding.md',
    command: 'export LIAISON_DATA_DIR=/path/to/liaison/.liaison',
    coveredBy: 'this test runs every block with LIAISON_DATA_DIR set to the running gateway\'s data directory',
  },
  {
    file: 'docs/partner-onboarding.md',
    command: 'mkdir -p ~/nl-politie-tools && cd ~/nl-politie-tools && npm init -y && npm install jose',
    coveredBy: 'tests install nothing from the registry: the repository\'s node_modules (which holds jose) is linked into the test folder',
  },
  {
    file: 'docs/events.md',
    command: `TOKEN=$(npx liaison token --oauth --agency CN-MPS --key .liaison/demo-keys/CN-MPS.private.jwk.json --scope records:read)
curl -sN http://127.0.0.1:4000/graphql -H "authorization: Bearer $TOKEN" \\
  -H 'accept: text/event-stream' -H 'content-type: application/json' \\
  -d '{"query":"subscription { events(after: \\"0\\") { id type occurredAt payload } }"}'`,
    coveredBy: 'a stream does not end by itself; tests/events/inbox.test.ts reads the same subscription over SSE from a listening gateway',
  },
  {
    file: 'docs/deployment.md',
    command: 'podman build -f docs/deploy/Containerfile -t liaison . && podman run -d --name liaison-1 -p 4001:4000 --env-file /etc/liaison/liaison.env liaison',
    coveredBy: 'needs a container runtime and an operator\'s env file; the image runs the same `liaison serve` that `npm run example:two-processes` (run by this test) starts twice',
  },
];

type Block = { file: string; info: string; command: string };

async function docBlocks(): Promise<Block[]> {
  const files = ['README.md', ...(await readdir(join(REPO, 'docs'))).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
  const blocks: Block[] = [];
  for (const file of files) {
    const text = await readFile(join(REPO, file), 'utf8');
    // Blocks inside list items are indented: take the fence's indent off every line.
    for (const m of text.matchAll(/^([ \t]*)```sh([^\n]*)\n([\s\S]*?)^[ \t]*```[ \t]*$/gm)) {
      const indent = m[1]!;
      const command = m[3]!.split('\n').map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line)).join('\n');
      blocks.push({ file, info: m[2]!.trim(), command: command.trim() });
    }
  }
  return blocks;
}

const isListed = (b: Block) => NOT_RUN.some((n) => n.file === b.file && n.command === b.command);

const PRELUDE = `
npx() { if [ "$1" = liaison ]; then shift; liaison "$@"; else command npx "$@"; fi; }
`;

let dir: string;
let binDir: string | undefined;
let env: NodeJS.ProcessEnv;
let server: ChildProcess | undefined;
let url: string;
let blocks: Block[];

function bash(command: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const script = `${PRELUDE}\n${command.replaceAll(DOCUMENTED_URL, url)}`;
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function startServer(): Promise<string> {
  server = spawn(process.execPath, [BIN, 'serve', '--demo', '--port', '0'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return listeningUrl(server, 120_000);
}

async function stopServer(): Promise<number | null> {
  if (!server || server.exitCode !== null) return server?.exitCode ?? null;
  const closed = new Promise<number | null>((resolve) => server!.on('close', resolve));
  server.kill('SIGTERM');
  return closed;
}

beforeAll(async () => {
  blocks = await docBlocks();
  dir = await mkdtemp(join(tmpdir(), 'liaison-docs-'));
  await symlink(join(REPO, 'docs'), join(dir, 'docs'));
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  const globalBin = await mkdtemp(join(tmpdir(), 'liaison-docs-bin-'));
  await mkdir(globalBin, { recursive: true });
  await symlink(BIN, join(globalBin, 'liaison'));
  binDir = globalBin;
  // The docs describe the embedded default, whatever database the test run itself uses.
  env = { PATH: `${globalBin}:${process.env.PATH}`, HOME: dir, LIAISON_DATA_DIR: join(dir, '.liaison'), LOG_LEVEL: 'warn' };
  url = await startServer();
}, 180_000);

afterAll(async () => {
  await stopServer();
  await rm(dir, { recursive: true, force: true });
  if (binDir) await rm(binDir, { recursive: true, force: true });
});

describe('commands in the docs', { timeout: 900_000 }, () => {
  it('lists every block it does not run, with what covers it', () => {
    const skipped = blocks.filter((b) => b.info === 'no-run' || isListed(b));
    for (const b of skipped) expect(isListed(b), `${b.file}: add to NOT_RUN or run it:\n${b.command}`).toBe(true);
    for (const n of NOT_RUN) expect(blocks.some((b) => b.file === n.file && b.command === n.command), `stale NOT_RUN entry: ${n.command}`).toBe(true);
    expect(blocks.filter((b) => !b.info.match(/^(|offline|no-run)$/))).toEqual([]);
  });

  it('runs every live block against a serving gateway, then every offline block, each exiting 0', async () => {
    expect(dir.startsWith(REPO)).toBe(false);
    const live = blocks.filter((b) => b.info === '' && !isListed(b));
    const offline = blocks.filter((b) => b.info === 'offline' && !isListed(b));
    expect(live.length).toBeGreaterThan(5);
    for (const b of live) {
      const run = await bash(b.command);
      expect(run.code, `${b.file}:\n${b.command}\n---\n${run.output}`).toBe(0);
    }
    expect(await stopServer()).toBe(0);
    for (const b of offline) {
      const run = await bash(b.command);
      expect(run.code, `${b.file}:\n${b.command}\n---\n${run.output}`).toBe(0);
    }
  });
});
