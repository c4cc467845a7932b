// A standard OAuth client library against a live gateway on loopback: openid-client 6 discovers
// the authorization-server metadata, authenticates with private_key_jwt, and uses one access
// token for GraphQL requests in a row, as a Bearer token and DPoP-bound. Then the project's own
// fetchAccessToken (for `liaison token --oauth`) does the same. openid-client signs with the
// real clock, so the gateway's injected clock follows it here.
import { importJWK, type CryptoKey } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAccessToken, OAuthClientError } from '../../api/auth/oauth-client.ts';
import { registerAgency } from '../../api/agencies.ts';
import { generateAgencyKeyPair, type AgencyKeyPair } from '../../api/auth/keys.ts';
import { SCOPES } from '../../kernel/scopes.ts';
import type { TestGateway } from '../helpers/app.ts';
import { createLiveGateway } from './oauth-support.ts';

let gw: TestGateway;
let url: string;
let esPn: Client;

type Client = { code: string; privateJwk: AgencyKeyPair['privateJwk'] };

beforeAll(async () => {
  ({ gw, url } = await createLiveGateway());
  Object.defineProperty(gw.clock, 'now', { get: () => new Date() });
  // ES256: openid-client names an Ed25519 key's algorithm "Ed25519" (RFC 9864), which the
  // gateway's allow-list (EdDSA, ES256, ES384, PS256) does not take; docs/access-tokens.md says so.
  const pair = await generateAgencyKeyPair({ kid: 'es-pn-es256', alg: 'ES256' });
  await registerAgency(gw.db.prisma, { code: 'ES-PN', name: 'Policía Nacional', country: 'ES', jwks: pair.jwks, scopes: [...SCOPES] });
  esPn = { code: 'ES-PN', privateJwk: pair.privateJwk };
});
afterAll(async () => gw?.close());

const ME = JSON.stringify({ query: '{ me { subject scopes agency { code } } }' });
const JSON_HEADERS = () => new Headers({ 'content-type': 'application/json' });

async function discover(agency: Client): Promise<client.Configuration> {
  const key = (await importJWK(agency.privateJwk, agency.privateJwk.alg)) as CryptoKey;
  return client.discovery(new URL(url), agency.code, undefined, client.PrivateKeyJwt({ key, kid: agency.privateJwk.kid }), {
    algorithm: 'oauth2',
    execute: [client.allowInsecureRequests],
  });
}

describe('openid-client 6 (discovery, client_credentials, private_key_jwt)', () => {
  it('obtains a Bearer access token and uses it for two GraphQL requests in a row', async () => {
    const config = await discover(esPn);
    expect(config.serverMetadata().token_endpoint).toBe(`${url}/oauth/token`);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'records:read match:query' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expiresIn()).toBeGreaterThan(0);

    for (let i = 0; i < 2; i += 1) {
      const response = await client.fetchProtectedResource(config, tokens.access_token, new URL('/graphql', url), 'POST', ME, JSON_HEADERS());
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: { me: { agency: { code: string }; scopes: string[] } } };
      expect(body.data.me.agency.code).toBe('ES-PN');
      expect(body.data.me.scopes).toEqual(['records:read', 'match:query']);
    }
  });

  it('obtains a DPoP-bound token (getDPoPHandle) and uses it for two GraphQL requests in a row', async () => {
    const config = await discover(esPn);
    const dpop = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const tokens = await client.clientCredentialsGrant(config, { scope: 'records:read' }, { DPoP: dpop });
    expect(tokens.token_type.toLowerCase()).toBe('dpop');

    for (let i = 0; i < 2; i += 1) {
      const response = await client.fetchProtectedResource(config, tokens.access_token, new URL('/graphql', url), 'POST', ME, JSON_HEADERS(), { DPoP: dpop });
      expect(response.status).toBe(200);
    }
    // Without the proof the stolen token is worthless.
    const stolen = await fetch(new URL('/graphql', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.access_token}` },
      body: ME,
    });
    expect(stolen.status).toBe(401);
  });
});

describe('fetchAccessToken (for the CLI)', () => {
  it('mints the assertion with the agency key and returns a reusable token', async () => {
    const token = await fetchAccessToken({ url, agency: 'ES-PN', privateJwk: esPn.privateJwk, scope: 'records:read', subject: 'officer-9' });
    expect(token).toMatchObject({ tokenType: 'Bearer', expiresIn: 300, scope: 'records:read' });
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token.accessToken}` },
        body: ME,
      });
      const body = (await response.json()) as { data: { me: { subject: string } } };
      expect(body.data.me.subject).toBe('officer-9');
    }
  });

  it('reports a refusal with the OAuth error code', async () => {
    const refused = fetchAccessToken({ url, agency: 'ES-PN', privateJwk: esPn.privateJwk, scope: 'no-such-scope' });
    await expect(refused).rejects.toBeInstanceOf(OAuthClientError);
    await expect(refused).rejects.toMatchObject({ code: 'invalid_scope', status: 400 });
  });

  it('says which URL it could not reach', async () => {
    await expect(fetchAccessToken({ url: 'http://127.0.0.1:9', agency: 'ES-PN', privateJwk: esPn.privateJwk })).rejects.toMatchObject({
      code: 'unreachable',
      message: expect.stringContaining('http://127.0.0.1:9/.well-known/oauth-authorization-server'),
    });
  });
});
