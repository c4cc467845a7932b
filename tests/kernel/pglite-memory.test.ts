// A new embedded cluster leaves no unpacking buffers behind: PGlite unpacks it with buffers
// of its own (its archive, the WebAssembly memory that ran initdb) that nothing references
// afterwards but that V8 kept, even past a forced full collection: the database's thread held
// 197-238 MB of buffers after a first start where a restart held 11 MB. openDatabase unpacks
// a new cluster on a thread that then ends (kernel/db.ts). A count of bytes, not a time.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '../../kernel/db.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it.skipIf(process.env.DATABASE_URL)('a new embedded cluster is opened without its unpacking buffers still held', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'liaison-pglite-memory-'));
  dirs.push(dir);
  const db = await openDatabase({ dataDir: dir });
  try {
    // Opened on the thread that unpacked it: 197-238 MB.
    const held = (await db.pglite!.memoryUsage()).arrayBuffers / (1024 * 1024);
    expect(held).toBeLessThan(64);
    expect(await db.prisma.$queryRaw<{ one: number }[]>`SELECT 1 AS one`).toEqual([{ one: 1 }]);
  } finally {
    await db.close();
  }
}, 60_000);
