// Shared fixtures of the auth tests: a fixed clock, agencies with registered keys, tokens
// built with jose (valid ones and deliberately broken ones), and assertions on error codes.
import { constants, createPrivateKey, randomUUID, sign as nodeSign } from 'node:crypto';
import { CompactSign, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, expect } from 'vitest';
import { loadConfig, type Config } from '../../kernel/config.ts';
import { isLiaisonError, type ErrorCode } from '../../kernel/errors.ts';
import { AUTH_REASONS, type AuthReason } from '../../api/auth/auth-errors.ts';
import { generateAgencyKeyPair, type AgencyKeyPair } from '../../api/auth/keys.ts';
import type { AllowedAlg } from '../../api/auth/key-policy.ts';
import { SCOPES } from '../../kernel/scopes.ts';
import { createTokenVerifier, type TokenVerifier } from '../../api/auth/verify-token.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

export const NOW = new Date('2026-11-29T12:00:00.000Z');
export const NOW_S = Math.floor(NOW.getTime() / 1000);
export const config: Config = loadConfig({});
export const AUDIENCE = config.audience;

/** A database for this test file and a verifier over it at the fixed clock (filled in beforeAll). */
export function useVerifierDatabase(): { db: TestDatabase; verifier: TokenVerifier } {
  const context = {} as { db: TestDatabase; verifier: TokenVerifier };
  beforeAll(async () => {
    context.db = await createTestDatabase();
    context.verifier = createTokenVerifier({ prisma: context.db.prisma, config, now: () => NOW });
  });
  afterAll(async () => {
    await context.db?.close();
  });
  return context;
}

export type Agency = { id: string; code: string; pair: AgencyKeyPair };

export async function registerAgency(
  prisma: PrismaClient,
  {
    code,
    alg = 'EdDSA',
    kid = `${code.toLowerCase()}-1`,
    status = 'ACTIVE',
    scopes = [...SCOPES],
    jwksUri,
    withKeyRow = true,
  }: {
    code: string;
    alg?: AllowedAlg;
    kid?: string;
    status?: 'ACTIVE' | 'SUSPENDED';
    scopes?: string[];
    jwksUri?: string;
    withKeyRow?: boolean;
  },
): Promise<Agency> {
  const pair = await generateAgencyKeyPair({ kid, alg });
  const agency = await prisma.agency.create({
    data: { code, name: `Agency ${code}`, country: code.slice(0, 2), status, scopes, jwksUri: jwksUri ?? null },
  });
  if (withKeyRow) await addKeyRow(prisma, agency.id, pair.publicJwk);
  return { id: agency.id, code, pair };
}

/** Stores a JWK as-is, bypassing registration validation (as a forced DB edit would). */
export async function addKeyRow(prisma: PrismaClient, agencyId: string, jwk: Record<string, unknown>, kid?: string) {
  await prisma.agencyKey.create({
    data: {
      agencyId,
      kid: kid ?? String(jwk.kid),
      alg: String(jwk.alg),
      jwk: jwk as never,
    },
  });
}

export type Claims = Record<string, unknown>;

export function validClaims(agency: { code: string }, overrides: Claims = {}): Claims {
  return {
    iss: agency.code,
    sub: 'officer-4711',
    aud: AUDIENCE,
    iat: NOW_S,
    exp: NOW_S + 120,
    jti: randomUUID(),
    scope: 'records:read match:query',
    ...overrides,
  };
}

const b64 = (v: string | Uint8Array) => Buffer.from(v).toString('base64url');

/** A compact JWS over any payload bytes, signed with the given private JWK. */
export async function signRaw(
  privateJwk: JWK,
  header: Record<string, unknown>,
  payload: string | Uint8Array,
): Promise<string> {
  const key = await importJWK(privateJwk, String(header.alg ?? privateJwk.alg));
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return new CompactSign(bytes).setProtectedHeader(header as never).sign(key);
}

/**
 * A token for `agency` with the given claim and header overrides (undefined removes a member),
 * signed with its key (or `key`).
 */
export async function tokenFor(
  agency: Agency,
  { claims = {}, header = {}, key }: { claims?: Claims; header?: Record<string, unknown>; key?: JWK } = {},
): Promise<string> {
  const signer = key ?? agency.pair.privateJwk;
  const h = dropUndefined({ alg: signer.alg, kid: signer.kid, typ: 'JWT', ...header });
  const c = dropUndefined(validClaims(agency, claims));
  return signRaw(signer, h, JSON.stringify(c));
}

const dropUndefined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/**
 * A compact JWS assembled and signed by hand with node:crypto, for headers jose refuses to
 * produce (bad crit, b64 false). The payload segment is used as given.
 */
export function signByHand(privateJwk: JWK, header: Record<string, unknown>, payloadSegment: string): string {
  const input = `${b64(JSON.stringify(header))}.${payloadSegment}`;
  const key = createPrivateKey({ key: privateJwk as never, format: 'jwk' });
  const data = Buffer.from(input);
  const signature =
    privateJwk.alg === 'EdDSA'
      ? nodeSign(null, data, key)
      : privateJwk.alg === 'PS256'
        ? nodeSign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
        : nodeSign(privateJwk.alg === 'ES384' ? 'sha384' : 'sha256', data, { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${b64(signature)}`;
}

/** An unsigned token assembled by hand (alg none and friends). */
export const handMade = (header: unknown, payload: unknown, signature = '') =>
  `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}.${signature}`;

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Awaits a rejection and checks its code (and its log reason, the precise internal cause, when
 * given): never message text. Returns the public `reason` too.
 */
export async function expectAuthError(
  promise: Promise<unknown>,
  code: ErrorCode,
  logReason?: string | RegExp,
): Promise<{ code: string; reason: string | undefined; logReason: string | undefined; headers: Record<string, string> }> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a rejection').toBeDefined();
  if (!isLiaisonError(caught)) throw new Error(`not a LiaisonError: ${String(caught)}`);
  expect(caught.code).toBe(code);
  if (typeof logReason === 'string') expect(caught.logReason).toBe(logReason);
  else if (logReason) expect(caught.logReason).toMatch(logReason);
  return { code: caught.code, reason: caught.reason, logReason: caught.logReason, headers: caught.headers };
}

/** A 401 with one of the public reasons, named in the challenge as its error_description. */
export const expectUnauthenticated = async (promise: Promise<unknown>, logReason?: string | RegExp) => {
  const error = await expectAuthError(promise, 'UNAUTHENTICATED', logReason);
  expect(Object.keys(AUTH_REASONS)).toContain(error.reason);
  expect(error.headers['WWW-Authenticate']).toBe(
    `Bearer error="invalid_token", error_description="${AUTH_REASONS[error.reason as AuthReason]}"`,
  );
  return error;
};

/** A 401 whose public reason is `reason` (what the caller reads), whatever the internal cause. */
export const expectRefusedFor = async (promise: Promise<unknown>, reason: AuthReason) => {
  const error = await expectAuthError(promise, 'UNAUTHENTICATED');
  expect(error.reason).toBe(reason);
  return error;
};

/** A client that records every operation's arguments, to prove what reaches the database. */
export function spyOnQueries(prisma: PrismaClient): { prisma: PrismaClient; seen: string[] } {
  const seen: string[] = [];
  const spied = prisma.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        seen.push(`${model ?? '$raw'}.${operation} ${JSON.stringify(args, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
        return query(args);
      },
    },
  });
  return { prisma: spied as unknown as PrismaClient, seen };
}

export type Stub = { url: string; requests: string[]; close(): Promise<void> };

/** A loopback HTTP server that records each request path (JWKS stubs and canaries). */
export async function startStub(
  handler: (path: string, res: import('node:http').ServerResponse) => void = (_p, res) => res.end('{}'),
): Promise<Stub> {
  const { createServer } = await import('node:http');
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req.url ?? '', res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
