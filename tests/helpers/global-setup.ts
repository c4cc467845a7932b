// Runs once per `vitest run`. On PGlite it migrates one in-memory database and dumps it,
// so that each test file restores a fresh copy in half a second instead of migrating.
// With DATABASE_URL each test file creates its own database instead (tests/helpers/db.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../kernel/db.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'liaison-test-'));
  const templatePath = join(dir, 'template.tar');
  if (!process.env.DATABASE_URL) {
    const db = await openDatabase({ dataDir: 'memory://' });
    await db.migrate();
    const dump = await db.pglite!.dumpDataDir('none');
    await writeFile(templatePath, Buffer.from(await dump.arrayBuffer()));
    await db.close();
  }
  project.provide('pgliteTemplate', templatePath);
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
