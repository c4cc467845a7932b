// Builds the web console into console/dist/ when it is missing or older than its sources, so
// that `npm start` (and the browser tests) need no extra step. The build goes to a private
// folder first and is renamed into place, so a reader never sees half a build and two builds
// started at once do not write into each other. `--force` builds even when dist/ is current.
import { existsSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = join(here, 'dist');
const marker = join(dist, 'index.html');
const sources = [join(here, 'src'), join(here, 'public'), join(here, 'index.html'), join(here, 'vite.config.ts'), join(here, '..', 'package-lock.json')];

/** The newest modification time under a file or folder. */
async function newest(path) {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newest(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

async function isCurrent() {
  if (!existsSync(marker)) return false;
  const built = (await stat(marker)).mtimeMs;
  const times = await Promise.all(sources.filter((s) => existsSync(s)).map(newest));
  return times.every((t) => t <= built);
}

async function build() {
  let vite;
  try {
    vite = await import('vite');
  } catch {
    console.error('The web console cannot be built: vite is not installed (run `npm ci` with dev dependencies). The gateway runs without it.');
    return;
  }
  const staging = join(here, `.dist-${process.pid}`);
  // A production bundle even when started from a test runner (which sets NODE_ENV=test).
  process.env.NODE_ENV = 'production';
  await vite.build({ mode: 'production', configFile: join(here, 'vite.config.ts'), build: { outDir: staging, emptyOutDir: true } });
  if (await isCurrent()) {
    await rm(staging, { recursive: true, force: true });
    return;
  }
  await rm(dist, { recursive: true, force: true });
  try {
    await rename(staging, dist);
  } catch (error) {
    // Another build finished first and put its own dist/ in place: keep that one.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(marker)) throw error;
  }
}

if (process.argv.includes('--force') || !(await isCurrent())) {
  process.stdout.write('Building the web console (console/dist/)…\n');
  await build();
}
