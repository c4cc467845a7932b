// Migrations without Prisma's downloaded binaries: the WebAssembly schema engine
// (@prisma/schema-engine-wasm) driven through a driver adapter. The same code creates
// migrations at development time and applies them at start-up, on PGlite and PostgreSQL.
// Migrations live in prisma/migrations/<timestamp>_<name>/migration.sql as plain SQL.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine as SchemaEngineType } from '@prisma/schema-engine-wasm';

const here = dirname(fileURLToPath(import.meta.url));
export const migrationsDir = join(here, 'migrations');
export const schemaPath = join(here, 'schema.prisma');

const noFilter = { externalTables: [], externalEnums: [] };

type WasmExports = Record<string, unknown>;
type WasmGlue = typeof import('@prisma/schema-engine-wasm') & {
  __wbg_set_wasm(exports: WasmExports): void;
};
/** The slice of the WebAssembly API used here (Node 20's typings do not declare it globally). */
const wasmApi = (globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: WasmExports } }> };
}).WebAssembly;

let gluePromise: Promise<WasmGlue> | undefined;

function unrefTimeout(callback: () => void, ms: number) {
  const timer = setTimeout(callback, ms >>> 0);
  timer.unref();
  return timer;
}

/**
 * Node 20 cannot import a .wasm module, so the module is instantiated here with the
 * wasm-bindgen glue (`schema_engine_bg.js`) as its import object.
 */
function loadEngineGlue(): Promise<WasmGlue> {
  gluePromise ??= (async () => {
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glue = (await import(pathToFileURL(gluePath).href)) as WasmGlue;
    const pkgDir = dirname(gluePath);
    const bytes = await readFile(join(pkgDir, 'schema_engine_bg.wasm'));
    // The engine arms timers (idle timeouts) through the glue's setTimeout; unref'd, they no
    // longer keep a finished CLI command alive for ten seconds.
    const imports = Object.fromEntries(
      Object.entries(glue).map(([name, fn]) => [name, name.startsWith('__wbg_setTimeout') ? unrefTimeout : fn]),
    );
    const { instance } = await wasmApi.instantiate(bytes, { './schema_engine_bg.js': imports });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return gluePromise;
}

async function withEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  work: (engine: SchemaEngineType, schema: string) => Promise<T>,
): Promise<T> {
  const glue = await loadEngineGlue();
  const schema = await readFile(schemaPath, 'utf8');
  const engine = await glue.SchemaEngine.new(
    { datamodels: [[schemaPath, schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
  try {
    return await work(engine, schema);
  } finally {
    engine.free();
  }
}

async function readMigrationList(): Promise<MigrationList> {
  await mkdir(migrationsDir, { recursive: true });
  const entries = (await readdir(migrationsDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrationDirectories = await Promise.all(
    entries.map(async (name) => {
      const sqlPath = join(migrationsDir, name, 'migration.sql');
      const content = await readFile(sqlPath, 'utf8').then(
        (value) => ({ tag: 'ok' as const, value }),
        (error: Error) => ({ tag: 'error' as const, value: error.message }),
      );
      return { path: name, migrationFile: { path: 'migration.sql', content } };
    }),
  );
  const lockPath = join(migrationsDir, 'migration_lock.toml');
  const lockContent = await readFile(lockPath, 'utf8').catch(() => null);
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

/** Applies every migration of prisma/migrations that the database has not seen yet. */
export async function applyMigrations(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
): Promise<string[]> {
  const migrationsList = await readMigrationList();
  return withEngine(adapterFactory, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList, filters: noFilter });
    return out.appliedMigrationNames;
  });
}

/**
 * The SQL that would bring the committed migrations up to schema.prisma, or '' when they
 * already match. Used by `createMigration` and by the test that fails when someone edits
 * the schema without adding a migration.
 */
export async function pendingSchemaChange(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
): Promise<string> {
  const migrationsList = await readMigrationList();
  return withEngine(adapterFactory, async (engine, schema) => {
    const out = await engine.diff({
      from: { tag: 'migrations', ...migrationsList },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
      script: true,
      exitCode: null,
      filters: noFilter,
    });
    return !out.stdout || out.stdout.includes('This is an empty migration.') ? '' : out.stdout;
  });
}

/** Writes a new migration directory holding the SQL of the pending schema change. */
export async function createMigration(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  name: string,
  now = new Date(),
): Promise<string | undefined> {
  const sql = await pendingSchemaChange(adapterFactory);
  if (!sql) return undefined;
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = join(migrationsDir, `${stamp}_${name.replace(/[^a-z0-9_]+/gi, '_').toLowerCase()}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'migration.sql'), sql);
  const lockPath = join(migrationsDir, 'migration_lock.toml');
  await writeFile(lockPath, '# Written by prisma/migrate.ts; do not edit.\nprovider = "postgresql"\n');
  return dir;
}
