// The embedded database on a data directory that cannot be written: read-only or full at
// start, `liaison serve` stops with an error naming the directory and what is wrong; full in
// the middle of a submission, the partner gets 503 `database_full` with Retry-After, nothing
// of the submission is stored, and once space is freed the same file is accepted. The
// directories are small tmpfs mounts of this file's own, so it runs only as root (elsewhere it
// is skipped, saying so).
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startServer } from '../../api/server.ts';
import { loadConfig } from '../../kernel/config.ts';
import { openDatabase } from '../../kernel/db.ts';
import { createLogger } from '../../kernel/logger.ts';
import { createTestGateway } from '../helpers/app.ts';
import { bigLiaisonJson, OPERATION } from '../ingest/support.ts';

/** Why small file systems of our own cannot be mounted here, or undefined. */
function mountUnavailable(): string | undefined {
  if (process.env.DATABASE_URL) return 'the embedded database is not in use (DATABASE_URL is set)';
  if (userInfo().uid !== 0) return 'mounting a small tmpfs needs root';
  return undefined;
}
const unavailable = mountUnavailable();

const mounts: string[] = [];
/** A tmpfs of `size` on a new temporary directory, unmounted and removed after the file. */
async function tmpfs(size: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'liaison-fs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** `liaison serve`'s start (api/server.ts) on `dataDir`: the error it stops with. */
async function startError(dataDir: string): Promise<Error> {
  const config = loadConfig({ LIAISON_DATA_DIR: dataDir, PORT: '0', LIAISON_METRICS_PORT: 'off', LIAISON_CONSOLE: 'off' });
  const started = startServer({ config, logger: createLogger({ level: 'silent', pretty: false }), demo: false });
  return started.then(
    () => expect.unreachable('the gateway started on an unusable data directory'),
    (error: Error) => error,
  );
}

describe.skipIf(unavailable !== undefined)(`embedded database on a read-only or full data directory${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  afterAll(async () => {
    for (const dir of mounts) {
      execFileSync('umount', ['-l', dir]);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('REL-19 a read-only data directory stops the start with an error naming it', async () => {
    const root = await tmpfs('4m');
    await mkdir(join(root, 'data'));
    execFileSync('mount', ['-o', 'remount,ro', root]);
    const error = await startError(join(root, 'data'));
    expect(error).toMatchObject({ code: 'DATA_DIR_UNUSABLE', fault: 'EROFS', dataDir: join(root, 'data') });
    expect(error.message).toContain(join(root, 'data'));
  });

  it('REL-19 a full data directory stops the start with an error naming it', async () => {
    const root = await tmpfs('2m');
    const error = await startError(join(root, 'data'));
    expect(error).toMatchObject({ code: 'DATA_DIR_UNUSABLE', fault: 'ENOSPC', dataDir: join(root, 'data') });
    expect(error.message).toContain(join(root, 'data'));
  });

  it('REL-19 a disk that fills during a submission: 503 database_full with Retry-After, logged as an error, nothing stored; accepted once space is freed', async () => {
    const root = await tmpfs('96m');
    const template = await readFile(inject('pgliteTemplate'));
    const db = await openDatabase({ dataDir: join(root, 'data'), pgliteDump: new Blob([template]) });
    const gw = await createTestGateway({}, { db: Object.assign(db, { url: undefined }) });
    try {
      const owner = await gw.addAgency('ES-PN');
      await gw.db.prisma.operation.create({ data: { code: OPERATION, name: 'Full disk', leadId: owner.id, participants: { create: [{ agencyId: owner.id }] } } });
      // Fill the file system, then leave 4 MB: room for the token's and the audit's rows, not for the file's records.
      const filler = await open(join(root, 'filler'), 'w');
      const chunk = Buffer.alloc(1 << 20);
      await (async () => {
        for (let i = 0; i < 200; i++) await filler.write(chunk);
      })().catch((error: NodeJS.ErrnoException) => expect(error.code).toBe('ENOSPC'));
      await filler.truncate((await filler.stat()).size - 4 * (1 << 20));
      await filler.close();

      const body = bigLiaisonJson(3_000, 'FULL');
      const send = async () =>
        gw.app.fetch(
          new Request(`http://gateway.test/v1/submissions?format=liaison-json&operation=${OPERATION}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${await owner.token()}`, 'content-type': 'application/json' },
            body,
          }),
        );
      const refused = await send();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('60');
      expect(await refused.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'database_full' });
      expect(gw.logs.filter((l) => l.msg === 'database disk full').map((l) => l.level)).toEqual([50]);
      expect([await gw.db.prisma.suspect.count(), await gw.db.prisma.scamDen.count(), await gw.db.prisma.submission.count()]).toEqual([0, 0, 0]);

      await rm(join(root, 'filler'));
      const accepted = await send();
      expect(accepted.status).toBe(201);
      expect(await gw.db.prisma.suspect.count()).toBeGreaterThan(2_900);
    } finally {
      await gw.close();
      await db.close();
    }
  }, 120_000);
});
