// Claim and header rules of a correctly signed token (TOK-08…16), and what a valid one yields.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { isLiaisonError } from '../../kernel/errors.ts';
import { createTokenVerifier } from '../../api/auth/verify-token.ts';
import {
  AUDIENCE,
  bearer,
  config,
  expectUnauthenticated,
  NOW,
  NOW_S,
  registerAgency,
  signByHand,
  spyOnQueries,
  tokenFor,
  validClaims,
  useVerifierDatabase,
  type Agency,
} from './support.ts';

const t = useVerifierDatabase();
let es: Agency;
let nl: Agency;

beforeAll(async () => {
  es = await registerAgency(t.db.prisma, { code: 'ES-PN', scopes: ['records:read', 'records:submit'] });
  nl = await registerAgency(t.db.prisma, { code: 'NL-POLITIE', alg: 'ES256' });
});

const verifyWith = async (agency: Agency, claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  t.verifier.verify(bearer(await tokenFor(agency, { claims, header })));

describe('a valid token', () => {
  it('yields the viewer with scopes limited to the claim ∩ the agency allowance, unknown scopes ignored', async () => {
    const jti = randomUUID();
    const viewer = await verifyWith(es, { jti, scope: 'records:read match:query bogus:scope admin records:read' });
    expect(viewer).toEqual({
      agencyId: es.id,
      agencyCode: 'ES-PN',
      agencyName: 'Agency ES-PN',
      subject: 'officer-4711',
      scopes: ['records:read'],
      jti,
      expiresAt: new Date((NOW_S + 120) * 1000),
    });
  });

  it('yields no scopes for a token without a scope claim', async () => {
    expect((await verifyWith(es, { scope: undefined })).scopes).toEqual([]);
  });

  it('refuses a scope claim that is not a string', async () => {
    await expectUnauthenticated(verifyWith(es, { scope: ['records:read'] }), 'scope');
  });

  it('stores the jti until exp + 10 s', async () => {
    const jti = randomUUID();
    await verifyWith(es, { jti });
    const row = await t.db.prisma.replayCache.findUnique({ where: { iss_jti: { iss: 'ES-PN', jti } } });
    expect(row?.expiresAt).toEqual(new Date((NOW_S + 120 + 10) * 1000));
  });
});

describe('TOK-08 required claims', () => {
  it('TOK-08 refuses a token without exp', async () => {
    await expectUnauthenticated(verifyWith(es, { exp: undefined }), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  });

  it.each(['iat', 'jti', 'sub', 'aud'])('TOK-08 refuses a token without %s', async (claim) => {
    await expectUnauthenticated(verifyWith(es, { [claim]: undefined }), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  });

  it('TOK-08 refuses a token without iss', async () => {
    await expectUnauthenticated(verifyWith(es, { iss: undefined }), 'iss');
  });

  it('TOK-08 refuses a jti that is empty, over 128 characters or not printable ASCII', async () => {
    for (const jti of ['', 'j'.repeat(129), 'a b', 'é', 42]) {
      await expectUnauthenticated(verifyWith(es, { jti }), /jti|ERR_JWT_CLAIM_VALIDATION_FAILED/);
    }
  });

  it('TOK-08 refuses a sub that is not a printable string of at most 256 characters', async () => {
    for (const sub of ['s'.repeat(257), 'a\nb', 42]) {
      await expectUnauthenticated(verifyWith(es, { sub }), /sub|ERR_JWT_CLAIM_VALIDATION_FAILED/);
    }
  });
});

describe('TOK-09 expiry edges', () => {
  it('TOK-09 refuses exp = now − 11 s', async () => {
    await expectUnauthenticated(verifyWith(es, { iat: NOW_S - 100, exp: NOW_S - 11 }), 'ERR_JWT_EXPIRED');
  });

  it('TOK-09 accepts exp = now − 5 s (10 s clock tolerance)', async () => {
    await expect(verifyWith(es, { iat: NOW_S - 100, exp: NOW_S - 5 })).resolves.toMatchObject({ agencyCode: 'ES-PN' });
  });

  it('TOK-09 refuses exp given as a string', async () => {
    await expectUnauthenticated(verifyWith(es, { exp: '9999999999' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  });
});

describe('TOK-10 lifetime', () => {
  it('TOK-10 refuses exp − iat = 301 s', async () => {
    await expectUnauthenticated(verifyWith(es, { iat: NOW_S, exp: NOW_S + 301 }), 'lifetime');
  });

  it('TOK-10 accepts exp − iat = 300 s', async () => {
    await expect(verifyWith(es, { iat: NOW_S, exp: NOW_S + 300 })).resolves.toBeDefined();
  });

  it('TOK-10 refuses exp one year ahead', async () => {
    await expectUnauthenticated(verifyWith(es, { exp: NOW_S + 365 * 24 * 3600 }), 'lifetime');
  });

  it('TOK-10 refuses iat = now − 301 s with a still valid exp', async () => {
    await expectUnauthenticated(verifyWith(es, { iat: NOW_S - 301, exp: NOW_S + 5 }), /lifetime|ERR_JWT_EXPIRED/);
    await expectUnauthenticated(verifyWith(es, { iat: NOW_S - 320, exp: NOW_S - 20 }), 'ERR_JWT_EXPIRED');
  });
});

describe('TOK-11 future-dated tokens', () => {
  it('TOK-11 accepts iat = now + 8 s', async () => {
    await expect(verifyWith(es, { iat: NOW_S + 8, exp: NOW_S + 128 })).resolves.toBeDefined();
  });

  it('TOK-11 accepts nbf = now + 8 s', async () => {
    await expect(verifyWith(es, { nbf: NOW_S + 8 })).resolves.toBeDefined();
  });

  it('TOK-11 refuses iat = now + 61 s', async () => {
    await expectUnauthenticated(verifyWith(es, { iat: NOW_S + 61, exp: NOW_S + 181 }), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  });

  it('TOK-11 refuses nbf = now + 61 s', async () => {
    await expectUnauthenticated(verifyWith(es, { nbf: NOW_S + 61 }), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  });
});

describe('TOK-12 audience', () => {
  it('TOK-12 refuses a token without aud', async () => {
    await expectUnauthenticated(verifyWith(es, { aud: undefined }), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  });

  it("TOK-12 refuses aud naming the partner's own API", async () => {
    await expectUnauthenticated(verifyWith(es, { aud: 'https://api.policia.es' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  });

  it('TOK-12 refuses an aud array even when it contains the gateway', async () => {
    await expectUnauthenticated(verifyWith(es, { aud: [AUDIENCE, 'other-api'] }), 'aud_not_single');
    await expectUnauthenticated(verifyWith(es, { aud: [AUDIENCE] }), 'aud_not_single');
  });

  it('TOK-12 refuses aud differing by a trailing slash or by case', async () => {
    await expectUnauthenticated(verifyWith(es, { aud: `${AUDIENCE}/` }), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    await expectUnauthenticated(verifyWith(es, { aud: AUDIENCE.toUpperCase() }), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  });
});

describe('TOK-13 issuer and key binding', () => {
  it("TOK-13 refuses iss = B signed with A's key", async () => {
    const token = await tokenFor(nl, { key: es.pair.privateJwk });
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'ERR_JWKS_NO_MATCHING_KEY');
    // Same kid as B's key, still A's key material: the signature fails.
    const sameKid = await tokenFor(nl, { key: { ...es.pair.privateJwk, kid: nl.pair.publicJwk.kid } });
    await expectUnauthenticated(t.verifier.verify(bearer(sameKid)), /ERR_JWKS_NO_MATCHING_KEY|ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
  });

  it('TOK-13 refuses iss = A with sub naming another registered agency B', async () => {
    await expectUnauthenticated(verifyWith(es, { sub: 'NL-POLITIE' }), 'sub_other_agency');
    // A sub shaped like an agency code that no agency has is just an officer id.
    await expect(verifyWith(es, { sub: 'ES-PN-4711' })).resolves.toMatchObject({ subject: 'ES-PN-4711' });
  });

  it.each(['nl-politie', 'NL-POLITIE ', ' Nl-Politie'])('TOK-13 refuses a sub naming another agency in other case or spacing (%j)', async (sub) => {
    await expectUnauthenticated(verifyWith(es, { sub }), 'sub_other_agency');
  });

  it('TOK-13 refuses an unknown iss', async () => {
    await expectUnauthenticated(verifyWith(es, { iss: 'ZZ-NOBODY' }), 'unknown_issuer');
  });

  it.each([
    ['5 KB', 'ES-'.padEnd(5 * 1024, 'A')],
    ['%00', 'ES-PN%00'],
    ['NUL', 'ES-PN\u0000'],
    ['lower case', 'es-pn'],
    ['SQL', "ES-PN' OR '1'='1"],
    ['not a string', 42],
  ])('TOK-13 refuses a garbage iss (%s) before any database query', async (_label, iss) => {
    const { prisma, seen } = spyOnQueries(t.db.prisma);
    const spied = createTokenVerifier({ prisma, config, now: () => NOW });
    await expectUnauthenticated(spied.verify(bearer(await tokenFor(es, { claims: { iss } }))), 'iss');
    expect(seen).toEqual([]);
  });

  it('TOK-13 queries the agency by code only, with parameters (the spy sees the replay insert as a raw statement)', async () => {
    const { prisma, seen } = spyOnQueries(t.db.prisma);
    const spied = createTokenVerifier({ prisma, config, now: () => NOW });
    await spied.verify(bearer(await tokenFor(es)));
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatch(/^\$raw\.\$queryRaw \{"values":\["ES-PN"\]/);
    expect(seen[0]).toContain('WHERE a.code = ');
    expect(seen[1]).toMatch(/^\$raw\.\$executeRaw/);
  });
});

describe('TOK-14 cross-JWT confusion', () => {
  it('TOK-14 accepts typ absent, "JWT" and "jwt"', async () => {
    await expect(verifyWith(es, {}, { typ: undefined })).resolves.toBeDefined();
    await expect(verifyWith(es, {}, { typ: 'JWT' })).resolves.toBeDefined();
    await expect(verifyWith(es, {}, { typ: 'jwt' })).resolves.toBeDefined();
  });

  it.each(['at+jwt', 'application/at+jwt', 'id_token+jwt', 'JOSE', '', 42])('TOK-14 refuses typ %j', async (typ) => {
    await expectUnauthenticated(verifyWith(es, {}, { typ }), 'typ');
  });

  it('TOK-14 refuses an OIDC ID token of the partner (aud = its own client)', async () => {
    const idToken = { aud: 'es-pn-portal', nonce: 'n-0S6_WzA2Mj', auth_time: NOW_S - 30, azp: 'es-pn-portal' };
    await expectUnauthenticated(verifyWith(es, idToken), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  });

  it('TOK-14 refuses a token minted for another API', async () => {
    await expectUnauthenticated(verifyWith(es, { aud: 'europol-siena' }, { typ: 'at+jwt' }), /typ|ERR_JWT_CLAIM_VALIDATION_FAILED/);
    await expectUnauthenticated(verifyWith(es, { aud: 'europol-siena' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  });
});

describe('TOK-15 replay', () => {
  it('TOK-15 refuses the second use of a token', async () => {
    const token = await tokenFor(es);
    await expect(t.verifier.verify(bearer(token))).resolves.toBeDefined();
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'replay');
  });

  it('TOK-15 admits exactly one of 20 parallel uses of a token', async () => {
    const token = await tokenFor(es);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => t.verifier.verify(bearer(token))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const reasons = results.flatMap((r) => (r.status === 'rejected' && isLiaisonError(r.reason) ? [r.reason.reason] : []));
    expect(reasons).toEqual(Array(19).fill('token_reused'));
  });

  it('TOK-15 accepts the same jti from another agency', async () => {
    const jti = randomUUID();
    await expect(verifyWith(es, { jti })).resolves.toBeDefined();
    await expect(verifyWith(nl, { jti })).resolves.toMatchObject({ agencyCode: 'NL-POLITIE', jti });
  });

  it('TOK-15 a refused token does not use up its jti', async () => {
    const jti = randomUUID();
    await expectUnauthenticated(verifyWith(es, { jti, aud: 'elsewhere' }));
    await expect(verifyWith(es, { jti })).resolves.toBeDefined();
  });
});

describe('TOK-16 crit', () => {
  const claimsSegment = () => Buffer.from(JSON.stringify(validClaims(es))).toString('base64url');
  const header = (extra: Record<string, unknown>) => ({ alg: 'EdDSA', kid: es.pair.publicJwk.kid, typ: 'JWT', ...extra });

  it('TOK-16 the hand-signed control token (no crit) is accepted', async () => {
    await expect(t.verifier.verify(bearer(signByHand(es.pair.privateJwk, header({}), claimsSegment())))).resolves.toBeDefined();
  });

  it('TOK-16 refuses an unknown extension named in crit', async () => {
    const token = signByHand(es.pair.privateJwk, header({ crit: ['x-foo'], 'x-foo': 1 }), claimsSegment());
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'crit');
  });

  it('TOK-16 refuses an empty crit', async () => {
    const token = signByHand(es.pair.privateJwk, header({ crit: [] }), claimsSegment());
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'crit');
  });

  it('TOK-16 refuses crit naming a parameter that is absent', async () => {
    const token = signByHand(es.pair.privateJwk, header({ crit: ['x-foo'] }), claimsSegment());
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'crit');
  });

  it('TOK-16 refuses an unencoded payload (b64 false, crit b64)', async () => {
    const token = signByHand(es.pair.privateJwk, header({ b64: false, crit: ['b64'] }), 'abc');
    await expectUnauthenticated(t.verifier.verify(bearer(token)));
  });

  it('TOK-16 refuses crit that is only in an unprotected header (JSON serialisation is never accepted)', async () => {
    const [protectedB64, payload, signature] = signByHand(es.pair.privateJwk, header({}), claimsSegment()).split('.');
    const flattened = JSON.stringify({ protected: protectedB64, header: { crit: ['x-foo'] }, payload, signature });
    await expectUnauthenticated(t.verifier.verify(bearer(flattened)), 'malformed');
  });
});

describe('agency status', () => {
  it('refuses a suspended agency at once and accepts it again once reactivated', async () => {
    const agency = await registerAgency(t.db.prisma, { code: 'XX-SUSP' });
    await expect(t.verifier.verify(bearer(await tokenFor(agency)))).resolves.toBeDefined();
    await t.db.prisma.agency.update({ where: { id: agency.id }, data: { status: 'SUSPENDED' } });
    await expectUnauthenticated(t.verifier.verify(bearer(await tokenFor(agency))), 'agency_suspended');
    await t.db.prisma.agency.update({ where: { id: agency.id }, data: { status: 'ACTIVE' } });
    await expect(t.verifier.verify(bearer(await tokenFor(agency)))).resolves.toBeDefined();
  });
});
