// The embedded database's directory: the pseudonym key generated on first start, and the
// lock that keeps a second process from opening the same PGlite files. The lock itself is
// proper-lockfile's (an atomic mkdir kept fresh by its holder, stale once not refreshed);
// beside it a metadata file (mode 0600) names the holder: pid, role and, while `liaison serve`
// holds it, its loopback URL and a one-off operator credential, so that the CLI knows the
// running gateway and sends its data-changing commands to the server's admin API.
import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';

export type LockInfo = { pid: number; role: 'serve' | 'cli'; url?: string; operatorToken?: string };

const LOCK_DIR = 'liaison.lock';
const LOCK_INFO = 'liaison.lock.json';
/** A holder refreshes the lock every UPDATE_MS; one not refreshed for STALE_MS is gone. */
const STALE_MS = 30_000;
const UPDATE_MS = 5_000;

const lockOptions = (dataDir: string) => ({ realpath: false, lockfilePath: join(dataDir, LOCK_DIR) });

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readInfo(dataDir: string): Promise<LockInfo | undefined> {
  const text = await readFile(join(dataDir, LOCK_INFO), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as LockInfo;
  } catch {
    return undefined;
  }
}

/** The live holder of the data directory, or undefined when the directory is free. */
export async function readLock(dataDir: string): Promise<LockInfo | undefined> {
  const held = await lockfile.check(dataDir, { ...lockOptions(dataDir), stale: STALE_MS }).catch(() => false);
  if (!held) return undefined;
  const info = await readInfo(dataDir);
  // A holder killed without cleaning up leaves a fresh-looking lock for up to STALE_MS:
  // its recorded pid tells sooner (same machine, since the lock is a local directory).
  if (info && info.pid !== process.pid && !isAlive(info.pid)) return undefined;
  return info ?? { pid: 0, role: 'cli' };
}

/**
 * Creates the data directory private to its owner (0700), and narrows the process umask to
 * owner-only so that whatever this process writes there (lock, keys, PGlite's files) is too.
 */
export async function makePrivateDir(dataDir: string): Promise<void> {
  process.umask(process.umask() | 0o077);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
}

export class DataDirBusyError extends Error {
  readonly code = 'DATA_DIR_BUSY';
  constructor(readonly holder: LockInfo) {
    super(`the data directory is in use by process ${holder.pid} (${holder.role})`);
  }
}

/** Takes the lock or throws DataDirBusyError; returns the function that releases it. */
export async function acquireLock(dataDir: string, info: Omit<LockInfo, 'pid'>): Promise<() => Promise<void>> {
  await makePrivateDir(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const release = await lockfile.lock(dataDir, {
        ...lockOptions(dataDir),
        stale: STALE_MS,
        update: UPDATE_MS,
        // A lock found stale while we hold it (the event loop was blocked for STALE_MS) is
        // not worth crashing the gateway for: the next refresh takes it back.
        onCompromised: () => {},
      });
      await writeInfo(dataDir, info);
      return async () => {
        await rm(join(dataDir, LOCK_INFO), { force: true });
        await release().catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      const holder = await readLock(dataDir);
      if (holder) throw new DataDirBusyError(holder);
      // The recorded holder is dead: its lock is left over.
      await rm(join(dataDir, LOCK_DIR), { recursive: true, force: true });
    }
  }
  throw new Error(`could not take the lock ${join(dataDir, LOCK_DIR)}`);
}

async function writeInfo(dataDir: string, info: Omit<LockInfo, 'pid'>): Promise<void> {
  const path = join(dataDir, LOCK_INFO);
  await rm(path, { force: true });
  await writeFile(path, JSON.stringify({ ...info, pid: process.pid }), { mode: 0o600, flag: 'wx' });
}

/** Rewrites the holder's metadata (the server adds its URL and credential once it listens). */
export async function updateLock(dataDir: string, info: Omit<LockInfo, 'pid'>): Promise<void> {
  await writeInfo(dataDir, info);
}

/** True when the directory already holds an embedded database (PGlite's PG_VERSION file). */
export async function embeddedDatabaseExists(dataDir: string): Promise<boolean> {
  return access(join(dataDir, 'pgdata', 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}

/** LIAISON_PSEUDONYM_KEY, or for the embedded database a key generated once in its directory. */
export async function loadPseudonymKey(config: { pseudonymKey: string | undefined; dataDir: string }): Promise<string> {
  if (config.pseudonymKey) return config.pseudonymKey;
  const path = join(config.dataDir, 'pseudonym.key');
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing) return existing.trim();
  await makePrivateDir(config.dataDir);
  const key = randomBytes(32).toString('hex');
  await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return (await readFile(path, 'utf8')).trim();
}

/**
 * The storage failures an operator must fix, by Node's errno code; PGlite's file system throws
 * the same as Emscripten errno numbers, and PostgreSQL as SQLSTATE 53100 (disk_full).
 */
const STORAGE_FAULTS: Record<string, { emscripten: number; says: string }> = {
  EROFS: { emscripten: 69, says: 'is on a read-only file system' },
  ENOSPC: { emscripten: 51, says: 'has no space left' },
  EDQUOT: { emscripten: 19, says: 'is over its disk quota' },
  EACCES: { emscripten: 2, says: 'is not writable by this user' },
  EPERM: { emscripten: 63, says: 'is not writable by this user' },
};

/** The embedded database's data directory cannot be written: read-only, full or not ours. */
export class DataDirUnusableError extends Error {
  readonly code = 'DATA_DIR_UNUSABLE';
  constructor(
    readonly dataDir: string,
    /** The errno name of the fault: EROFS, ENOSPC, EDQUOT, EACCES or EPERM. */
    readonly fault: string,
    cause: unknown,
  ) {
    super(
      `the data directory ${dataDir} ${STORAGE_FAULTS[fault]!.says} (${fault}): the embedded database must write there. ` +
        'Free space or make it writable, or point LIAISON_DATA_DIR elsewhere; nothing was stored.',
      { cause },
    );
  }
}

/**
 * The error to report when opening the embedded database in `dataDir` failed: a
 * DataDirUnusableError naming the directory and what is wrong with it when the cause is a
 * storage fault, otherwise `error` itself.
 */
export function explainDataDirError(error: unknown, dataDir: string): unknown {
  const e = error as { name?: string; code?: unknown; errno?: unknown; message?: unknown } | null;
  const code =
    typeof e?.code === 'string' && e.code in STORAGE_FAULTS
      ? e.code
      : e?.name === 'ErrnoError'
        ? Object.keys(STORAGE_FAULTS).find((k) => STORAGE_FAULTS[k]!.emscripten === e.errno)
        : typeof e?.message === 'string' && /Code: `53100`|No space left on device/.test(e.message)
          ? 'ENOSPC'
          : undefined;
  return code ? new DataDirUnusableError(dataDir, code, error) : error;
}
