// `npm start` stops the gateway when its process is killed. The start script execs a single
// node process (no `sh` or tsx wrapper in between that would die and leave the gateway
// orphaned), so the signal npm forwards reaches the gateway itself.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningUrl } from '../helpers/cli.ts';

const REPO = new URL('../../', import.meta.url).pathname;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'liaison-npm-start-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function reachable(url: string): Promise<boolean> {
  return fetch(`${url}/healthz`).then(
    () => true,
    () => false,
  );
}

describe('npm start', { timeout: 300_000 }, () => {
  it('runs the gateway as one node process, so killing `npm start` stops it and closes its port', async () => {
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { scripts: { start: string } };
    expect(pkg.scripts.start).toMatch(/&& exec node /);

    const npm = spawn('npm', ['start'], {
      cwd: REPO,
      env: { PATH: process.env.PATH, HOME: dir, PORT: '0', LIAISON_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const closed = new Promise<void>((resolve) => npm.on('close', () => resolve()));
    const url = await listeningUrl(npm, 240_000);
    expect(await reachable(url)).toBe(true);

    npm.kill('SIGTERM');
    await closed;
    // npm exits once its child has; give the kernel a bounded moment to release the socket.
    let open = true;
    for (let i = 0; i < 50 && open; i++) {
      open = await reachable(url);
      if (open) await new Promise((r) => setTimeout(r, 100));
    }
    expect(open).toBe(false);
  });
});
