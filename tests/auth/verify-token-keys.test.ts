// Algorithm policy, key binding and header key injection (TOK-01…06, TOK-18 at run time).
import { constants, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { CompactSign, createLocalJWKSet, exportSPKI, importJWK, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAgencyKeyRegistry } from '../../api/auth/agency-keys.ts';
import { generateAgencyKeyPair } from '../../api/auth/keys.ts';
import { createTokenVerifier } from '../../api/auth/verify-token.ts';
import {
  addKeyRow,
  bearer,
  config,
  expectUnauthenticated,
  handMade,
  NOW,
  registerAgency,
  spyOnQueries,
  startStub,
  tokenFor,
  validClaims,
  useVerifierDatabase,
  type Agency,
} from './support.ts';

const t = useVerifierDatabase();
let ed: Agency; // EdDSA
let ec: Agency; // ES256
let rsa: Agency; // PS256

beforeAll(async () => {
  ed = await registerAgency(t.db.prisma, { code: 'ES-PN', alg: 'EdDSA' });
  ec = await registerAgency(t.db.prisma, { code: 'NL-POLITIE', alg: 'ES256' });
  rsa = await registerAgency(t.db.prisma, { code: 'DE-BKA', alg: 'PS256' });
});

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const signingInput = (header: object, claims: object) => `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;

describe('a valid token', () => {
  it.each(['EdDSA', 'ES256', 'PS256'] as const)('is accepted when signed with a registered %s key', async (alg) => {
    const agency = { EdDSA: ed, ES256: ec, PS256: rsa }[alg];
    const viewer = await t.verifier.verify(bearer(await tokenFor(agency)));
    expect(viewer).toMatchObject({ agencyId: agency.id, agencyCode: agency.code, subject: 'officer-4711' });
  });
});

describe('TOK-01 alg none', () => {
  it.each(['none', 'None', 'nOnE', 'NONE'])('TOK-01 refuses an unsigned token with alg "%s"', async (alg) => {
    const token = handMade({ alg, kid: ed.pair.publicJwk.kid, typ: 'JWT' }, validClaims(ed));
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'alg');
  });

  it('TOK-01 refuses alg none even with a signature segment present', async () => {
    const token = handMade({ alg: 'none', kid: ed.pair.publicJwk.kid }, validClaims(ed), b64('x'.repeat(64)));
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'alg');
  });
});

describe('TOK-02 HS/RS key confusion', () => {
  it('TOK-02 refuses HS256 signed with the public JWK bytes as the HMAC secret', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(rsa.pair.publicJwk));
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(validClaims(rsa))))
      .setProtectedHeader({ alg: 'HS256', kid: rsa.pair.publicJwk.kid, typ: 'JWT' })
      .sign(secret);
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'alg');
  });

  it('TOK-02 refuses HS256 signed with the public key PEM as the HMAC secret', async () => {
    const pem = await exportSPKI((await importJWK(rsa.pair.publicJwk, 'PS256')) as CryptoKey);
    for (const secret of [pem, pem.trim()]) {
      const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(validClaims(rsa))))
        .setProtectedHeader({ alg: 'HS256', kid: rsa.pair.publicJwk.kid, typ: 'JWT' })
        .sign(new TextEncoder().encode(secret));
      await expectUnauthenticated(t.verifier.verify(bearer(token)), 'alg');
    }
  });

  it('TOK-02 the agency key resolver refuses HS256 even when jwtVerify has no algorithms option', async () => {
    const registry = createAgencyKeyRegistry({ prisma: t.db.prisma, config });
    const agency = (await registry.findAgency(rsa.code))!;
    const secret = new TextEncoder().encode(JSON.stringify(rsa.pair.publicJwk));
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(validClaims(rsa))))
      .setProtectedHeader({ alg: 'HS256', kid: rsa.pair.publicJwk.kid })
      .sign(secret);
    await expect(jwtVerify(token, registry.keyResolver(agency), { currentDate: NOW })).rejects.toMatchObject({
      code: 'ERR_JOSE_NOT_SUPPORTED',
    });
  });
});

describe('TOK-03 algorithm policy and key↔alg binding', () => {
  it('TOK-03 refuses a valid RS256 (PKCS#1 v1.5) token from the registered RSA key', async () => {
    const key = createPrivateKey({ key: rsa.pair.privateJwk as never, format: 'jwk' });
    const input = signingInput({ alg: 'RS256', kid: rsa.pair.publicJwk.kid, typ: 'JWT' }, validClaims(rsa));
    const token = `${input}.${b64(sign('sha256', Buffer.from(input), key))}`;
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'alg');
  });

  it('TOK-03 refuses RS256 even for an RSA key forced into the database with alg RS256', async () => {
    const agency = await registerAgency(t.db.prisma, { code: 'XX-RS256', alg: 'PS256', withKeyRow: false });
    await addKeyRow(t.db.prisma, agency.id, { ...agency.pair.publicJwk, alg: 'RS256' });
    const key = createPrivateKey({ key: agency.pair.privateJwk as never, format: 'jwk' });
    const input = signingInput({ alg: 'RS256', kid: agency.pair.publicJwk.kid }, validClaims(agency));
    const token = `${input}.${b64(sign('sha256', Buffer.from(input), key))}`;
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'alg');
  });

  it('TOK-03 refuses an ES384 header for a key registered as ES256', async () => {
    const token = handMade(
      { alg: 'ES384', kid: ec.pair.publicJwk.kid, typ: 'JWT' },
      validClaims(ec),
      b64(new Uint8Array(96).fill(1)),
    );
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'ERR_JWKS_NO_MATCHING_KEY');
  });

  it('TOK-03 refuses a PS256 token for an agency that registered only an ES256 key', async () => {
    const attacker = await generateAgencyKeyPair({ kid: String(ec.pair.publicJwk.kid), alg: 'PS256' });
    const token = await tokenFor(ec, { key: attacker.privateJwk });
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'ERR_JWKS_NO_MATCHING_KEY');
  });

  it('TOK-03 never uses a JWK whose alg differs from the header (jose local JWKS filters on jwk.alg)', async () => {
    const jwks = createLocalJWKSet({ keys: [ec.pair.publicJwk] });
    await expect(jwks({ alg: 'ES384', kid: ec.pair.publicJwk.kid })).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    });
    await expect(jwks({ alg: 'ES256', kid: ec.pair.publicJwk.kid })).resolves.toBeDefined();
  });
});

describe('TOK-04 malformed ECDSA signatures', () => {
  it('TOK-04 refuses an ES256 signature of 64 zero bytes (r = s = 0)', async () => {
    const token = handMade({ alg: 'ES256', kid: ec.pair.publicJwk.kid, typ: 'JWT' }, validClaims(ec), b64(new Uint8Array(64)));
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('TOK-04 refuses a DER-encoded ECDSA signature instead of raw r‖s', async () => {
    const key = createPrivateKey({ key: ec.pair.privateJwk as never, format: 'jwk' });
    const input = signingInput({ alg: 'ES256', kid: ec.pair.publicJwk.kid, typ: 'JWT' }, validClaims(ec));
    const der = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'der' });
    await expectUnauthenticated(t.verifier.verify(bearer(`${input}.${b64(der)}`)), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    // The same bytes as raw r‖s are accepted: the refusal is about the encoding only.
    const raw = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    await expect(t.verifier.verify(bearer(`${input}.${b64(raw)}`))).resolves.toMatchObject({ agencyCode: ec.code });
  });
});

describe('TOK-05 header key injection', () => {
  it('TOK-05 refuses an attacker key embedded in the jwk header', async () => {
    const attacker = await generateAgencyKeyPair({ kid: String(ed.pair.publicJwk.kid), alg: 'EdDSA' });
    const token = await tokenFor(ed, { key: attacker.privateJwk, header: { jwk: attacker.publicJwk } });
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'header_jwk');
    // Even signed by the real key, a token carrying a key is refused.
    await expectUnauthenticated(t.verifier.verify(bearer(await tokenFor(ed, { header: { jwk: attacker.publicJwk } }))), 'header_jwk');
  });

  it('TOK-05 refuses an x5c chain and an x5t thumbprint', async () => {
    const fakeCert = b64(new Uint8Array(512).fill(0x30)).replace(/-/g, '+').replace(/_/g, '/');
    await expectUnauthenticated(t.verifier.verify(bearer(await tokenFor(ed, { header: { x5c: [fakeCert] } }))), 'header_x5c');
    await expectUnauthenticated(t.verifier.verify(bearer(await tokenFor(ed, { header: { x5t: b64('t') } }))), 'header_x5t');
    await expectUnauthenticated(
      t.verifier.verify(bearer(await tokenFor(ed, { header: { 'x5t#S256': b64('t') } }))),
      'header_x5t#S256',
    );
  });

  it('TOK-05 refuses jku and x5u and never contacts the URL they name', async () => {
    const attacker = await generateAgencyKeyPair({ kid: String(ed.pair.publicJwk.kid), alg: 'EdDSA' });
    const canary = await startStub((_path, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(attacker.jwks));
    });
    try {
      for (const name of ['jku', 'x5u']) {
        const header = { [name]: `${canary.url}/${name}.json` };
        await expectUnauthenticated(t.verifier.verify(bearer(await tokenFor(ed, { key: attacker.privateJwk, header }))), `header_${name}`);
        await expectUnauthenticated(t.verifier.verify(bearer(await tokenFor(ed, { header }))), `header_${name}`);
      }
      expect(canary.requests).toHaveLength(0);
    } finally {
      await canary.close();
    }
  });
});

describe('TOK-06 kid injection', () => {
  it.each([
    ["' OR '1'='1", 'sql'],
    ['../../../../dev/null', 'path'],
    ['es-pn-1\u0000', 'nul'],
  ])('TOK-06 refuses kid %j (%s) without it reaching any query', async (kid) => {
    const { prisma, seen } = spyOnQueries(t.db.prisma);
    const spied = createTokenVerifier({ prisma, config, now: () => NOW });
    const token = await tokenFor(ed, { header: { kid } });
    await expectUnauthenticated(spied.verify(bearer(token)), 'ERR_JWKS_NO_MATCHING_KEY');
    expect(seen.length).toBeGreaterThan(0);
    for (const statement of seen) {
      expect(statement).not.toContain(JSON.stringify(kid).slice(1, -1));
    }
  });

  it('TOK-06 refuses a 10 KB kid before any query', async () => {
    const { prisma, seen } = spyOnQueries(t.db.prisma);
    const spied = createTokenVerifier({ prisma, config, now: () => NOW });
    const token = await tokenFor(ed, { header: { kid: 'k'.repeat(6 * 1024) } });
    await expectUnauthenticated(spied.verify(bearer(token)), /kid|header_too_large/);
    const tenKb = await tokenFor(ed, { header: { kid: 'k'.repeat(10 * 1024) } });
    await expectUnauthenticated(spied.verify(bearer(tenKb)), /kid|header_too_large/);
    expect(seen).toEqual([]);
  });

  it.each([[42], [{ $ne: null }], [['es-pn-1']], [null]])('TOK-06 refuses a non-string kid %j', async (kid) => {
    await expectUnauthenticated(t.verifier.verify(bearer(await tokenFor(ed, { header: { kid } }))), 'kid');
  });

  it('TOK-06 refuses a token without kid', async () => {
    await expectUnauthenticated(t.verifier.verify(bearer(await tokenFor(ed, { header: { kid: undefined } }))), 'kid');
  });
});

describe('TOK-18 weak keys forced into the database', () => {
  it('TOK-18 refuses (401, not 500) a token verified by a forced RSA-1024 key', async () => {
    const agency = await registerAgency(t.db.prisma, { code: 'XX-WEAK', alg: 'PS256', withKeyRow: false });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    await addKeyRow(t.db.prisma, agency.id, { ...publicKey.export({ format: 'jwk' }), kid: 'weak', alg: 'PS256', use: 'sig' });
    const input = signingInput({ alg: 'PS256', kid: 'weak', typ: 'JWT' }, validClaims(agency));
    const signature = sign('sha256', Buffer.from(input), {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    await expectUnauthenticated(t.verifier.verify(bearer(`${input}.${b64(signature)}`)), 'ERR_JWKS_NO_MATCHING_KEY');
  });

  it('TOK-18 refuses a token whose key row is a private JWK, an oct key, use "enc" or garbage', async () => {
    const agency = await registerAgency(t.db.prisma, { code: 'XX-FORCED', alg: 'ES256', withKeyRow: false });
    const { privateJwk, publicJwk } = agency.pair;
    await addKeyRow(t.db.prisma, agency.id, privateJwk);
    expect(await t.verifier.verify(bearer(await tokenFor(agency))).catch((e: { logReason: string }) => e.logReason)).toBe(
      'ERR_JWKS_NO_MATCHING_KEY',
    );
    await t.db.prisma.agencyKey.deleteMany({ where: { agencyId: agency.id } });
    await addKeyRow(t.db.prisma, agency.id, { ...publicJwk, use: 'enc' });
    await expectUnauthenticated(t.verifier.verify(bearer(await tokenFor(agency))), 'ERR_JWKS_NO_MATCHING_KEY');

    await t.db.prisma.agencyKey.deleteMany({ where: { agencyId: agency.id } });
    await addKeyRow(t.db.prisma, agency.id, { kid: publicJwk.kid, alg: 'ES256', kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' });
    await expectUnauthenticated(t.verifier.verify(bearer(await tokenFor(agency))), 'ERR_JWKS_NO_MATCHING_KEY');

    const secret = new Uint8Array(32).fill(9);
    await t.db.prisma.agencyKey.deleteMany({ where: { agencyId: agency.id } });
    await addKeyRow(t.db.prisma, agency.id, { kty: 'oct', k: b64(secret), kid: 'hs', alg: 'HS256' });
    const hs = await new CompactSign(new TextEncoder().encode(JSON.stringify(validClaims(agency))))
      .setProtectedHeader({ alg: 'HS256', kid: 'hs' })
      .sign(secret);
    await expectUnauthenticated(t.verifier.verify(bearer(hs)), 'alg');
  });

  it('TOK-18 a JWK missing its alg is never used (no alg means any alg to jose)', async () => {
    const agency = await registerAgency(t.db.prisma, { code: 'XX-NOALG', alg: 'ES256', withKeyRow: false });
    const { alg: _alg, ...noAlg } = agency.pair.publicJwk;
    await addKeyRow(t.db.prisma, agency.id, noAlg, String(agency.pair.publicJwk.kid));
    await expectUnauthenticated(t.verifier.verify(bearer(await tokenFor(agency))), 'ERR_JWKS_NO_MATCHING_KEY');
  });
});
