// The contract test: every documented route × status × response media type of api/openapi.yaml
// is driven on the real server (createTestGateway), and the answer's status, Content-Type,
// required headers and body (ajv, JSON Schema 2020-12) must be as documented. No route may be
// served without being documented, except HEAD/OPTIONS variants and the operator-only /admin.
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerAgency } from '../../api/agencies.ts';
import { createApp } from '../../api/app.ts';
import type { JWK } from 'jose';
import { generateAgencyKeyPair, mintToken, type AgencyKeyPair } from '../../api/auth/keys.ts';
import { ErrorCode } from '../../kernel/errors.ts';
import { createLogger } from '../../kernel/logger.ts';
import { createServices } from '../../api/services.ts';
import { z } from 'zod';
import { ADAPTER_FORMATS, ADAPTERS } from '../../adapters/index.ts';
import { submissionReportSchema } from '../../ingest/report.ts';
import { createTestGateway, TEST_PSEUDONYM_KEY, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { Contract, responseKey, SAMPLE_SENDS, sample, servedRoutes } from './support.ts';

const BASE = 'http://gateway.test';
const OPERATION = 'FIRST-LIGHT-2022';
const contract = new Contract();

let gw: TestGateway;
/** Where the test gateway spools uploads: one entry per upload being received. */
let spoolDir: string;
const agencies: Record<string, TestAgency> = {};
/** A token of an agency whose keys live at an unreachable jwksUri: verification is unavailable. */
let unavailableToken: () => Promise<string>;
let remoteKey: AgencyKeyPair;

beforeAll(async () => {
  spoolDir = await mkdtemp(join(tmpdir(), 'liaison-contract-spool-'));
  gw = await createTestGateway({ maxUploadBytes: 64 * 1024, uploadIdleMs: 5_000, spoolDir });
  for (const code of ['ES-PN', 'CN-MPS', 'DE-BKA', 'PH-NBI']) agencies[code] = await gw.addAgency(code);
  await gw.db.prisma.operation.create({
    data: {
      code: OPERATION,
      name: 'First Light',
      leadId: agencies['ES-PN']!.id,
      participants: { create: Object.values(agencies).map((a) => ({ agencyId: a.id })) },
    },
  });
  const remote = await generateAgencyKeyPair({ kid: 'fr-remote-1' });
  remoteKey = remote;
  await registerAgency(gw.db.prisma, { code: 'FR-PN', name: 'Remote keys', country: 'FR', jwksUri: 'https://127.0.0.1:1/jwks.json' });
  unavailableToken = () =>
    mintToken({ privateJwk: remote.privateJwk, iss: 'FR-PN', sub: 'officer-1', aud: gw.config.audience, scope: 'records:submit', now: gw.clock.now });
});
afterAll(async () => {
  await gw?.close();
  if (spoolDir) await rm(spoolDir, { recursive: true, force: true });
});

const bearer = async (agency: TestAgency, scope?: string) => `Bearer ${await agency.token(scope ? { scope } : {})}`;

async function submit(options: {
  query?: string;
  body?: BodyInit;
  contentType?: string;
  authorization?: string | null;
  headers?: Record<string, string>;
}): Promise<Response> {
  const authorization = options.authorization === undefined ? await bearer(agencies['ES-PN']!) : options.authorization;
  return gw.app.fetch(
    new Request(`${BASE}/v1/submissions?${options.query ?? `format=es-pn-csv&operation=${OPERATION}`}`, {
      method: 'POST',
      headers: {
        'content-type': options.contentType ?? 'text/csv',
        ...(authorization ? { authorization } : {}),
        ...options.headers,
      },
      body: options.body ?? (await sample('es-pn-csv.csv')),
    }),
  );
}

/** A client assertion for POST /oauth/token (RFC 7523: sub = iss, aud = the token endpoint). */
const assertion = (privateJwk: JWK, code: string) =>
  mintToken({ privateJwk, iss: code, sub: code, aud: `${gw.config.issuer}/oauth/token`, scope: [], ttlSeconds: 60, now: gw.clock.now });
const tokenRequest = (clientAssertion: string | undefined, extra: Record<string, string> = {}) =>
  gw.app.fetch(
    new Request(`${BASE}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        ...(clientAssertion ? { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion } : {}),
        ...extra,
      }),
    }),
  );

const get = async (path: string, headers: Record<string, string> = {}) => gw.app.fetch(new Request(`${BASE}${path}`, { headers }));
const graphql = async (init: { method?: string; query: string; accept?: string; token?: boolean; authorization?: string }) => {
  const headers: Record<string, string> = { 'x-graphql-yoga-csrf': '1', ...(init.accept ? { accept: init.accept } : {}) };
  if (init.token !== false) headers.authorization = init.authorization ?? (await bearer(agencies['ES-PN']!));
  if (init.method === 'GET') return get(`/graphql?query=${encodeURIComponent(init.query)}`, headers);
  return gw.app.fetch(
    new Request(`${BASE}/graphql`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: init.query }) }),
  );
};

/** The ES-PN sample with its record refs renumbered (`ES-C-0…` → `ES-C-<digit>…`): new content. */
async function esPnCsv(digit: number): Promise<string> {
  const csv = (await sample('es-pn-csv.csv')).toString();
  return csv.replaceAll('ES-C-0', `ES-C-${digit}`).replaceAll('ES-S-0', `ES-S-${digit}`).replaceAll('ES-F-0', `ES-F-${digit}`);
}

/** A stored submission of ES-PN (content of its own), for the read scenarios. */
async function storedSubmissionId(digit: number): Promise<string> {
  const res = await submit({ body: await esPnCsv(digit) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/**
 * The second of two requests of a fresh agency whose operator-set limit is one request per
 * minute: `send` makes one request with the Authorization header it is given.
 */
async function overRequestLimit(code: string, send: (authorization: string) => Promise<Response>): Promise<Response> {
  const agency = await gw.addAgency(code);
  await gw.db.prisma.agency.update({ where: { id: agency.id }, data: { requestsPerMinute: 1 } });
  expect((await send(await bearer(agency))).status).not.toBe(429);
  return send(await bearer(agency));
}

type Scenario = { key: string; name: string; run: () => Promise<Response>; code?: string };
const S = (method: string, path: string, status: number, mediaType: string, name: string, run: () => Promise<Response>, extra: Partial<Scenario> = {}): Scenario => ({
  key: responseKey(method, path, status, mediaType),
  name,
  run,
  ...extra,
});
const PROBLEM = 'application/problem+json';
const JSON_MT = 'application/json';
const GQL_MT = 'application/graphql-response+json';
const ME = '{ me { subject } }';

const scenarios: Scenario[] = [
  ...SAMPLE_SENDS.map(({ agency, format, file, mediaType }) =>
    S('post', '/v1/submissions', 201, JSON_MT, `${format} sent as ${mediaType}`, async () =>
      submit({ query: `format=${format}&operation=${OPERATION}`, contentType: mediaType, body: await sample(file), authorization: await bearer(agencies[agency]!) }),
    ),
  ),
  S('post', '/v1/submissions', 200, JSON_MT, 'a repeated Idempotency-Key replays the first report', async () => {
    const body = await esPnCsv(8);
    const headers = { 'idempotency-key': 'contract-replay-1' };
    expect((await submit({ body, headers })).status).toBe(201);
    return submit({ body, headers });
  }),
  S('post', '/v1/submissions', 400, PROBLEM, 'a missing operation parameter', () => submit({ query: 'format=es-pn-csv' }), { code: ErrorCode.BAD_USER_INPUT }),
  S('post', '/v1/submissions', 401, PROBLEM, 'no token', () => submit({ authorization: null }), { code: ErrorCode.UNAUTHENTICATED }),
  S('post', '/v1/submissions', 403, PROBLEM, 'a token without records:submit', async () => submit({ authorization: await bearer(agencies['ES-PN']!, 'records:read') }), {
    code: ErrorCode.FORBIDDEN,
  }),
  S('post', '/v1/submissions', 404, PROBLEM, 'an unknown operation', () => submit({ query: 'format=es-pn-csv&operation=NO-SUCH-OP' }), { code: ErrorCode.NOT_FOUND }),
  S('post', '/v1/submissions', 409, PROBLEM, 'the same Idempotency-Key while the first is still streaming', conflictingSubmission, {
    code: ErrorCode.CONFLICT,
  }),
  S('post', '/v1/submissions', 408, PROBLEM, 'an upload that stalls past the idle timeout', stalledSubmission, { code: ErrorCode.BAD_USER_INPUT }),
  S('post', '/v1/submissions', 429, PROBLEM, 'a third submission while two of the agency are still arriving', tooManySubmissions, {
    code: ErrorCode.RATE_LIMITED,
  }),
  S('post', '/v1/submissions', 413, PROBLEM, 'a declared length over the limit', () => submit({ body: Buffer.alloc(80 * 1024, 'a') }), { code: ErrorCode.PAYLOAD_TOO_LARGE }),
  S('post', '/v1/submissions', 415, PROBLEM, 'an unknown format', () => submit({ query: `format=xls&operation=${OPERATION}` }), { code: ErrorCode.UNSUPPORTED_FORMAT }),
  S('post', '/v1/submissions', 422, JSON_MT, 'an ATOMIC file with an invalid record (REJECTED report)', async () =>
    submit({ body: (await sample('es-pn-csv.csv')).toString().replace('DESMANTELADO', 'DEMOLIDO').replace('ES-C-001', 'ES-C-901') }),
  ),
  S('post', '/v1/submissions', 422, PROBLEM, 'an Idempotency-Key reused for other content', async () => {
    const headers = { 'idempotency-key': 'contract-reuse-1' };
    const first = await esPnCsv(6);
    expect((await submit({ body: first, headers })).status).toBe(201);
    return submit({ body: first.replace('ES-C-601', 'ES-C-699'), headers });
  }, { code: ErrorCode.BAD_USER_INPUT }),
  S('post', '/v1/submissions', 503, PROBLEM, "the agency's remote JWKS is unreachable", async () => submit({ authorization: `Bearer ${await unavailableToken()}` }), {
    code: ErrorCode.SERVICE_UNAVAILABLE,
  }),
  S('get', '/v1/submissions/{id}', 200, JSON_MT, 'the owner reads its report', async () => get(`/v1/submissions/${await storedSubmissionId(7)}`, { authorization: await bearer(agencies['ES-PN']!) })),
  S('get', '/v1/submissions/{id}', 401, PROBLEM, 'a bad token', () => get('/v1/submissions/00000000-0000-4000-8000-000000000000', { authorization: 'Bearer not.a.jwt' }), {
    code: ErrorCode.UNAUTHENTICATED,
  }),
  S('get', '/v1/submissions/{id}', 403, PROBLEM, 'a token without records:submit', async () =>
    get('/v1/submissions/00000000-0000-4000-8000-000000000000', { authorization: await bearer(agencies['ES-PN']!, 'records:read') }), { code: ErrorCode.FORBIDDEN }),
  S('get', '/v1/submissions/{id}', 404, PROBLEM, "another agency's submission", async () => get(`/v1/submissions/${await storedSubmissionId(5)}`, { authorization: await bearer(agencies['CN-MPS']!) }), {
    code: ErrorCode.NOT_FOUND,
  }),
  S('get', '/v1/submissions/{id}', 429, PROBLEM, "past the agency's requests per minute", () =>
    overRequestLimit('IT-PS', (authorization) => get('/v1/submissions/00000000-0000-4000-8000-000000000000', { authorization })), { code: ErrorCode.RATE_LIMITED }),
  S('get', '/v1/submissions/{id}', 503, PROBLEM, "the agency's remote JWKS is unreachable", async () =>
    get('/v1/submissions/00000000-0000-4000-8000-000000000000', { authorization: `Bearer ${await unavailableToken()}` }), { code: ErrorCode.SERVICE_UNAVAILABLE }),
  S('get', '/v1/events', 200, JSON_MT, "the agency's inbox", async () => get('/v1/events?limit=10', { authorization: await bearer(agencies['ES-PN']!, 'match:query') })),
  S('get', '/v1/events', 400, PROBLEM, 'a cursor that is not an event id', async () => get('/v1/events?after=last', { authorization: await bearer(agencies['ES-PN']!) }), {
    code: ErrorCode.BAD_USER_INPUT,
  }),
  S('get', '/v1/events', 401, PROBLEM, 'no token', () => get('/v1/events'), { code: ErrorCode.UNAUTHENTICATED }),
  S('get', '/v1/events', 403, PROBLEM, 'a token with neither records:read nor match:query', async () =>
    get('/v1/events', { authorization: await bearer(agencies['ES-PN']!, 'records:submit') }), { code: ErrorCode.FORBIDDEN }),
  S('get', '/v1/events', 503, PROBLEM, "the agency's remote JWKS is unreachable", async () => get('/v1/events', { authorization: `Bearer ${await unavailableToken()}` }), {
    code: ErrorCode.SERVICE_UNAVAILABLE,
  }),
  S('get', '/.well-known/jwks.json', 200, JSON_MT, 'the receipt keys', () => get('/.well-known/jwks.json')),
  S('get', '/.well-known/oauth-authorization-server', 200, JSON_MT, 'the OAuth metadata', () => get('/.well-known/oauth-authorization-server')),
  S('get', '/oauth/jwks.json', 200, JSON_MT, 'the access-token keys', () => get('/oauth/jwks.json')),
  S('post', '/oauth/token', 200, JSON_MT, 'a valid client assertion', async () => tokenRequest(await assertion(agencies['ES-PN']!.privateJwk, 'ES-PN'))),
  S('post', '/oauth/token', 400, JSON_MT, 'an unsupported grant type', async () =>
    tokenRequest(await assertion(agencies['ES-PN']!.privateJwk, 'ES-PN'), { grant_type: 'password' })),
  S('post', '/oauth/token', 401, JSON_MT, 'no client assertion', () => tokenRequest(undefined)),
  S('post', '/oauth/token', 503, JSON_MT, "the agency's remote JWKS is unreachable", async () => tokenRequest(await assertion(remoteKey.privateJwk, 'FR-PN'))),
  S('get', '/openapi.json', 200, JSON_MT, 'this document', () => get('/openapi.json')),
  S('get', '/healthz', 200, JSON_MT, 'alive', () => get('/healthz')),
  S('get', '/readyz', 200, JSON_MT, 'the database answers', () => get('/readyz')),
  S('get', '/readyz', 503, JSON_MT, 'the database fails', async () => {
    const spy = vi.spyOn(gw.db.prisma, '$queryRaw').mockRejectedValueOnce(new Error('database down'));
    try {
      return await get('/readyz');
    } finally {
      spy.mockRestore();
    }
  }),
  S('post', '/graphql', 200, GQL_MT, 'a query, GraphQL-over-HTTP media type', () => graphql({ query: ME, accept: GQL_MT })),
  S('post', '/graphql', 200, JSON_MT, 'a query, plain JSON', () => graphql({ query: ME, accept: JSON_MT })),
  S('post', '/graphql', 400, GQL_MT, 'an invalid query, GraphQL-over-HTTP media type', () => graphql({ query: '{ me { nope } }', accept: GQL_MT })),
  S('post', '/graphql', 400, JSON_MT, 'an invalid query, plain JSON', () => graphql({ query: '{ me { nope } }', accept: JSON_MT })),
  S('post', '/graphql', 401, JSON_MT, 'no token', () => graphql({ query: ME, token: false })),
  S('post', '/graphql', 429, JSON_MT, "past the agency's requests per minute", () =>
    overRequestLimit('IT-CC', (authorization) => graphql({ query: ME, accept: JSON_MT, authorization }))),
  S('get', '/graphql', 200, GQL_MT, 'a query over GET, GraphQL-over-HTTP media type', () => graphql({ method: 'GET', query: ME, accept: GQL_MT })),
  S('get', '/graphql', 200, JSON_MT, 'a query over GET, plain JSON', () => graphql({ method: 'GET', query: ME, accept: JSON_MT })),
  S('get', '/graphql', 400, GQL_MT, 'an invalid query over GET, GraphQL-over-HTTP media type', () => graphql({ method: 'GET', query: '{ nope }', accept: GQL_MT })),
  S('get', '/graphql', 400, JSON_MT, 'an invalid query over GET, plain JSON', () => graphql({ method: 'GET', query: '{ nope }', accept: JSON_MT })),
  S('get', '/graphql', 429, JSON_MT, "past the agency's requests per minute, over GET", () =>
    overRequestLimit('IT-GDF', (authorization) => graphql({ method: 'GET', query: ME, accept: JSON_MT, authorization }))),
  ...matchingScenarios(),
  ...retractionScenarios(),
  ...watchScenarios(),
];

/** A live port of the test gateway (listening on first use). */
async function liveUrl(path: string): Promise<string> {
  const server = gw.app.fastify.server.listening ? gw.app.fastify.server : (await gw.app.fastify.listen({ port: 0, host: '127.0.0.1' }), gw.app.fastify.server);
  if (!server.listening) await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
}

/** An upload body that sends its first bytes and then nothing until `release()`. */
function heldUpload(bytes: Uint8Array) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(bytes.subarray(0, 200));
      await gate;
      controller.enqueue(bytes.subarray(200));
      controller.close();
    },
  });
  return { body, release };
}

/** Waits (bounded) until `count` uploads are being received into the spool. */
async function untilSpooling(count: number): Promise<void> {
  for (let i = 0; i < 200 && (await readdir(spoolDir)).length < count; i++) await new Promise((resolve) => setTimeout(resolve, 25));
}

async function stalledSubmission(): Promise<Response> {
  const held = heldUpload(new TextEncoder().encode(await esPnCsv(3)));
  const url = await liveUrl(`/v1/submissions?format=es-pn-csv&operation=${OPERATION}`);
  const headers = { 'content-type': 'text/csv', authorization: await bearer(agencies['ES-PN']!) };
  try {
    return await fetch(url, { method: 'POST', headers, body: held.body, duplex: 'half' } as RequestInit);
  } finally {
    held.release();
  }
}

async function tooManySubmissions(): Promise<Response> {
  const url = await liveUrl(`/v1/submissions?format=es-pn-csv&operation=${OPERATION}&dryRun=true`);
  const csv = new TextEncoder().encode(await esPnCsv(2));
  const send = async (body: BodyInit) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'text/csv', authorization: await bearer(agencies['ES-PN']!) }, body, duplex: 'half' } as RequestInit);
  const held = [heldUpload(csv), heldUpload(csv)];
  const first = held.map((h) => send(h.body));
  await untilSpooling(2); // both are admitted
  const third = await send(csv);
  for (const h of held) h.release();
  for (const answer of await Promise.all(first)) expect(answer.status).toBe(201);
  return third;
}

/**
 * REL-04 over HTTP: a first upload holds its body open on a live port while a second with the
 * same key arrives. The key is claimed before any transaction, so this holds on PGlite too.
 */
async function conflictingSubmission(): Promise<Response> {
  const url = await liveUrl(`/v1/submissions?format=es-pn-csv&operation=${OPERATION}`);
  const csv = new TextEncoder().encode(await esPnCsv(4));
  const held = heldUpload(csv);
  const headers = async () => ({ 'content-type': 'text/csv', 'idempotency-key': 'contract-held-1', authorization: await bearer(agencies['ES-PN']!) });
  const first = fetch(url, { method: 'POST', headers: await headers(), body: held.body, duplex: 'half' } as RequestInit);
  await untilSpooling(1); // the first has claimed the key
  const second = await fetch(url, { method: 'POST', headers: await headers(), body: csv });
  held.release();
  expect((await first).status).toBe(201);
  return second;
}

describe('every documented response is served as documented', () => {
  const documented = contract.responses();

  it('each documented (route, status, media type) has a scenario below, and each scenario is documented', () => {
    expect([...new Set(scenarios.map((s) => s.key))].sort()).toEqual(documented.map((d) => d.key).sort());
  });

  it('serves the YAML document itself at GET /openapi.json', async () => {
    expect(await (await get('/openapi.json')).json()).toEqual(contract.doc);
  });

  it('documents the ErrorCode table as the Problem code enum and the adapters as the format enum', () => {
    const schemas = contract.doc.components.schemas as Record<string, { enum?: string[] }>;
    expect(schemas.ErrorCode!.enum).toEqual(Object.values(ErrorCode));
    const format = (contract.doc.components.parameters as Record<string, { schema: { enum: string[] } }>).Format!.schema.enum;
    expect([...format].sort()).toEqual([...ADAPTER_FORMATS].sort());
  });

  it('documents the media types of the registered formats, and only those, for the partner file', () => {
    const bodies = contract.doc.components.requestBodies as Record<string, { content: Record<string, unknown> }>;
    const registered = new Set([...ADAPTERS.flatMap((a) => a.mediaTypes), 'application/octet-stream']);
    expect(Object.keys(bodies.PartnerFile!.content).sort()).toEqual([...registered].sort());
  });

  it('describes SubmissionReport exactly as the one definition of the report (ingest/report.ts)', () => {
    const schemas = contract.doc.components.schemas as Record<string, JsonSchema>;
    const resolve = (ref: string) => schemas[ref.replace('#/components/schemas/', '')]!;
    const fromDefinition = essentials(z.toJSONSchema(submissionReportSchema) as JsonSchema, resolve);
    expect(essentials(schemas.SubmissionReport!, resolve)).toEqual(fromDefinition);
  });

  it('the compiled schemas do reject what the contract forbids', () => {
    const report = contract.validator(documented.find((d) => d.key === responseKey('post', '/v1/submissions', 201, JSON_MT))!.pointer);
    expect(report({ id: 'x', counts: {} })).toBe(false);
    const problem = contract.validator(documented.find((d) => d.key === responseKey('post', '/v1/submissions', 415, PROBLEM))!.pointer);
    expect(problem({ type: 'https://liaison.invalid/p', title: 't', status: 415, code: 'TEAPOT', detail: 'd' })).toBe(false);
    expect(problem({ type: 'https://liaison.invalid/p', title: 't', status: 415, code: 'UNSUPPORTED_FORMAT', detail: 'd' })).toBe(true);
  });

  for (const scenario of scenarios) {
    const target = documented.find((d) => d.key === scenario.key);
    it(`${scenario.key}: ${scenario.name}`, { timeout: 30_000 }, async () => {
      expect(target, 'undocumented scenario').toBeDefined();
      const res = await scenario.run();
      expect(res.status).toBe(Number(target!.status));
      expect(res.headers.get('content-type')?.split(';')[0]).toBe(target!.mediaType);
      for (const header of contract.requiredHeaders(target!.path, target!.method, target!.status)) {
        const value = res.headers.get(header.name);
        expect(value, `header ${header.name}`).not.toBeNull();
        expect(header.validate(value), `header ${header.name}: ${JSON.stringify(header.validate.errors)}`).toBe(true);
      }
      const text = await res.text();
      const body = target!.mediaType.endsWith('json') ? JSON.parse(text) : text;
      const validate = contract.validator(target!.pointer);
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
      if (scenario.code) expect((body as { code: string }).code).toBe(scenario.code);
    });
  }
});

describe('no undocumented route', () => {
  it('serves only documented routes, besides HEAD/OPTIONS variants, the operator-only /admin API and the web console\'s pages', async () => {
    // The full server: the test gateway without the admin API would not show that it is allowed.
    const services = await createServices({ config: gw.config, db: gw.db, pseudonymKey: TEST_PSEUDONYM_KEY });
    const full = await createApp({
      config: gw.config,
      db: gw.db,
      logger: createLogger({ level: 'silent', pretty: false }),
      verifier: services.verifier,
      audit: services.audit,
      admin: { operatorToken: 'operator-secret', audit: services.audit },
      ingest: services.ingest,
      oauth: services.oauth,
    });
    const served = servedRoutes(full.fastify.printRoutes({ commonPrefix: false }));
    await full.close();
    const documented = new Set(
      Object.entries(contract.doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    expect(served).toEqual(expect.arrayContaining(['POST /v1/submissions', 'GET /v1/submissions/{id}']));
    expect(served.some((route) => route.includes(' /admin/'))).toBe(true);
    // The console (api/console.ts) serves a page and its assets for people, not an API.
    const notApi = (route: string) => /^(HEAD|OPTIONS) /.test(route) || /^\S+ \/admin\//.test(route) || /^GET \/console(\/|\*|$)/.test(route);
    const undocumented = served.filter((route) => !documented.has(route) && !notApi(route));
    expect(undocumented).toEqual([]);
    const unserved = [...documented].filter((route) => !served.includes(route));
    expect(unserved).toEqual([]);
  });
});

type JsonSchema = { [key: string]: unknown };

/**
 * What both sides of a schema comparison state: references followed (their siblings kept),
 * types, enums, descriptions, formats, patterns, lower bounds, required members and nesting.
 * Left out: zod's safe-integer bounds, the patterns zod adds beside a `format`, examples, defaults.
 */
function essentials(schema: JsonSchema, resolve: (ref: string) => JsonSchema): JsonSchema {
  if (typeof schema.$ref === 'string') {
    const { $ref, ...siblings } = schema;
    return essentials({ ...resolve($ref), ...siblings }, resolve);
  }
  const out: JsonSchema = {};
  if (schema.type !== undefined) out.type = [schema.type].flat().sort();
  for (const key of ['description', 'enum', 'format', 'additionalProperties']) if (schema[key] !== undefined) out[key] = schema[key];
  if (schema.pattern !== undefined && schema.format === undefined) out.pattern = schema.pattern;
  if (typeof schema.minimum === 'number' && schema.minimum !== Number.MIN_SAFE_INTEGER) out.minimum = schema.minimum;
  if (Array.isArray(schema.required)) out.required = [...(schema.required as string[])].sort();
  if (schema.items !== undefined) out.items = essentials(schema.items as JsonSchema, resolve);
  if (schema.properties !== undefined) {
    const properties = schema.properties as Record<string, JsonSchema>;
    out.properties = Object.fromEntries(Object.keys(properties).sort().map((name) => [name, essentials(properties[name]!, resolve)]));
  }
  return out;
}

// Matching and disclosure: CN-MPS holds a RED suspect that ES-PN matches; ES-PN requests
// disclosure, CN-MPS decides. DE-BKA stands for every other agency; PH-NBI has a quota of 0.
const GOVERNED_PASSPORT = 'E7700123';
let governedRecord: Promise<void> | undefined;

/** CN-MPS's RED suspect, stored once on first use. */
function governed(): Promise<void> {
  governedRecord ??= (async () => {
    const file = JSON.stringify({
      format: 'liaison-json',
      version: 1,
      operation: OPERATION,
      records: [
        {
          kind: 'suspect', ref: 'S-GOVERNED', sharingLevel: 'RED', nationality: 'VN', role: 'MEMBER', status: 'WANTED',
          identifiers: [{ type: 'PASSPORT', country: 'VN', value: GOVERNED_PASSPORT }],
        },
      ],
    });
    const res = await submit({ query: `format=liaison-json&operation=${OPERATION}`, contentType: 'application/json', body: file, authorization: await bearer(agencies['CN-MPS']!) });
    expect(res.status).toBe(201);
  })();
  return governedRecord;
}

const postJson = async (path: string, body: unknown, authorization: string | null) =>
  gw.app.fetch(
    new Request(`${BASE}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    }),
  );

const matchBody = { identifiers: [{ type: 'PASSPORT', value: GOVERNED_PASSPORT, country: 'VN' }], purpose: 'contract: case 2026/7' };
const matchAs = async (code: string, body: unknown = matchBody, scope?: string) => {
  await governed();
  return postJson('/v1/matches', body, await bearer(agencies[code]!, scope));
};

/** A fresh hitRef of ES-PN for the governed suspect. */
async function hitRef(): Promise<string> {
  const res = await matchAs('ES-PN');
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: { hits: { hitRef: string }[] }[] }).results[0]!.hits[0]!.hitRef;
}

const disclosureBody = async () => ({ hitRef: await hitRef(), justification: 'contract test', legalBasis: 'MLA treaty art. 4' });
const requestAs = async (code: string, body: unknown, scope?: string) => postJson('/v1/disclosure-requests', body, await bearer(agencies[code]!, scope));

/** A fresh PENDING request of ES-PN to CN-MPS; its id. */
async function pendingRequest(): Promise<string> {
  const res = await requestAs('ES-PN', await disclosureBody());
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const decideAs = async (code: string, id: string, body: unknown = { decision: 'APPROVE', reason: 'treaty request in order' }, scope?: string) =>
  postJson(`/v1/disclosure-requests/${id}/decision`, body, await bearer(agencies[code]!, scope));

/** A request CN-MPS has approved; its id. */
async function approvedRequest(): Promise<string> {
  const id = await pendingRequest();
  expect((await decideAs('CN-MPS', id)).status).toBe(200);
  return id;
}

const revokeAs = async (code: string, id: string, scope?: string) => postJson(`/v1/disclosure-requests/${id}/revocation`, {}, await bearer(agencies[code]!, scope));
const readAs = async (code: string, path: string, scope?: string) => get(path, { authorization: await bearer(agencies[code]!, scope) });
const NO_REQUEST = '00000000-0000-4000-8000-000000000000';

// Retraction: CN-MPS retracts a den of its own; DE-BKA stands for every other agency.
let retractable = 0;

/** A fresh den of CN-MPS; its id. */
async function ownDen(): Promise<string> {
  const ref = `D-RETRACT-${++retractable}`;
  const file = JSON.stringify({
    format: 'liaison-json',
    version: 1,
    operation: OPERATION,
    records: [{ kind: 'scamDen', ref, country: 'KH', denType: 'CALL_CENTRE', status: 'RAIDED' }],
  });
  const res = await submit({ query: `format=liaison-json&operation=${OPERATION}`, contentType: 'application/json', body: file, authorization: await bearer(agencies['CN-MPS']!) });
  expect(res.status).toBe(201);
  return (await gw.db.prisma.scamDen.findFirstOrThrow({ where: { sourceRef: ref, ownerId: agencies['CN-MPS']!.id }, select: { id: true } })).id;
}

const retractAs = async (code: string, id: string, body: unknown = { reason: 'entered in error' }, scope?: string) =>
  postJson(`/v1/records/${id}/retraction`, body, await bearer(agencies[code]!, scope));

function retractionScenarios(): Scenario[] {
  const R = '/v1/records/{id}/retraction';
  return [
    S('post', R, 200, JSON_MT, 'the owner retracts its den', async () => retractAs('CN-MPS', await ownDen())),
    S('post', R, 400, PROBLEM, 'no reason', async () => retractAs('CN-MPS', await ownDen(), { reason: ' ' }), { code: ErrorCode.BAD_USER_INPUT }),
    S('post', R, 401, PROBLEM, 'no token', () => postJson(`/v1/records/${NO_REQUEST}/retraction`, { reason: 'x' }, null), { code: ErrorCode.UNAUTHENTICATED }),
    S('post', R, 403, PROBLEM, 'a token without records:submit', () => retractAs('CN-MPS', NO_REQUEST, undefined, 'records:read'), { code: ErrorCode.FORBIDDEN }),
    S('post', R, 404, PROBLEM, "another agency's record", async () => retractAs('DE-BKA', await ownDen()), { code: ErrorCode.NOT_FOUND }),
    S('post', R, 409, PROBLEM, 'a record already retracted', async () => {
      const id = await ownDen();
      expect((await retractAs('CN-MPS', id)).status).toBe(200);
      return retractAs('CN-MPS', id);
    }, { code: ErrorCode.CONFLICT }),
  ];
}

function matchingScenarios(): Scenario[] {
  const R = '/v1/disclosure-requests';
  return [
    S('post', '/v1/matches', 200, JSON_MT, 'a hit on another agency\'s RED suspect', () => matchAs('ES-PN')),
    S('post', '/v1/matches', 400, PROBLEM, 'no purpose', () => matchAs('ES-PN', { identifiers: matchBody.identifiers, purpose: ' ' }), { code: ErrorCode.BAD_USER_INPUT }),
    S('post', '/v1/matches', 401, PROBLEM, 'no token', () => postJson('/v1/matches', matchBody, null), { code: ErrorCode.UNAUTHENTICATED }),
    S('post', '/v1/matches', 403, PROBLEM, 'a token without match:query', () => matchAs('ES-PN', matchBody, 'records:read'), { code: ErrorCode.FORBIDDEN }),
    S('post', '/v1/matches', 429, PROBLEM, 'an agency whose daily quota is used up', async () => {
      await gw.db.prisma.agency.update({ where: { id: agencies['PH-NBI']!.id }, data: { matchQuotaPerDay: 0 } });
      return matchAs('PH-NBI');
    }, { code: ErrorCode.RATE_LIMITED }),
    S('post', R, 201, JSON_MT, 'a request with a fresh hitRef', async () => requestAs('ES-PN', await disclosureBody())),
    S('post', R, 200, JSON_MT, 'the same hitRef again', async () => {
      const body = await disclosureBody();
      expect((await requestAs('ES-PN', body)).status).toBe(201);
      return requestAs('ES-PN', body);
    }),
    S('post', R, 400, PROBLEM, 'no legal basis', async () => requestAs('ES-PN', { ...(await disclosureBody()), legalBasis: '' }), { code: ErrorCode.BAD_USER_INPUT }),
    S('post', R, 401, PROBLEM, 'no token', async () => postJson(R, await disclosureBody(), null), { code: ErrorCode.UNAUTHENTICATED }),
    S('post', R, 403, PROBLEM, 'a token without match:query', async () => requestAs('ES-PN', await disclosureBody(), 'records:read'), { code: ErrorCode.FORBIDDEN }),
    S('post', R, 404, PROBLEM, "another agency's hitRef", async () => requestAs('DE-BKA', await disclosureBody()), { code: ErrorCode.NOT_FOUND }),
    S('get', R, 200, JSON_MT, "the owner's incoming requests", async () => {
      await pendingRequest();
      return readAs('CN-MPS', `${R}?direction=incoming`);
    }),
    S('get', R, 400, PROBLEM, 'an unknown direction', () => readAs('CN-MPS', `${R}?direction=sideways`), { code: ErrorCode.BAD_USER_INPUT }),
    S('get', R, 401, PROBLEM, 'no token', () => get(`${R}?direction=incoming`), { code: ErrorCode.UNAUTHENTICATED }),
    S('get', R, 403, PROBLEM, 'a token without records:read', () => readAs('CN-MPS', `${R}?direction=incoming`, 'match:query'), { code: ErrorCode.FORBIDDEN }),
    S('get', `${R}/{id}`, 200, JSON_MT, 'the requester reads an approved request, record included', async () => {
      const res = await readAs('ES-PN', `${R}/${await approvedRequest()}`);
      const body = (await res.clone().json()) as { record?: { sourceRef: string } };
      expect(body.record?.sourceRef).toBe('S-GOVERNED');
      return res;
    }),
    S('get', `${R}/{id}`, 401, PROBLEM, 'no token', () => get(`${R}/${NO_REQUEST}`), { code: ErrorCode.UNAUTHENTICATED }),
    S('get', `${R}/{id}`, 403, PROBLEM, 'a token without records:read', () => readAs('ES-PN', `${R}/${NO_REQUEST}`, 'match:query'), { code: ErrorCode.FORBIDDEN }),
    S('get', `${R}/{id}`, 404, PROBLEM, 'a request of other agencies', async () => readAs('DE-BKA', `${R}/${await pendingRequest()}`), { code: ErrorCode.NOT_FOUND }),
    S('post', `${R}/{id}/decision`, 200, JSON_MT, 'the owner approves', async () => decideAs('CN-MPS', await pendingRequest())),
    S('post', `${R}/{id}/decision`, 400, PROBLEM, 'an unknown decision', async () => decideAs('CN-MPS', await pendingRequest(), { decision: 'MAYBE', reason: 'x' }), {
      code: ErrorCode.BAD_USER_INPUT,
    }),
    S('post', `${R}/{id}/decision`, 401, PROBLEM, 'no token', () => postJson(`${R}/${NO_REQUEST}/decision`, { decision: 'DENY', reason: 'x' }, null), { code: ErrorCode.UNAUTHENTICATED }),
    S('post', `${R}/{id}/decision`, 403, PROBLEM, 'a token without records:submit', () => decideAs('CN-MPS', NO_REQUEST, undefined, 'records:read'), { code: ErrorCode.FORBIDDEN }),
    S('post', `${R}/{id}/decision`, 404, PROBLEM, 'the requester tries to decide', async () => decideAs('ES-PN', await pendingRequest()), { code: ErrorCode.NOT_FOUND }),
    S('post', `${R}/{id}/decision`, 409, PROBLEM, 'a request already decided', async () => decideAs('CN-MPS', await approvedRequest()), { code: ErrorCode.CONFLICT }),
    S('post', `${R}/{id}/revocation`, 200, JSON_MT, 'the owner revokes an approval', async () => revokeAs('CN-MPS', await approvedRequest())),
    S('post', `${R}/{id}/revocation`, 401, PROBLEM, 'no token', () => postJson(`${R}/${NO_REQUEST}/revocation`, {}, null), { code: ErrorCode.UNAUTHENTICATED }),
    S('post', `${R}/{id}/revocation`, 403, PROBLEM, 'a token without records:submit', () => revokeAs('CN-MPS', NO_REQUEST, 'records:read'), { code: ErrorCode.FORBIDDEN }),
    S('post', `${R}/{id}/revocation`, 404, PROBLEM, 'another agency', async () => revokeAs('DE-BKA', await approvedRequest()), { code: ErrorCode.NOT_FOUND }),
    S('post', `${R}/{id}/revocation`, 409, PROBLEM, 'a request still pending', async () => revokeAs('CN-MPS', await pendingRequest()), { code: ErrorCode.CONFLICT }),
  ];
}

const watchBody = { identifiers: [{ type: 'EMAIL', value: 'contract-watch@example.org' }], purpose: 'contract: case 2026/8' };
const watchAs = async (code: string, body: unknown = watchBody, scope?: string) => postJson('/v1/watches', body, await bearer(agencies[code]!, scope));
const cancelAs = async (code: string | null, id: string, scope?: string) =>
  gw.app.fetch(new Request(`${BASE}/v1/watches/${id}`, { method: 'DELETE', headers: code ? { authorization: await bearer(agencies[code]!, scope) } : {} }));

/** A fresh watch of ES-PN; its id. */
async function esWatch(): Promise<string> {
  const res = await watchAs('ES-PN');
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

function watchScenarios(): Scenario[] {
  const W = '/v1/watches';
  return [
    S('post', W, 201, JSON_MT, 'a watch of one identifier', () => watchAs('ES-PN')),
    S('post', W, 400, PROBLEM, 'until more than 90 days ahead', () => watchAs('ES-PN', { ...watchBody, until: '2099-01-01T00:00:00Z' }), { code: ErrorCode.BAD_USER_INPUT }),
    S('post', W, 401, PROBLEM, 'no token', () => postJson(W, watchBody, null), { code: ErrorCode.UNAUTHENTICATED }),
    S('post', W, 403, PROBLEM, 'a token without match:query', () => watchAs('ES-PN', watchBody, 'records:read'), { code: ErrorCode.FORBIDDEN }),
    S('post', W, 429, PROBLEM, 'an agency whose daily quota is used up', async () => {
      await gw.db.prisma.agency.update({ where: { id: agencies['PH-NBI']!.id }, data: { matchQuotaPerDay: 0 } });
      return watchAs('PH-NBI');
    }, { code: ErrorCode.RATE_LIMITED }),
    S('get', W, 200, JSON_MT, "the agency's own watches", async () => {
      await esWatch();
      return readAs('ES-PN', `${W}?first=5`);
    }),
    S('get', W, 400, PROBLEM, 'a page size out of range', () => readAs('ES-PN', `${W}?first=500`), { code: ErrorCode.BAD_USER_INPUT }),
    S('get', W, 401, PROBLEM, 'no token', () => get(W), { code: ErrorCode.UNAUTHENTICATED }),
    S('get', W, 403, PROBLEM, 'a token without match:query', () => readAs('ES-PN', W, 'records:read'), { code: ErrorCode.FORBIDDEN }),
    S('delete', `${W}/{id}`, 200, JSON_MT, 'the watching agency cancels', async () => cancelAs('ES-PN', await esWatch())),
    S('delete', `${W}/{id}`, 401, PROBLEM, 'no token', () => cancelAs(null, NO_REQUEST), { code: ErrorCode.UNAUTHENTICATED }),
    S('delete', `${W}/{id}`, 403, PROBLEM, 'a token without match:query', () => cancelAs('ES-PN', NO_REQUEST, 'records:read'), { code: ErrorCode.FORBIDDEN }),
    S('delete', `${W}/{id}`, 404, PROBLEM, "another agency's watch", async () => cancelAs('DE-BKA', await esWatch()), { code: ErrorCode.NOT_FOUND }),
  ];
}
