// Two real gateway processes (`liaison serve`, as an operator runs it) on one fresh PostgreSQL
// database, each on a free loopback port with a data directory of its own, for the tests of
// several processes behind one load balancer. Agencies are registered in the database before
// the processes start; their tokens are minted here with the real clock. `close` stops every
// process still running (SIGTERM, then SIGKILL after 10 s) and drops the database.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerAgency } from '../../api/agencies.ts';
import { generateAgencyKeyPair, mintToken } from '../../api/auth/keys.ts';
import { freePort } from '../../api/server.ts';
import { ALL_SCOPES } from '../helpers/app.ts';
import { LIAISON_BIN, listeningUrl } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

export const MULTI_PSEUDONYM_KEY = 'multi-test-pseudonym-key-0123456789abcdef';
const AUDIENCE = 'liaison-gateway';

export type GatewayProcess = {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr (its warnings and errors). */
  readonly stderr: () => string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
};

export type ProcessAgency = {
  id: string;
  code: string;
  /** A fresh single-use token (a new jti each call). */
  token(): Promise<string>;
};

export type TwoGateways = {
  db: TestDatabase;
  gateways: [GatewayProcess, GatewayProcess];
  close(): Promise<void>;
};

/** Registers an agency with every scope and a generated key; its tokens carry the real time. */
export async function addProcessAgency(db: TestDatabase, code: string): Promise<ProcessAgency> {
  const pair = await generateAgencyKeyPair({ kid: `${code.toLowerCase()}-1` });
  const created = await registerAgency(db.prisma, { code, name: `Agency ${code}`, country: code.slice(0, 2), jwks: pair.jwks, scopes: ALL_SCOPES });
  return {
    id: created.id,
    code,
    token: () => mintToken({ privateJwk: pair.privateJwk, iss: code, sub: 'officer-7', aud: AUDIENCE, scope: ALL_SCOPES.join(' '), now: new Date() }),
  };
}

async function startGateway(env: NodeJS.ProcessEnv): Promise<GatewayProcess> {
  const port = await freePort('127.0.0.1');
  const child = spawn(process.execPath, [LIAISON_BIN, 'serve', '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const url = await listeningUrl(child, 120_000);
    return { url, child, stderr: () => stderr, exited };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

async function stopGateway(gateway: GatewayProcess): Promise<void> {
  if (gateway.child.exitCode !== null || gateway.child.signalCode !== null) return;
  gateway.child.kill('SIGTERM');
  const timer = setTimeout(() => gateway.child.kill('SIGKILL'), 10_000);
  await gateway.exited;
  clearTimeout(timer);
}

/**
 * Two gateways on one fresh database (DATABASE_URL must be set). `setup` runs on the database
 * before they start (agencies, webhooks); `env` adds settings (limits) to both.
 */
export async function startTwoGateways<T>(
  setup: (db: TestDatabase) => Promise<T>,
  env: NodeJS.ProcessEnv = {},
): Promise<TwoGateways & { fixture: T }> {
  const db = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'liaison-multi-'));
  const started: GatewayProcess[] = [];
  const close = async () => {
    await Promise.all(started.map(stopGateway));
    await db.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const fixture = await setup(db);
    const base: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      LIAISON_PSEUDONYM_KEY: MULTI_PSEUDONYM_KEY,
      LIAISON_AUDIENCE: AUDIENCE,
      LOG_LEVEL: 'warn',
      LIAISON_METRICS_PORT: 'off',
      LIAISON_CONSOLE: 'off',
      LIAISON_WEBHOOK_ALLOW_LOOPBACK: 'true',
      ...env,
    };
    const gateways = await Promise.all(
      ['a', 'b'].map(async (name) => {
        const gateway = await startGateway({ ...base, LIAISON_DATA_DIR: join(dir, name) });
        started.push(gateway);
        return gateway;
      }),
    );
    return { db, gateways: [gateways[0]!, gateways[1]!], fixture, close };
  } catch (error) {
    await close();
    throw error;
  }
}
