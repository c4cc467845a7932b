// POST /oauth/token (RFC 6749 §4.4 + RFC 7523 private_key_jwt) and the access tokens it issues:
// the assertion obeys the partner-token rules with aud = the token endpoint; the access token is
// gateway-signed, reusable until it expires, and stops working at once when the agency is
// suspended or the key that signed the assertion is removed.
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../kernel/config.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { assertionFor, clientCredentials, gqlWith, ME, requestToken, tokenEndpointOf } from './oauth-support.ts';
import { JWT_BEARER_ASSERTION } from '../../api/rest/oauth.ts';
import { deriveAccessTokenKey, issueAccessToken } from '../../api/auth/access-token.ts';

let gw: TestGateway;
let esPn: TestAgency;
let nl: TestAgency;

beforeAll(async () => {
  gw = await createTestGateway();
  esPn = await gw.addAgency('ES-PN');
  nl = await gw.addAgency('NL-POLITIE', { scopes: ['records:read', 'match:query'] });
});
afterAll(async () => gw?.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('authorization-server metadata', () => {
  it('publishes the issuer, the token endpoint, private_key_jwt and the algorithms (RFC 8414)', async () => {
    const response = await gw.app.fetch(new Request('http://gateway.test/.well-known/oauth-authorization-server'));
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: gw.config.issuer,
      token_endpoint: tokenEndpointOf(gw),
      jwks_uri: `${gw.config.issuer}/oauth/jwks.json`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['EdDSA', 'ES256', 'ES384', 'PS256'],
      dpop_signing_alg_values_supported: ['EdDSA', 'ES256', 'ES384', 'PS256'],
    });
    expect(metadata.scopes_supported).toContain('records:read');
  });
});

describe('issuing an access token', () => {
  it('answers an RFC 6749 §5.1 token response, not cacheable, with a gateway-signed at+jwt', async () => {
    const answer = await clientCredentials(gw, esPn);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'records:read records:submit match:query operations:manage admin' });

    const token = answer.body.access_token as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    const jwks = (await (await gw.app.fetch(new Request('http://gateway.test/oauth/jwks.json'))).json()) as { keys: [] };
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { currentDate: gw.clock.now });
    const iat = Math.floor(gw.clock.now.getTime() / 1000);
    expect(payload).toMatchObject({ iss: gw.config.issuer, aud: gw.config.audience, sub: 'ES-PN', client_id: 'ES-PN', iat, exp: iat + 300 });
    expect(typeof payload.jti).toBe('string');
  });

  it('accepts the issuer identifier as the assertion audience too (RFC 7523 §3)', async () => {
    const assertion = await assertionFor(gw, esPn, { aud: gw.config.issuer });
    const answer = await requestToken(gw, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion, client_id: 'ES-PN' });
    expect(answer.status).toBe(200);
  });

  it('narrows the token to the requested scopes', async () => {
    const answer = await clientCredentials(gw, esPn, { scope: 'records:read' });
    expect(answer.body.scope).toBe('records:read');
    const me = await gqlWith(gw, bearer(answer.body.access_token));
    expect(me.data.me.scopes).toEqual(['records:read']);
  });

  it('keeps the officer named by act.sub as the subject', async () => {
    const assertion = await assertionFor(gw, esPn, { actor: 'officer-12' });
    const answer = await requestToken(gw, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion });
    const me = await gqlWith(gw, bearer(answer.body.access_token));
    expect(me.data.me).toMatchObject({ subject: 'officer-12', agency: { code: 'ES-PN' } });
  });

  it('writes the issue to the audit log', async () => {
    const answer = await clientCredentials(gw, nl);
    const jti = (JSON.parse(Buffer.from(answer.body.access_token.split('.')[1], 'base64url').toString()) as { jti: string }).jti;
    const event = await gw.db.prisma.auditEvent.findFirst({ where: { action: 'oauth.token', target: jti } });
    expect(event).toMatchObject({ agencyCode: 'NL-POLITIE', outcome: 'ok' });
  });

  it('names the issuer from LIAISON_ISSUER, else from the port the gateway is given (also by --port)', () => {
    expect(loadConfig({ LIAISON_ISSUER: 'https://liaison.example.org/' }).issuer).toBe('https://liaison.example.org');
    expect(loadConfig({ PORT: '5317' }).issuer).toBe('http://127.0.0.1:5317');
    expect(loadConfig({}, { port: 6001 }).issuer).toBe('http://127.0.0.1:6001');
    expect(() => loadConfig({ LIAISON_ISSUER: 'https://liaison.example.org/?x=1' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    // An audience equal to the issuer would let a client assertion pass as a direct token.
    expect(() => loadConfig({ LIAISON_ISSUER: 'https://liaison.example.org', LIAISON_AUDIENCE: 'https://liaison.example.org' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('uses LIAISON_ACCESS_TOKEN_TTL for the lifetime, and refuses more than an hour', () => {
    expect(loadConfig({ LIAISON_ACCESS_TOKEN_TTL: '900' }).accessTokenTtlSeconds).toBe(900);
    expect(() => loadConfig({ LIAISON_ACCESS_TOKEN_TTL: '7200' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('refusals of the token endpoint (RFC 6749 §5.2)', () => {
  const form = async (extra: Record<string, string> = {}, agency = esPn) => ({
    grant_type: 'client_credentials',
    client_assertion_type: JWT_BEARER_ASSERTION,
    client_assertion: await assertionFor(gw, agency),
    ...extra,
  });

  it.each([
    ['no grant_type', async () => { const f = await form(); delete (f as Partial<typeof f>).grant_type; return f; }, 400, 'invalid_request'],
    ['another grant type', () => form({ grant_type: 'password' }), 400, 'unsupported_grant_type'],
    ['no client assertion', async () => ({ grant_type: 'client_credentials' }), 401, 'invalid_client'],
    ['another assertion type', () => form({ client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' }), 401, 'invalid_client'],
    ['a client_id that is not the assertion issuer', () => form({ client_id: 'NL-POLITIE' }), 401, 'invalid_client'],
    ['an unknown scope', () => form({ scope: 'records:read records:everything' }), 400, 'invalid_scope'],
  ])('%s → %i %s', async (_name, build, status, error) => {
    const answer = await requestToken(gw, await build());
    expect(answer.status).toBe(status);
    expect(answer.body.error).toBe(error);
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a scope the agency is not allowed', async () => {
    const answer = await requestToken(gw, await form({ scope: 'admin' }, nl));
    expect([answer.status, answer.body.error]).toEqual([400, 'invalid_scope']);
  });

  it('refuses a repeated parameter and a body that is not a form', async () => {
    const repeated = new URLSearchParams(await form());
    repeated.append('grant_type', 'client_credentials');
    expect((await requestToken(gw, repeated.toString())).body.error).toBe('invalid_request');
    const json = await gw.app.fetch(
      new Request('http://gateway.test/oauth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(await form()) }),
    );
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe('invalid_request');
  });

  it.each([
    ['aimed at the gateway audience (a direct token)', { aud: 'liaison-gateway' }],
    ['whose sub is not the client (RFC 7523 §3)', { sub: 'officer-7' }],
  ])('refuses an assertion %s', async (_name, options) => {
    const assertion = await assertionFor(gw, esPn, options);
    const answer = await requestToken(gw, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion });
    expect([answer.status, answer.body.error]).toEqual([401, 'invalid_client']);
  });

  it('refuses a replayed assertion: its jti is single-use like a direct token', async () => {
    const assertion = await assertionFor(gw, esPn);
    const f = { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion };
    expect((await requestToken(gw, f)).status).toBe(200);
    const again = await requestToken(gw, f);
    expect([again.status, again.body.error]).toEqual([401, 'invalid_client']);
  });

  it('refuses an access token offered as a client assertion', async () => {
    const accessToken = (await clientCredentials(gw, esPn)).body.access_token as string;
    const answer = await requestToken(gw, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: accessToken });
    expect(answer.body.error).toBe('invalid_client');
  });

  it('audits a refusal', async () => {
    await requestToken(gw, { grant_type: 'client_credentials' });
    const denied = await gw.db.prisma.auditEvent.findFirst({ where: { action: 'oauth.token', outcome: 'denied' }, orderBy: { seq: 'desc' } });
    expect(denied?.detail).toMatchObject({ error: 'invalid_client' });
  });
});

describe('using an access token', () => {
  it('is accepted for many requests until it expires (GraphQL and REST)', async () => {
    const token = (await clientCredentials(gw, esPn)).body.access_token as string;
    for (let i = 0; i < 3; i += 1) {
      const me = await gqlWith(gw, bearer(token));
      expect(me.status).toBe(200);
      expect(me.data.me.agency.code).toBe('ES-PN');
    }
    // An authenticated read of an unknown submission is 404, not 401.
    const rest = await gw.app.fetch(new Request('http://gateway.test/v1/submissions/00000000-0000-4000-8000-000000000000', { headers: bearer(token) }));
    expect(rest.status).toBe(404);
  });

  it('is refused once expired', async () => {
    const token = (await clientCredentials(gw, esPn)).body.access_token as string;
    const issuedAt = gw.clock.now;
    try {
      gw.clock.now = new Date(issuedAt.getTime() + 299_000);
      expect((await gqlWith(gw, bearer(token))).status).toBe(200);
      gw.clock.now = new Date(issuedAt.getTime() + (300 + gw.config.tokens.clockToleranceSeconds + 1) * 1000);
      const late = await gqlWith(gw, bearer(token));
      expect(late.status).toBe(401);
      expect(late.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      gw.clock.now = issuedAt;
    }
  });

  it('stops working at once when the agency is suspended, and works again when it is reactivated', async () => {
    const agency = await gw.addAgency('BE-FP');
    const token = (await clientCredentials(gw, agency)).body.access_token as string;
    expect((await gqlWith(gw, bearer(token))).status).toBe(200);
    await gw.db.prisma.agency.update({ where: { code: 'BE-FP' }, data: { status: 'SUSPENDED' } });
    expect((await gqlWith(gw, bearer(token))).status).toBe(401);
    await gw.db.prisma.agency.update({ where: { code: 'BE-FP' }, data: { status: 'ACTIVE' } });
    expect((await gqlWith(gw, bearer(token))).status).toBe(200);
  });

  it('stops working at once when the key that signed its assertion is removed', async () => {
    const agency = await gw.addAgency('FR-PN');
    const token = (await clientCredentials(gw, agency)).body.access_token as string;
    expect((await gqlWith(gw, bearer(token))).status).toBe(200);
    await gw.db.prisma.agencyKey.deleteMany({ where: { agencyId: agency.id } });
    expect((await gqlWith(gw, bearer(token))).status).toBe(401);
  });

  it('follows the agency scopes of today: a scope taken away is gone from the token', async () => {
    const agency = await gw.addAgency('PT-PJ', { scopes: ['records:read', 'match:query'] });
    const token = (await clientCredentials(gw, agency)).body.access_token as string;
    await gw.db.prisma.agency.update({ where: { code: 'PT-PJ' }, data: { scopes: ['records:read'] } });
    expect((await gqlWith(gw, bearer(token))).data.me.scopes).toEqual(['records:read']);
  });

  it('is refused when altered, when signed by another gateway, or when sent in the DPoP scheme unbound', async () => {
    const token = (await clientCredentials(gw, esPn)).body.access_token as string;
    const [h, p, s] = token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'NL-POLITIE' })).toString('base64url')}.${s}`;
    expect((await gqlWith(gw, bearer(forged))).status).toBe(401);

    // Signed by another key that claims the gateway's kid.
    const gatewayKid = decodeProtectedHeader(token).kid!;
    const otherKey = { ...(await deriveAccessTokenKey('another-deployment-secret-0123456789abcdef')), kid: gatewayKid };
    const foreign = await issueAccessToken(otherKey, { agencyCode: 'ES-PN', scopes: ['admin'], assertionKid: 'es-pn-1' }, { config: gw.config, now: gw.clock.now });
    expect((await gqlWith(gw, bearer(foreign.token))).status).toBe(401);

    const unbound = await gqlWith(gw, { authorization: `DPoP ${token}` });
    expect(unbound.status).toBe(401);
    expect(unbound.headers.get('www-authenticate')).toMatch(/^DPoP /);
  });

  it('leaves direct partner tokens as they were: accepted once, refused when replayed', async () => {
    const direct = await esPn.token();
    expect((await gqlWith(gw, bearer(direct))).status).toBe(200);
    expect((await gqlWith(gw, bearer(direct))).status).toBe(401);
    expect((await gqlWith(gw, bearer(await esPn.token()), ME)).data.me.subject).toBe('officer-7');
  });

  it('audits each use under the agency, like a direct token', async () => {
    const token = (await clientCredentials(gw, nl)).body.access_token as string;
    const before = await gw.db.prisma.auditEvent.count({ where: { agencyCode: 'NL-POLITIE', action: 'graphql.query' } });
    await gqlWith(gw, bearer(token));
    await gqlWith(gw, bearer(token));
    expect(await gw.db.prisma.auditEvent.count({ where: { agencyCode: 'NL-POLITIE', action: 'graphql.query' } })).toBe(before + 2);
  });
});
