// Why a token was refused, as the caller reads it (issue 7 item 5): each public reason for the
// case it names, and the disclosure rule of docs/security.md — up to a verified signature,
// a caller learns nothing about which agencies or keys are registered.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTH_REASONS, type AuthReason } from '../../api/auth/auth-errors.ts';
import { generateAgencyKeyPair } from '../../api/auth/keys.ts';
import { isLiaisonError } from '../../kernel/errors.ts';
import {
  bearer,
  expectAuthError,
  expectRefusedFor,
  handMade,
  NOW_S,
  registerAgency,
  signByHand,
  tokenFor,
  useVerifierDatabase,
  validClaims,
  type Agency,
} from './support.ts';

const t = useVerifierDatabase();
let es: Agency;
let nl: Agency;

beforeAll(async () => {
  es = await registerAgency(t.db.prisma, { code: 'ES-PN' });
  nl = await registerAgency(t.db.prisma, { code: 'NL-POLITIE', alg: 'ES256' });
});

const verify = (token: string) => t.verifier.verify(bearer(token));
const withClaims = async (claims: Record<string, unknown>, agency = es) => verify(await tokenFor(agency, { claims }));

/** What a caller can observe of a refusal: everything but the internal log reason. */
async function observed(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isLiaisonError(error)) throw new Error('expected a coded refusal');
  return { code: error.code, status: error.status, reason: error.reason, message: error.message, headers: error.headers };
}

describe('each public reason', () => {
  it('token_missing: no Authorization header, with a bare challenge', async () => {
    const error = await expectAuthError(t.verifier.verify({}), 'UNAUTHENTICATED');
    expect(error.reason).toBe('token_missing');
    expect(error.headers['WWW-Authenticate']).toBe('Bearer');
  });

  it('multiple_transports: a token in the header and the query string (400)', async () => {
    const token = await tokenFor(es);
    const error = await expectAuthError(t.verifier.verify({ ...bearer(token), queryToken: token }), 'BAD_USER_INPUT');
    expect(error.reason).toBe('multiple_transports');
  });

  it('token_malformed: another scheme, not a compact JWS, no kid', async () => {
    await expectRefusedFor(t.verifier.verify({ authorization: 'Basic dXNlcjpwYXNz' }), 'token_malformed');
    await expectRefusedFor(verify('not-a-jwt'), 'token_malformed');
    await expectRefusedFor(verify(await tokenFor(es, { header: { kid: undefined } })), 'token_malformed');
  });

  it('header_not_allowed: a key source in the header, or a crit extension', async () => {
    await expectRefusedFor(verify(await tokenFor(es, { header: { jku: 'https://attacker.test/jwks' } })), 'header_not_allowed');
    const critical = signByHand(es.pair.privateJwk, { alg: 'EdDSA', kid: 'es-pn-1', crit: ['x-foo'], 'x-foo': 1 }, Buffer.from(JSON.stringify(validClaims(es))).toString('base64url'));
    await expectRefusedFor(verify(critical), 'header_not_allowed');
  });

  it('alg_not_allowed: alg none', async () => {
    await expectRefusedFor(verify(handMade({ alg: 'none', kid: 'es-pn-1' }, validClaims(es))), 'alg_not_allowed');
  });

  it('wrong_audience: a token for another gateway', async () => {
    await expectRefusedFor(withClaims({ aud: 'another-gateway' }), 'wrong_audience');
  });

  it('token_expired: exp past, beyond the clock tolerance', async () => {
    await expectRefusedFor(withClaims({ iat: NOW_S - 200, exp: NOW_S - 60 }), 'token_expired');
    await expectRefusedFor(withClaims({ iat: NOW_S - 100, exp: NOW_S - 11 }), 'token_expired');
  });

  it('token_not_yet_valid: iat or nbf more than 60 s ahead', async () => {
    await expectRefusedFor(withClaims({ iat: NOW_S + 120, exp: NOW_S + 180 }), 'token_not_yet_valid');
    await expectRefusedFor(withClaims({ nbf: NOW_S + 120 }), 'token_not_yet_valid');
  });

  it('lifetime_too_long: exp more than 300 s after iat', async () => {
    await expectRefusedFor(withClaims({ exp: NOW_S + 301 }), 'lifetime_too_long');
  });

  it('claim_invalid: no sub, or a jti that is not printable', async () => {
    await expectRefusedFor(withClaims({ sub: undefined }), 'claim_invalid');
    await expectRefusedFor(withClaims({ jti: 'a\u0000b' }), 'claim_invalid');
  });

  it('subject_not_allowed: sub naming another registered agency', async () => {
    await expectRefusedFor(withClaims({ sub: 'NL-POLITIE' }), 'subject_not_allowed');
  });

  it('token_reused: the second use of a self-signed token', async () => {
    const token = await tokenFor(es);
    await verify(token);
    await expectRefusedFor(verify(token), 'token_reused');
  });

  it('agency_suspended: a valid token of a suspended agency', async () => {
    const agency = await registerAgency(t.db.prisma, { code: 'XX-SUSP', status: 'SUSPENDED' });
    await expectRefusedFor(verify(await tokenFor(agency)), 'agency_suspended');
  });

  it('unknown_key: an unregistered issuer, an unknown kid, a key that does not verify', async () => {
    const stranger = await generateAgencyKeyPair({ kid: 'es-pn-1' });
    await expectRefusedFor(withClaims({ iss: 'XX-NOBODY' }), 'unknown_key');
    await expectRefusedFor(verify(await tokenFor(es, { header: { kid: 'es-pn-9' } })), 'unknown_key');
    await expectRefusedFor(verify(await tokenFor(es, { key: stranger.privateJwk })), 'unknown_key');
  });

  it('every description fits an RFC 6750 error_description (printable ASCII, no quote or backslash)', () => {
    for (const [reason, description] of Object.entries(AUTH_REASONS)) {
      expect(description, reason).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
    }
  });
});

describe('what a caller without a registered key learns', () => {
  /** The same forged token (right form, random signature) claiming each issuer in turn. */
  const forged = (iss: string, claims: Record<string, unknown> = {}) =>
    handMade({ alg: 'EdDSA', kid: `${iss.toLowerCase()}-1`, typ: 'JWT' }, validClaims({ code: iss }, { jti: randomUUID(), ...claims }), 'A'.repeat(86));

  it('the same answer whether the agency it names exists or not', async () => {
    const registered = await observed(verify(forged('ES-PN')));
    const unregistered = await observed(verify(forged('XX-NOBODY')));
    expect(registered).toEqual(unregistered);
    expect(registered.reason).toBe<AuthReason>('unknown_key');
  });

  it('no claim reason before the signature is verified: an expired forgery reads unknown_key for any issuer', async () => {
    const expired = { iat: NOW_S - 600, exp: NOW_S - 500 };
    const registered = await observed(verify(forged('ES-PN', expired)));
    const unregistered = await observed(verify(forged('XX-NOBODY', expired)));
    expect(registered).toEqual(unregistered);
    expect(registered.reason).toBe('unknown_key');
  });

  it('the same answer for an unknown kid of a registered agency and for a wrong key', async () => {
    const stranger = await generateAgencyKeyPair({ kid: 'nl-politie-1', alg: 'ES256' });
    const unknownKid = await observed(verify(await tokenFor(nl, { header: { kid: 'nl-politie-9' } })));
    const wrongKey = await observed(verify(await tokenFor(nl, { key: stranger.privateJwk })));
    expect(unknownKid).toEqual(wrongKey);
  });
});
