// A gateway for one test file: a fresh database, the real token verifier and audit log,
// an injected clock, agencies with generated keys, and a `gql` call that mints a fresh
// token for each request (tokens are single-use) and drives the app without a port; `rest`
// does the same for one REST request.
import { Writable } from 'node:stream';
import { registerAgency } from '../../api/agencies.ts';
import { createApp, type App } from '../../api/app.ts';
import { generateAgencyKeyPair, mintToken } from '../../api/auth/keys.ts';
import { loadConfig, type Config } from '../../kernel/config.ts';
import type { Scope } from '../../schema/context.ts';
import { createLogger } from '../../kernel/logger.ts';
import { createServices } from '../../api/services.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export const TEST_PSEUDONYM_KEY = 'test-pseudonym-key-0123456789abcdef0123456789';

export const ALL_SCOPES: Scope[] = ['records:read', 'records:submit', 'match:query', 'operations:manage', 'admin'];

export type TestAgency = {
  id: string;
  code: string;
  privateJwk: Awaited<ReturnType<typeof generateAgencyKeyPair>>['privateJwk'];
  token(options?: { scope?: string; sub?: string }): Promise<string>;
};

export type GqlResult<T = Record<string, unknown>> = {
  status: number;
  headers: Headers;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [k: string]: unknown } }[];
};

export type RestResult = {
  status: number;
  headers: Headers;
  /** The parsed JSON body (`{}` for an empty one). */
  json: Record<string, unknown>;
};

export type TestGateway = {
  app: App;
  db: TestDatabase;
  config: Config;
  /** Every log line the gateway wrote, as parsed JSON. */
  logs: Record<string, unknown>[];
  clock: { now: Date };
  addAgency(code: string, options?: { scopes?: Scope[]; country?: string; name?: string }): Promise<TestAgency>;
  gql<T = Record<string, unknown>>(
    agency: TestAgency | null,
    query: string,
    variables?: Record<string, unknown>,
    options?: { scope?: string },
  ): Promise<GqlResult<T>>;
  /**
   * One REST request of `agency` with a fresh token (`scope` narrows it); an object body is sent
   * as JSON, a string as is (with `contentType`, default JSON).
   */
  rest(
    agency: TestAgency,
    method: string,
    path: string,
    body?: unknown,
    options?: { scope?: string; contentType?: string },
  ): Promise<RestResult>;
  close(): Promise<void>;
};

/**
 * `options.db` builds a second gateway process on the database of another (which keeps
 * owning it: this gateway's close leaves it open), as several processes share PostgreSQL.
 * `options.operatorToken` turns on the loopback admin API with that operator credential.
 * `options.compiledReads: false` answers record reads by the Prisma path only (schema/compiled/ off).
 */
export async function createTestGateway(
  overrides: Partial<Config> = {},
  options: { db?: TestDatabase; operatorToken?: string; compiledReads?: boolean } = {},
): Promise<TestGateway> {
  const db = options.db ?? (await createTestDatabase());
  // Per-minute budgets far above the defaults: a test that is not about rate limits must not trip
  // the per-second burst when the machine is quiet and the reads are fast. Tests of the limits set
  // their own (`rateLimits` overrides, or an agency's own setting). Refusals are answered at once
  // (the hold of ISO-36 has its own test), so tests that go past a limit do not wait for it.
  const config = loadConfig(
    {
      LOG_LEVEL: 'info',
      LIAISON_GRAPHIQL: 'false',
      LIAISON_RATE_REQUESTS_PER_MINUTE: '60000',
      LIAISON_RATE_COST_PER_MINUTE: '3000000',
      LIAISON_RATE_REFUSAL_DELAY_MS: '0',
    },
    overrides,
  );
  const clock = { now: new Date('2026-06-01T12:00:00Z') };
  const now = () => clock.now;
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger({ level: 'info', pretty: false, destination: sink });
  const services = await createServices({ config, db, now, pseudonymKey: TEST_PSEUDONYM_KEY });
  const app = await createApp({
    config,
    db,
    logger,
    verifier: services.verifier,
    audit: services.audit,
    now,
    ingest: services.ingest,
    oauth: services.oauth,
    cursorKey: services.cursorKey,
    ...(options.compiledReads === undefined ? {} : { compiledReads: options.compiledReads }),
    ...(options.operatorToken ? { admin: { operatorToken: options.operatorToken, audit: services.audit } } : {}),
  });

  async function addAgency(code: string, options: { scopes?: Scope[]; country?: string; name?: string } = {}) {
    const pair = await generateAgencyKeyPair({ kid: `${code.toLowerCase()}-1` });
    const scopes = options.scopes ?? ALL_SCOPES;
    const created = await registerAgency(db.prisma, {
      code,
      name: options.name ?? `Agency ${code}`,
      country: options.country ?? code.slice(0, 2),
      jwks: pair.jwks,
      scopes,
    });
    return {
      id: created.id,
      code,
      privateJwk: pair.privateJwk,
      token: (o: { scope?: string; sub?: string } = {}) =>
        mintToken({
          privateJwk: pair.privateJwk,
          iss: code,
          sub: o.sub ?? 'officer-7',
          aud: config.audience,
          scope: o.scope ?? scopes.join(' '),
          now: clock.now,
        }),
    };
  }

  async function gql<T>(
    agency: TestAgency | null,
    query: string,
    variables: Record<string, unknown> = {},
    options: { scope?: string } = {},
  ): Promise<GqlResult<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (agency) headers.authorization = `Bearer ${await agency.token(options.scope ? { scope: options.scope } : {})}`;
    const response = await app.fetch(
      new Request('http://gateway.test/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) }),
    );
    const body = (await response.json()) as Omit<GqlResult<T>, 'status' | 'headers'>;
    return { status: response.status, headers: response.headers, ...body };
  }

  async function rest(
    agency: TestAgency,
    method: string,
    path: string,
    body?: unknown,
    options: { scope?: string; contentType?: string } = {},
  ): Promise<RestResult> {
    const headers: Record<string, string> = { authorization: `Bearer ${await agency.token(options.scope ? { scope: options.scope } : {})}` };
    if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const response = await app.fetch(
      new Request(`http://gateway.test${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      }),
    );
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  return {
    app,
    db,
    config,
    logs,
    clock,
    addAgency,
    gql,
    rest,
    close: async () => {
      await app.close();
      if (!options.db) await db.close();
    },
  };
}
