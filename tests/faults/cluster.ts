// A PostgreSQL cluster of the fault tests' own: initdb and pg_ctl (PostgreSQL 15's binaries) in
// a temporary directory, listening on a free loopback port with its unix socket in that
// directory, so a test may stop, restart or starve it without touching the shared server on
// 5432. PostgreSQL refuses to run as root: under root the cluster runs as the `postgres`
// user. It is stopped and removed when the test file ends, and also when the process exits
// before that (a failed or interrupted run leaves no server behind).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../api/server.ts';

const BIN = process.env.LIAISON_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const asRoot = userInfo().uid === 0;

/** Why a private cluster cannot run here (no PostgreSQL binaries, or root without a `postgres` user), or undefined. */
export function clusterUnavailable(): string | undefined {
  if (!existsSync(join(BIN, 'initdb')) || !existsSync(join(BIN, 'pg_ctl'))) return `no initdb/pg_ctl in ${BIN} (set LIAISON_PG_BIN)`;
  if (asRoot && spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root and there is no postgres user to run the cluster as';
  return undefined;
}

export type PrivateCluster = {
  readonly port: number;
  /** The URL of database `name` on this cluster (the superuser `postgres`, trust authentication). */
  url(name?: string): string;
  /** Creates database `name`. */
  createDatabase(name: string): Promise<void>;
  /** Stops the server: `fast` ends sessions cleanly, `immediate` as a crash would. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops and removes the cluster (idempotent). */
  remove(): Promise<void>;
};

/** Runs a PostgreSQL binary (as `postgres` under root) and rejects with its output when it fails. */
function run(program: string, args: string[]): Promise<void> {
  const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(BIN, program), ...args]] : [join(BIN, program), args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${program} ${args.join(' ')} exited ${code}: ${output}`))));
  });
}

export async function startPrivateCluster(options: { maxConnections?: number } = {}): Promise<PrivateCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'liaison-pg-'));
  if (asRoot) {
    const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    await chown(dir, id('-u'), id('-g'));
  }
  const data = join(dir, 'data');
  const port = await freePort('127.0.0.1');
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    `-c max_connections=${options.maxConnections ?? 40}`,
  ].join(' ');
  let running = false;
  let removed = false;
  // A run that ends without afterAll (a crash, an interrupt) still stops the server.
  const onExit = () => {
    if (running) spawnSync(asRoot ? 'runuser' : join(BIN, 'pg_ctl'), [...(asRoot ? ['-u', 'postgres', '--', join(BIN, 'pg_ctl')] : []), '-D', data, '-m', 'immediate', 'stop']);
    spawnSync('rm', ['-rf', dir]);
  };
  process.once('exit', onExit);

  const cluster: PrivateCluster = {
    port,
    url: (name = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${name}`,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: cluster.url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
    },
    async stop(mode = 'fast') {
      await run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
      running = false;
    },
    async start() {
      await run('pg_ctl', ['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
      running = true;
    },
    async remove() {
      if (removed) return;
      removed = true;
      process.removeListener('exit', onExit);
      if (running) await cluster.stop('immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await cluster.start();
  } catch (error) {
    await cluster.remove();
    throw error;
  }
  return cluster;
}
