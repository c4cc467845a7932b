// The embedded database's files are private to the process owner (issue: private data files).
// Opening a data directory narrows the umask before PGlite writes, and tightens a directory
// that an earlier version (or an operator) left readable by other local users.
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, loadPseudonymKey } from '../../kernel/data-dir.ts';
import { openDatabase } from '../../kernel/db.ts';

async function modes(root: string): Promise<{ path: string; mode: number; dir: boolean }[]> {
  const out: { path: string; mode: number; dir: boolean }[] = [];
  const walk = async (path: string): Promise<void> => {
    const info = await stat(path);
    out.push({ path, mode: info.mode & 0o777, dir: info.isDirectory() });
    if (info.isDirectory()) for (const e of await readdir(path)) await walk(join(path, e));
  };
  await walk(root);
  return out;
}

/** The codes of the process warnings emitted while `run` runs. */
async function warningCodesDuring(run: () => Promise<void>): Promise<(string | undefined)[]> {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    await run();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  return warnings.map((w) => (w as Error & { code?: string }).code);
}

/** Entries below `root` that other users may read or write, as "path mode". */
const looseEntries = async (root: string) => (await modes(root)).filter((e) => (e.mode & 0o077) !== 0).map((e) => `${e.path} ${e.mode.toString(8)}`);

describe.skipIf(process.env.DATABASE_URL)('embedded data directory permissions', () => {
  const dirs: string[] = [];
  const previousUmask = process.umask();
  afterAll(async () => {
    process.umask(previousUmask);
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  /** A data directory path `name` in a new temporary folder, under umask 022 (removed after the file). */
  const dataDirUnderLooseUmask = async (name: string): Promise<string> => {
    process.umask(0o022);
    const root = await mkdtemp(join(tmpdir(), 'liaison-perm-'));
    dirs.push(root);
    return join(root, name);
  };

  it('ISO-07 creates every directory 0700 and every file 0600 even under umask 022', async () => {
    const dataDir = await dataDirUnderLooseUmask('data');
    const db = await openDatabase({ dataDir });
    await db.migrate();
    await db.close();
    expect((await modes(dataDir)).length).toBeGreaterThan(100);
    expect(await looseEntries(dataDir)).toEqual([]);
  });

  it('ISO-07 starts a new data directory the way serve does (lock, key, database) with no warning and nothing loose', async () => {
    const dataDir = await dataDirUnderLooseUmask('fresh');
    const warnings = await warningCodesDuring(async () => {
      const release = await acquireLock(dataDir, { role: 'serve' });
      await loadPseudonymKey({ pseudonymKey: undefined, dataDir });
      const db = await openDatabase({ dataDir });
      await db.close();
      await release();
    });
    expect(warnings).not.toContain('LIAISON_DATA_DIR_PERMISSIONS');
    expect(await looseEntries(dataDir)).toEqual([]);
  });

  it('ISO-07 restarts a migrated data directory with no warning and nothing loose (the relcache files each start writes included)', async () => {
    const dataDir = await dataDirUnderLooseUmask('restarted');
    const warnings = await warningCodesDuring(async () => {
      for (let start = 0; start < 3; start++) {
        const db = await openDatabase({ dataDir });
        if (start === 0) await db.migrate();
        await db.close();
        // Before: base/5/pg_internal.init and global/pg_internal.init at 0644 after the second start.
        expect(await looseEntries(dataDir)).toEqual([]);
      }
    });
    expect(warnings).not.toContain('LIAISON_DATA_DIR_PERMISSIONS');
  }, 120_000);

  it('ISO-07 tightens a world-readable existing data directory and warns once', async () => {
    const dataDir = await dataDirUnderLooseUmask('data');
    await mkdir(join(dataDir, 'pgdata-leftover'), { recursive: true, mode: 0o755 });
    await writeFile(join(dataDir, 'pgdata-leftover', 'segment'), 'x', { mode: 0o666 });
    await chmod(join(dataDir, 'pgdata-leftover', 'segment'), 0o666);
    const warnings = await warningCodesDuring(async () => {
      const db = await openDatabase({ dataDir });
      await db.close();
    });
    expect((await stat(join(dataDir, 'pgdata-leftover'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dataDir, 'pgdata-leftover', 'segment'))).mode & 0o777).toBe(0o600);
    expect(warnings).toEqual(['LIAISON_DATA_DIR_PERMISSIONS']);
  });
});
