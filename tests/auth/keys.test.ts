import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateAgencyKeyPair, mintToken, validateAgencyJwks } from '../../api/auth/keys.ts';
import { ALLOWED_ALGS } from '../../api/auth/key-policy.ts';
import { NOW, NOW_S } from './support.ts';

const issueCodes = (jwks: unknown) => {
  const result = validateAgencyJwks(jwks);
  return result.ok ? [] : result.issues.map((i) => i.code);
};

async function publicJwkOf(alg: string, options: Record<string, unknown> = {}): Promise<JWK> {
  const { publicKey } = await generateKeyPair(alg, { extractable: true, ...options });
  return exportJWK(publicKey);
}

describe('generateAgencyKeyPair', () => {
  it.each(ALLOWED_ALGS)('makes a %s pair whose public JWKS passes registration', async (alg) => {
    const { privateJwk, publicJwk, jwks } = await generateAgencyKeyPair({ kid: 'k1', alg });
    expect(publicJwk).toMatchObject({ kid: 'k1', alg, use: 'sig' });
    expect(privateJwk).toMatchObject({ kid: 'k1', alg, use: 'sig' });
    expect(privateJwk.d).toBeTypeOf('string');
    expect(publicJwk).not.toHaveProperty('d');
    expect(validateAgencyJwks(jwks)).toMatchObject({ ok: true });
  });

  it('makes 3072-bit RSA keys for PS256', async () => {
    const { publicJwk } = await generateAgencyKeyPair({ kid: 'k1', alg: 'PS256' });
    expect(Buffer.from(String(publicJwk.n), 'base64url').length * 8).toBe(3072);
  });

  it('defaults to Ed25519', async () => {
    const { publicJwk } = await generateAgencyKeyPair({ kid: 'k1' });
    expect(publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
  });
});

describe('mintToken', () => {
  it('mints the header and claims the gateway requires', async () => {
    const { privateJwk } = await generateAgencyKeyPair({ kid: 'k1', alg: 'ES256' });
    const token = await mintToken({
      privateJwk,
      iss: 'ES-PN',
      sub: 'officer-1',
      aud: 'liaison-gateway',
      scope: ['records:read', 'match:query'],
      ttlSeconds: 90,
      now: NOW,
    });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: 'k1', typ: 'JWT' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: 'ES-PN',
      sub: 'officer-1',
      aud: 'liaison-gateway',
      iat: NOW_S,
      exp: NOW_S + 90,
      scope: 'records:read match:query',
    });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a lifetime over 300 s', async () => {
    const { privateJwk } = await generateAgencyKeyPair({ kid: 'k1' });
    const base = { privateJwk, iss: 'ES-PN', sub: 's', aud: 'a', scope: '', now: NOW };
    await expect(mintToken({ ...base, ttlSeconds: 301 })).rejects.toBeInstanceOf(RangeError);
    await expect(mintToken({ ...base, ttlSeconds: 0 })).rejects.toBeInstanceOf(RangeError);
  });
});

describe('validateAgencyJwks (TOK-18 registration)', () => {
  it('TOK-18 refuses an RSA key shorter than 2048 bits', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'PS256', use: 'sig' };
    expect(issueCodes({ keys: [jwk] })).toEqual(['rsa_too_short']);
  });

  it('TOK-18 refuses a private JWK (with d)', async () => {
    const { privateJwk } = await generateAgencyKeyPair({ kid: 'k1', alg: 'ES256' });
    expect(issueCodes({ keys: [privateJwk] })).toEqual(['private_member']);
  });

  it('TOK-18 refuses an RSA private JWK (p, q, dp, dq, qi)', async () => {
    const { privateJwk, publicJwk } = await generateAgencyKeyPair({ kid: 'k1', alg: 'PS256' });
    const { d: _d, ...withoutD } = privateJwk;
    expect(publicJwk).not.toHaveProperty('p');
    expect(issueCodes({ keys: [withoutD] })).toEqual(['private_member']);
  });

  it('TOK-18 refuses an oct (symmetric) key', () => {
    const jwk = { kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url'), kid: 'k1', alg: 'HS256', use: 'sig' };
    expect(issueCodes({ keys: [jwk] })).toEqual(expect.arrayContaining(['symmetric_key', 'private_member']));
  });

  it('TOK-18 refuses use "enc"', async () => {
    const { publicJwk } = await generateAgencyKeyPair({ kid: 'k1', alg: 'ES256' });
    expect(issueCodes({ keys: [{ ...publicJwk, use: 'enc' }] })).toEqual(['use_not_sig']);
  });

  it('TOK-18 refuses EC keys on curves other than P-256/P-384', async () => {
    const p521 = { ...(await publicJwkOf('ES512')), kid: 'k1', alg: 'ES256', use: 'sig' };
    expect(issueCodes({ keys: [p521] })).toEqual(['curve_not_allowed']);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const k1 = { ...publicKey.export({ format: 'jwk' }), kid: 'k2', alg: 'ES256', use: 'sig' };
    expect(issueCodes({ keys: [k1] })).toEqual(['curve_not_allowed']);
  });

  it('TOK-18 refuses OKP keys other than Ed25519', async () => {
    const { publicKey } = generateKeyPairSync('ed448');
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'EdDSA', use: 'sig' };
    expect(issueCodes({ keys: [jwk] })).toEqual(['curve_not_allowed']);
  });

  it('TOK-18 refuses a missing alg, an alg outside the allow-list and an alg not matching the key', async () => {
    const { publicJwk: ec } = await generateAgencyKeyPair({ kid: 'k1', alg: 'ES256' });
    const { alg: _alg, ...noAlg } = ec;
    expect(issueCodes({ keys: [noAlg] })).toEqual(['alg_missing']);
    const { publicJwk: rsa } = await generateAgencyKeyPair({ kid: 'k2', alg: 'PS256' });
    expect(issueCodes({ keys: [{ ...rsa, alg: 'RS256' }] })).toEqual(['alg_not_allowed']);
    expect(issueCodes({ keys: [{ ...ec, alg: 'ES384' }] })).toEqual(['curve_not_allowed']);
    expect(issueCodes({ keys: [{ ...ec, alg: 'EdDSA' }] })).toEqual(['alg_key_mismatch']);
    expect(issueCodes({ keys: [{ ...ec, alg: 'HS256' }] })).toEqual(['alg_not_allowed']);
  });

  it('TOK-18 refuses a missing kid and a duplicate kid', async () => {
    const { publicJwk: a } = await generateAgencyKeyPair({ kid: 'same', alg: 'ES256' });
    const { publicJwk: b } = await generateAgencyKeyPair({ kid: 'same', alg: 'ES256' });
    const { kid: _kid, ...noKid } = a;
    expect(issueCodes({ keys: [noKid] })).toEqual(['kid_missing']);
    expect(validateAgencyJwks({ keys: [a, b] })).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: '/keys/1', code: 'kid_duplicate' })],
    });
    expect(issueCodes({ keys: [{ ...a, kid: 'x'.repeat(257) }] })).toEqual(['kid_invalid']);
    expect(issueCodes({ keys: [{ ...a, kid: 42 }] })).toEqual(['kid_invalid']);
  });

  it('TOK-18 refuses key material that is not a valid public key', async () => {
    const { publicJwk } = await generateAgencyKeyPair({ kid: 'k1', alg: 'ES256' });
    const offCurve = { ...publicJwk, y: Buffer.alloc(32, 7).toString('base64url') };
    expect(issueCodes({ keys: [offCurve] })).toEqual(['key_invalid']);
  });

  it('refuses a malformed set with paths', () => {
    expect(validateAgencyJwks({ keys: [] })).toMatchObject({ ok: false, issues: [{ code: 'jwks_shape', path: '/keys' }] });
    expect(validateAgencyJwks('nope')).toMatchObject({ ok: false, issues: [{ code: 'jwks_shape' }] });
    expect(issueCodes({ keys: ['x'] })).toEqual(['not_an_object']);
  });

  it('accepts an allowed key and reports each bad key by index', async () => {
    const { publicJwk: good } = await generateAgencyKeyPair({ kid: 'k1', alg: 'ES384' });
    const { publicJwk: other } = await generateAgencyKeyPair({ kid: 'k2', alg: 'ES256' });
    const result = validateAgencyJwks({ keys: [good, { ...other, use: 'enc' }] });
    expect(result).toMatchObject({ ok: false, issues: [{ path: '/keys/1', code: 'use_not_sig' }] });
    expect(validateAgencyJwks({ keys: [good, other] })).toMatchObject({ ok: true, keys: [good, other] });
  });
});
