// The embedded database's directory: the pseudonym key generated on first start, and the
// lock that keeps a second process from opening the same PGlite files. While `liaison serve`
// holds the lock, it also publishes its loopback URL and a one-off operator credential there
// (mode 0600) so that the CLI's data-changing commands go through the server's admin API.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type LockInfo = { pid: number; role: 'serve' | 'cli'; url?: string; operatorToken?: string };

const LOCK_FILE = 'liaison.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live holder of the data directory, or undefined (a stale lock is removed). */
export async function readLock(dataDir: string): Promise<LockInfo | undefined> {
  const path = join(dataDir, LOCK_FILE);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const info = JSON.parse(text) as LockInfo;
  if (info.pid !== process.pid && isAlive(info.pid)) return info;
  await rm(path, { force: true });
  return undefined;
}

export class DataDirBusyError extends Error {
  readonly code = 'DATA_DIR_BUSY';
  constructor(readonly holder: LockInfo) {
    super(`the data directory is in use by process ${holder.pid} (${holder.role})`);
  }
}

/** Takes the lock or throws DataDirBusyError; returns the function that releases it. */
export async function acquireLock(dataDir: string, info: Omit<LockInfo, 'pid'>): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(JSON.stringify({ ...info, pid: process.pid }));
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readLock(dataDir);
      if (holder) throw new DataDirBusyError(holder);
    }
  }
  throw new Error(`could not take the lock ${path}`);
}

/** Rewrites the lock held by this process (the server adds its URL once it listens). */
export async function updateLock(dataDir: string, info: Omit<LockInfo, 'pid'>): Promise<void> {
  await writeFile(join(dataDir, LOCK_FILE), JSON.stringify({ ...info, pid: process.pid }), { mode: 0o600 });
}

/** LIAISON_PSEUDONYM_KEY, or for the embedded database a key generated once in its directory. */
export async function loadPseudonymKey(config: { pseudonymKey: string | undefined; dataDir: string }): Promise<string> {
  if (config.pseudonymKey) return config.pseudonymKey;
  const path = join(config.dataDir, 'pseudonym.key');
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing) return existing.trim();
  await mkdir(config.dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return (await readFile(path, 'utf8')).trim();
}
