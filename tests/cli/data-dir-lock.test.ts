// The data-directory lock (kernel/data-dir.ts, on proper-lockfile): one holder at a time, the
// holder's metadata readable by the CLI and by nobody else, and a lock left by a killed process
// taken over at once rather than after the staleness period.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock, DataDirBusyError, readLock, updateLock } from '../../kernel/data-dir.ts';

const DATA_DIR_MODULE = new URL('../../kernel/data-dir.ts', import.meta.url).href;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'liaison-lock-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('data-directory lock', { timeout: 60_000 }, () => {
  it('admits one holder, publishes its metadata with mode 600, and frees the directory on release', async () => {
    const data = join(dir, 'one');
    const release = await acquireLock(data, { role: 'serve' });
    await updateLock(data, { role: 'serve', url: 'http://127.0.0.1:1234', operatorToken: 'secret' });
    expect(await readLock(data)).toMatchObject({ pid: process.pid, role: 'serve', url: 'http://127.0.0.1:1234' });
    expect((await stat(join(data, 'liaison.lock.json'))).mode & 0o777).toBe(0o600);
    await expect(acquireLock(data, { role: 'cli' })).rejects.toBeInstanceOf(DataDirBusyError);
    await release();
    expect(await readLock(data)).toBeUndefined();
    const again = await acquireLock(data, { role: 'cli' });
    await again();
  });

  it('takes over the lock of a process that was killed while holding it', async () => {
    const data = join(dir, 'killed');
    const script = `const { acquireLock } = await import(${JSON.stringify(DATA_DIR_MODULE)});
      await acquireLock(${JSON.stringify(data)}, { role: 'serve' }); console.log('held'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (d) => String(d).includes('held') && resolve()));
    expect(await readLock(data)).toMatchObject({ pid: child.pid, role: 'serve' });
    const gone = new Promise((resolve) => child.on('close', resolve));
    child.kill('SIGKILL');
    await gone;
    expect(await readLock(data)).toBeUndefined();
    const release = await acquireLock(data, { role: 'cli' });
    expect(await readLock(data)).toMatchObject({ pid: process.pid, role: 'cli' });
    await release();
  });
});
