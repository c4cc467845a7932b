#!/usr/bin/env node
// `npm run build` (the Prisma client generated and the web console built first, then this):
// compiles the gateway's TypeScript to JavaScript in dist/, so that a deployed
// gateway runs plain JavaScript. Run through tsx, each process (and each ingest worker thread)
// also loads tsx and its esbuild transform and keeps the transformed sources: on PostgreSQL the
// ingest bench's process held 231-239 MB before its first submission and peaked at 293-321 MB,
// against 135-144 and 217-237 MB compiled (the same 5 MB and 50 MB files, one after the other).
//
//   node bin/build.mjs [--if-needed] [--bench] [--out DIR]
//
// dist/ holds the compiled api/, kernel/, schema/, adapters/, ingest/ and prisma/ (tests and
// *.test.ts left out), the files they read at run time (package.json, api/openapi.yaml,
// ingest/rates/, prisma/schema.prisma and migrations/, console/dist/ when the console is built)
// and BUILD.json, which records a fingerprint of everything it was built from.
// bin/liaison.js runs dist/ only while that fingerprint matches the checkout, and the sources
// through tsx otherwise, so a stale build never runs. --bench also compiles bench/ (into
// node_modules/.cache/liaison-bench-build unless --out says): the benchmark measures what is
// deployed. The build goes to a private folder first and is renamed into place, like the
// console's (console/build-if-needed.mjs).
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');
export const BENCH_DIST = join(ROOT, 'node_modules', '.cache', 'liaison-bench-build');
/** The compiled CLI, relative to a build folder. */
export const ENTRY = join('api', 'cli', 'main.js');
const STAMP = 'BUILD.json';

/** The folders compiled; bench/ only with --bench. */
const SOURCE_DIRS = ['api', 'kernel', 'schema', 'adapters', 'ingest', 'prisma'];
/** What the compiled code reads at run time, copied beside it under the same relative paths. */
const ASSETS = ['package.json', 'api/openapi.yaml', 'ingest/rates', 'prisma/schema.prisma', 'prisma/migrations', 'console/dist'];
/** Not part of the gateway: tests and their fixtures, which live beside the adapters they test. */
const isSource = (path) =>
  path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') && !path.endsWith(`${sep}test-support.ts`);
const SKIPPED_DIRS = new Set(['node_modules', 'fixtures']);

async function filesUnder(path, keep) {
  if (!existsSync(path)) return [];
  const entries = await readdir(path, { withFileTypes: true }).catch(() => null);
  if (entries === null) return keep(path) ? [path] : [];
  const nested = await Promise.all(
    entries.filter((e) => !(e.isDirectory() && SKIPPED_DIRS.has(e.name))).map((e) => filesUnder(join(path, e.name), keep)),
  );
  return nested.flat();
}

/**
 * sha256 over the path and content of every file a build is made from (sources, run-time files,
 * the compiler's settings and version): equal fingerprints, equal builds. Contents, not times,
 * so a fresh checkout of the same commit still matches.
 */
export async function sourceFingerprint({ bench = false } = {}) {
  const dirs = bench ? [...SOURCE_DIRS, 'bench'] : SOURCE_DIRS;
  const sources = (await Promise.all(dirs.map((d) => filesUnder(join(ROOT, d), isSource)))).flat();
  const assets = (await Promise.all(ASSETS.map((a) => filesUnder(join(ROOT, a), () => true)))).flat();
  const settings = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((f) => join(ROOT, f));
  const files = [...new Set([...sources, ...assets, ...settings])].sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(ROOT, file)).update('\0');
    hash.update(await readFile(file).catch(() => Buffer.alloc(0))).update('\0');
  }
  return hash.digest('hex');
}

/**
 * The build in `outDir` when it was made from exactly this checkout's files: `{ current: true,
 * entry }`; else `{ current: false, reason }` (`missing`, or `stale` when a build is there).
 */
export async function compiledBuild(outDir = DIST, options = {}) {
  return (await inspectBuild(outDir, options)).found;
}

/** compiledBuild's answer, and the checkout's fingerprint when it had to compute it. */
async function inspectBuild(outDir, { bench = false } = {}) {
  const stamp = await readFile(join(outDir, STAMP), 'utf8').then(JSON.parse, () => null);
  if (!stamp) return { found: { current: false, reason: 'missing' } };
  const fingerprint = await sourceFingerprint({ bench });
  if (stamp.fingerprint !== fingerprint) return { found: { current: false, reason: 'stale' }, fingerprint };
  return { found: { current: true, entry: join(outDir, ENTRY) }, fingerprint };
}

/**
 * Compiles into `outDir` (replacing what is there) and returns the build's entry; `fingerprint`
 * is the checkout's when the caller has just computed it.
 */
export async function build({ outDir = DIST, bench = false, fingerprint: known } = {}) {
  const fingerprint = known ?? (await sourceFingerprint({ bench }));
  const staging = `${outDir}.building-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(dirname(staging), { recursive: true });
  try {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    let project = join(ROOT, 'tsconfig.build.json');
    if (bench) {
      // The same settings with bench/ added (paths in a tsconfig are its own folder's).
      project = join(ROOT, 'node_modules', '.cache', `tsconfig.bench-build-${process.pid}.json`);
      await mkdir(dirname(project), { recursive: true });
      const include = [...SOURCE_DIRS, 'bench'].map((d) => join(ROOT, d));
      await writeFile(project, JSON.stringify({ extends: join(ROOT, 'tsconfig.build.json'), compilerOptions: { rootDir: ROOT }, include }));
    }
    let compiled;
    try {
      compiled = spawnSync(process.execPath, [tsc, '-p', project, '--outDir', staging], { cwd: ROOT, stdio: 'inherit' });
    } finally {
      if (bench) await rm(project, { force: true });
    }
    if (compiled.status !== 0) throw new Error(`tsc failed (exit ${compiled.status ?? compiled.signal}): nothing was replaced`);
    for (const asset of ASSETS) {
      if (existsSync(join(ROOT, asset))) await cp(join(ROOT, asset), join(staging, asset), { recursive: true });
    }
    await writeFile(join(staging, STAMP), `${JSON.stringify({ fingerprint, builtAt: new Date().toISOString(), node: process.version, bench }, null, 2)}\n`);
    await rm(outDir, { recursive: true, force: true });
    await rename(staging, outDir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return join(outDir, ENTRY);
}

/** Builds unless `outDir` already holds the build of this checkout; returns the entry either way. */
export async function buildIfNeeded(options = {}) {
  const { found, fingerprint } = await inspectBuild(options.outDir ?? DIST, options);
  return found.current ? found.entry : build({ ...options, fingerprint });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const bench = args.includes('--bench');
  const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined;
  const outDir = out ? resolve(out) : bench ? BENCH_DIST : DIST;
  const started = performance.now();
  const entry = args.includes('--if-needed') ? await buildIfNeeded({ outDir, bench }) : await build({ outDir, bench });
  process.stdout.write(`${relative(process.cwd(), dirname(dirname(dirname(entry)))) || '.'}: built from this checkout (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}
