// Runs `prisma generate` on a machine that cannot download Prisma's engine binaries.
// Generation needs only the WebAssembly bundled with the CLI, but the CLI insists that a
// schema-engine binary exists: any executable satisfies it (PRISMA_SCHEMA_ENGINE_BINARY below).
// Skips the work when the schema has not changed since the last run.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const schemaPath = join(here, 'schema.prisma');
const stampPath = join(here, 'generated', '.schema-sha256');
const digest = createHash('sha256').update(readFileSync(schemaPath)).digest('hex');

if (existsSync(stampPath) && readFileSync(stampPath, 'utf8') === digest && !process.argv.includes('--force')) {
  process.exit(0);
}

const cli = join(here, '..', 'node_modules', 'prisma', 'build', 'index.js');
const result = spawnSync(process.execPath, [cli, 'generate', '--schema', schemaPath], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
});
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(stampPath, digest);
