// Access tokens of an agency whose keys are served by its own jwksUri (not stored rows): the
// assertion is verified against the remote set, and each use of the access token finds the
// assertion's key there again; once the agency no longer serves it (after a refetch), the token
// is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveAccessTokenKey, issueAccessToken, withAccessTokens } from '../../api/auth/access-token.ts';
import { mintToken } from '../../api/auth/keys.ts';
import { createTokenVerifier } from '../../api/auth/verify-token.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, config, expectAuthError, NOW, registerAgency, startStub, type Agency, type Stub } from './support.ts';

let db: TestDatabase;
let stub: Stub;
let agency: Agency;
const served = { body: '{"keys":[]}' };

beforeAll(async () => {
  db = await createTestDatabase();
  stub = await startStub((_path, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(served.body);
  });
  agency = await registerAgency(db.prisma, { code: 'FR-PN', jwksUri: `${stub.url}/jwks.json`, withKeyRow: false });
  served.body = JSON.stringify(agency.pair.jwks);
});
afterAll(async () => {
  await stub?.close();
  await db?.close();
});

describe('access tokens of an agency with a remote JWKS', () => {
  it('are accepted while the agency serves the assertion key, and refused once it no longer does', async () => {
    const options = { prisma: db.prisma, config, now: () => NOW, allowInsecureJwksUri: true };
    const partnerTokens = createTokenVerifier(options);
    const key = await deriveAccessTokenKey('remote-jwks-test-secret-0123456789abcdef');
    const verifier = withAccessTokens(partnerTokens, { ...options, key });

    const assertion = await mintToken({
      privateJwk: agency.pair.privateJwk,
      iss: 'FR-PN',
      sub: 'FR-PN',
      aud: `${config.issuer}/oauth/token`,
      scope: [],
      ttlSeconds: 60,
      now: NOW,
    });
    const verified = await partnerTokens.verifyClientAssertion(assertion, [`${config.issuer}/oauth/token`]);
    const { token } = await issueAccessToken(
      key,
      { agencyCode: 'FR-PN', scopes: ['records:read'], assertionKid: verified.kid },
      { config, now: NOW },
    );
    expect((await verifier.verify(bearer(token))).agencyCode).toBe('FR-PN');
    expect((await verifier.verify(bearer(token))).scopes).toEqual(['records:read']);

    // The agency rotates its key away; the gateway refetches its set.
    served.body = JSON.stringify({ keys: [] });
    verifier.invalidate('FR-PN');
    await expectAuthError(verifier.verify(bearer(token)), 'UNAUTHENTICATED', 'key_removed');
  });
});
