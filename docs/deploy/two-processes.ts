// `npm run example:two-processes` (docs/deployment.md): two stateless gateway processes on one
// PostgreSQL, as N processes behind a load balancer run. It creates a throwaway database on the
// server of DATABASE_URL (else postgres://postgres@127.0.0.1:5432), migrates it and registers
// one agency, starts two `liaison serve` processes on loopback with the same settings, checks
// that both answer /readyz and that a token used once on the first is refused by the second
// (the replay cache lives in the database), then stops both and drops the database, also after
// a failure. Bounded: the whole run is cut off after RUN_LIMIT_MS.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { registerAgency } from '../../api/agencies.ts';
import { generateAgencyKeyPair, mintToken } from '../../api/auth/keys.ts';
import { openDatabase } from '../../kernel/db.ts';

const BIN = new URL('../../bin/liaison.js', import.meta.url).pathname;
const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const RUN_LIMIT_MS = 180_000;
const START_LIMIT_MS = 120_000;
const AGENCY = 'EX-TWO';
const AUDIENCE = 'liaison-gateway';

const log = (line: string) => process.stdout.write(`${line}\n`);
/** The gateways started, killed outright should this process end without stopping them. */
const gateways: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of gateways) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function onDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: onDatabase(serverUrl, 'postgres'), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Starts `liaison serve` and resolves with its URL once it prints that it listens. */
function startGateway(name: string, env: NodeJS.ProcessEnv): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${START_LIMIT_MS / 1000} s:\n${out}`)), START_LIMIT_MS);
    const read = (chunk: Buffer) => {
      out += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${out}`));
    });
  });
  return { child, url };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 35_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function me(url: string, token: string): Promise<{ status: number; body: { data?: { me: { agency: { code: string } } }; errors?: { extensions?: { reason?: string } }[] } }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ me { agency { code } } }' }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`check failed: ${what}`);
  log(`ok: ${what}`);
}

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL || DEFAULT_SERVER_URL;
  const name = `liaison_example_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = onDatabase(serverUrl, name);
  const pseudonymKey = randomBytes(32).toString('base64url');
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  log(`database ${name} on ${new URL(serverUrl).host}`);
  try {
    const db = await openDatabase({ databaseUrl });
    const keys = await generateAgencyKeyPair({ kid: 'ex-two-1' });
    try {
      await db.migrate();
      await registerAgency(db.prisma, { code: AGENCY, name: 'Example agency', country: 'ES', jwks: keys.jwks, scopes: ['records:read'] });
    } finally {
      await db.close();
    }

    // What every process of a deployment shares: the database, the pseudonym key (receipts,
    // cursors and access tokens derive from it), the audience and the public issuer URL.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      LIAISON_PSEUDONYM_KEY: pseudonymKey,
      LIAISON_AUDIENCE: AUDIENCE,
      LIAISON_ISSUER: 'https://liaison.example.org',
      LIAISON_HOST: '127.0.0.1',
      LIAISON_METRICS_PORT: 'off',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
    };
    // One after the other: each process checks the migrations at start under Prisma's advisory
    // lock, and on a busy host the second would wait for it past Prisma's 10 s.
    const a = startGateway('gateway A', env);
    gateways.push(a.child);
    const urlA = await a.url;
    const b = startGateway('gateway B', env);
    gateways.push(b.child);
    const urlB = await b.url;
    log(`gateway A pid ${a.child.pid} on ${urlA}, gateway B pid ${b.child.pid} on ${urlB}`);

    for (const [label, url] of [['A', urlA], ['B', urlB]] as const) {
      const ready = await fetch(`${url}/readyz`);
      const body = (await ready.json()) as { status?: string; database?: string };
      check(ready.status === 200 && body.database === 'postgres', `gateway ${label} answers /readyz: ${JSON.stringify(body)}`);
    }

    const token = await mintToken({ privateJwk: keys.privateJwk, iss: AGENCY, sub: 'officer-1', aud: AUDIENCE, scope: 'records:read', now: new Date() });
    const first = await me(urlA, token);
    check(first.status === 200 && first.body.data?.me.agency.code === AGENCY, `gateway A accepts the token (${AGENCY})`);
    const second = await me(urlB, token);
    const reason = second.body.errors?.[0]?.extensions?.reason;
    check(second.status === 401 && reason === 'token_reused', `gateway B refuses the same token: ${second.status} ${reason}`);
    const fresh = await me(urlB, await mintToken({ privateJwk: keys.privateJwk, iss: AGENCY, sub: 'officer-1', aud: AUDIENCE, scope: 'records:read', now: new Date() }));
    check(fresh.status === 200, 'gateway B accepts a fresh token');
  } finally {
    await Promise.all(gateways.map(stop));
    await admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    log(`stopped both gateways, dropped ${name}`);
  }
}

const limit = setTimeout(() => {
  log(`example exceeded ${RUN_LIMIT_MS / 1000} s`);
  process.exit(1);
}, RUN_LIMIT_MS);
limit.unref();
main().then(
  () => clearTimeout(limit),
  (error: unknown) => {
    clearTimeout(limit);
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
