// A new embedded cluster leaves no unpacking buffers behind: PGlite unpacks it with about
// 430 MB of buffers (its archive, the WebAssembly memory that ran initdb) that nothing
// references afterwards but that V8 kept until its next full collection, so a gateway's first
// start held 850-900 MB where a restart held 360-400 MB. openDatabase collects them at once
// (kernel/db.ts, collectGarbageNow). A count of bytes, not a time: no timing in this test.
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
  const before = process.memoryUsage().arrayBuffers;
  const db = await openDatabase({ dataDir: dir });
  try {
    // Without the collection: about 217 MB more, until V8 happened to collect.
    const held = (process.memoryUsage().arrayBuffers - before) / (1024 * 1024);
    expect(held).toBeLessThan(64);
    expect(await db.prisma.$queryRaw<{ one: number }[]>`SELECT 1 AS one`).toEqual([{ one: 1 }]);
  } finally {
    await db.close();
  }
}, 60_000);
