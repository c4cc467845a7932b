// Fixtures of the OAuth tests: client assertions (minted by the partner tooling), token
// requests against a test gateway in-process, and DPoP proofs made with jose.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { mintToken } from '../../api/auth/keys.ts';
import { accessTokenHash } from '../../api/auth/dpop.ts';
import { JWT_BEARER_ASSERTION } from '../../api/rest/oauth.ts';
import { freePort } from '../../api/server.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

export const tokenEndpointOf = (gw: TestGateway) => `${gw.config.issuer}/oauth/token`;

export function assertionFor(
  gw: TestGateway,
  agency: TestAgency,
  options: { aud?: string; sub?: string; ttlSeconds?: number; jti?: string; actor?: string } = {},
): Promise<string> {
  return mintToken({
    privateJwk: agency.privateJwk,
    iss: agency.code,
    sub: options.sub ?? agency.code,
    aud: options.aud ?? tokenEndpointOf(gw),
    scope: [],
    now: gw.clock.now,
    ttlSeconds: options.ttlSeconds ?? 60,
    ...(options.jti === undefined ? {} : { jti: options.jti }),
    ...(options.actor === undefined ? {} : { actor: options.actor }),
  });
}

export type TokenAnswer = { status: number; headers: Headers; body: Record<string, any> };

/** POST /oauth/token in-process with the given form (a string is sent as it is). */
export async function requestToken(
  gw: TestGateway,
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<TokenAnswer> {
  const response = await gw.app.fetch(
    new Request('http://gateway.test/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
    }),
  );
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

export async function clientCredentials(
  gw: TestGateway,
  agency: TestAgency,
  extra: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<TokenAnswer> {
  return requestToken(
    gw,
    {
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER_ASSERTION,
      client_assertion: await assertionFor(gw, agency),
      ...extra,
    },
    headers,
  );
}

export const ME = '{ me { subject scopes agency { code } } }';

/** A GraphQL request in-process with the given Authorization (and DPoP) headers. */
export async function gqlWith(gw: TestGateway, headers: Record<string, string>, query = ME) {
  const response = await gw.app.fetch(
    new Request('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    }),
  );
  const body = (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, headers: response.headers, ...body };
}

export type DpopKey = { privateKey: CryptoKey; publicJwk: JWK };

export async function dpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

/** A DPoP proof for one request (RFC 9449 §4.2); `accessToken` adds `ath`. */
export function dpopProof(
  key: DpopKey,
  claims: { htm: string; htu: string; iat: Date; accessToken?: string; jti?: string },
): Promise<string> {
  return new SignJWT({
    htm: claims.htm,
    htu: claims.htu,
    ...(claims.accessToken === undefined ? {} : { ath: accessTokenHash(claims.accessToken) }),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk })
    .setIssuedAt(Math.floor(claims.iat.getTime() / 1000))
    .setJti(claims.jti ?? randomUUID())
    .sign(key.privateKey);
}

/** A test gateway listening on loopback whose issuer is the URL it listens on. */
export async function createLiveGateway(): Promise<{ gw: TestGateway; url: string }> {
  const port = await freePort('127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const gw = await createTestGateway({ port, issuer: url });
  await gw.app.fastify.listen({ host: '127.0.0.1', port });
  return { gw, url };
}
