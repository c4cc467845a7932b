// What a partner's public signing key must be (docs/security-tests.md: TOK-03, TOK-18): one of four
// algorithms, each bound to one key type and curve, public members only, use "sig", a kid.
// Used when a JWKS is registered and again on every key the verifier is about to trust
// (rows forced into the database, keys served by a remote JWKS), so a weak key is never used.
import { createPublicKey } from 'node:crypto';

export const ALLOWED_ALGS = ['EdDSA', 'ES256', 'ES384', 'PS256'] as const;
export type AllowedAlg = (typeof ALLOWED_ALGS)[number];

export const isAllowedAlg = (value: unknown): value is AllowedAlg =>
  typeof value === 'string' && (ALLOWED_ALGS as readonly string[]).includes(value);

/** The key type (and curve) each algorithm may be used with: one key, one algorithm. */
const KEY_OF_ALG: Record<AllowedAlg, { kty: string; crv?: string; nodeType: string; nodeCurve?: string }> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519', nodeType: 'ed25519' },
  ES256: { kty: 'EC', crv: 'P-256', nodeType: 'ec', nodeCurve: 'prime256v1' },
  ES384: { kty: 'EC', crv: 'P-384', nodeType: 'ec', nodeCurve: 'secp384r1' },
  PS256: { kty: 'RSA', nodeType: 'rsa' },
};

export const MIN_RSA_BITS = 2048;
/** Larger RSA keys only make verification slower; no partner needs them. */
export const MAX_RSA_BITS = 8192;
export const MAX_KID_LENGTH = 256;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const;
const PRINTABLE = /^[\x20-\x7e]+$/;

export type KeyIssueCode =
  | 'not_an_object'
  | 'kid_missing'
  | 'kid_invalid'
  | 'kid_duplicate'
  | 'private_member'
  | 'symmetric_key'
  | 'kty_not_allowed'
  | 'use_not_sig'
  | 'key_ops_invalid'
  | 'alg_missing'
  | 'alg_not_allowed'
  | 'alg_key_mismatch'
  | 'curve_not_allowed'
  | 'rsa_too_short'
  | 'rsa_too_long'
  | 'key_invalid';

export type KeyIssue = { code: KeyIssueCode; reason: string };

/** A public JWK that passed the policy: it names its kid and its one algorithm. */
export type AgencyJwk = Record<string, unknown> & { kty: string; kid: string; alg: AllowedAlg; use?: 'sig' };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The problems of one JWK against the policy; an empty list means it may be trusted. */
export function checkAgencyJwk(jwk: unknown): KeyIssue[] {
  if (!isRecord(jwk)) return [{ code: 'not_an_object', reason: 'a JWK must be a JSON object' }];
  const issues: KeyIssue[] = [];
  const { kid, kty, alg, use, crv } = jwk;

  if (kid === undefined) issues.push({ code: 'kid_missing', reason: 'every key needs a kid' });
  else if (typeof kid !== 'string' || kid.length > MAX_KID_LENGTH || !PRINTABLE.test(kid)) {
    issues.push({ code: 'kid_invalid', reason: `kid must be 1–${MAX_KID_LENGTH} printable ASCII characters` });
  }
  if (kty === 'oct') issues.push({ code: 'symmetric_key', reason: 'symmetric (oct) keys are never accepted' });
  else if (kty !== 'OKP' && kty !== 'EC' && kty !== 'RSA') {
    issues.push({ code: 'kty_not_allowed', reason: 'kty must be OKP, EC or RSA' });
  }
  const privateMembers = PRIVATE_MEMBERS.filter((m) => m in jwk);
  if (privateMembers.length > 0) {
    issues.push({ code: 'private_member', reason: `private key members present: ${privateMembers.join(', ')}` });
  }
  if (use !== undefined && use !== 'sig') issues.push({ code: 'use_not_sig', reason: 'use must be "sig"' });
  if (
    jwk.key_ops !== undefined &&
    !(Array.isArray(jwk.key_ops) && jwk.key_ops.length === 1 && jwk.key_ops[0] === 'verify')
  ) {
    issues.push({ code: 'key_ops_invalid', reason: 'key_ops, when present, must be ["verify"]' });
  }
  if (alg === undefined) {
    issues.push({ code: 'alg_missing', reason: 'every key must name its one algorithm' });
    return issues;
  }
  if (!isAllowedAlg(alg)) {
    issues.push({ code: 'alg_not_allowed', reason: `alg must be one of ${ALLOWED_ALGS.join(', ')}` });
    return issues;
  }
  const expected = KEY_OF_ALG[alg];
  if (kty !== expected.kty) {
    issues.push({ code: 'alg_key_mismatch', reason: `${alg} needs a ${expected.kty} key` });
    return issues;
  }
  if (expected.crv !== undefined && crv !== expected.crv) {
    issues.push({ code: 'curve_not_allowed', reason: `${alg} needs curve ${expected.crv}` });
    return issues;
  }
  if (issues.length > 0) return issues;
  issues.push(...checkKeyMaterial(jwk, alg));
  return issues;
}

/** Lets OpenSSL parse the key (points on the curve, sane modulus) and measures RSA. */
function checkKeyMaterial(jwk: Record<string, unknown>, alg: AllowedAlg): KeyIssue[] {
  const expected = KEY_OF_ALG[alg];
  let details: { type: string | undefined; modulusLength?: number | undefined; namedCurve?: string | undefined };
  try {
    // Only the members that describe the public key reach the parser.
    const { kty, crv, x, y, n, e } = jwk;
    const key = createPublicKey({ key: { kty, crv, x, y, n, e } as import('node:crypto').JsonWebKey, format: 'jwk' });
    details = { type: key.asymmetricKeyType, ...key.asymmetricKeyDetails };
  } catch {
    return [{ code: 'key_invalid', reason: 'the key material does not parse as a public key' }];
  }
  if (details.type !== expected.nodeType) return [{ code: 'key_invalid', reason: 'unexpected key type' }];
  if (expected.nodeCurve !== undefined && details.namedCurve !== expected.nodeCurve) {
    return [{ code: 'curve_not_allowed', reason: `${alg} needs curve ${expected.crv}` }];
  }
  if (expected.kty === 'RSA') {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) return [{ code: 'rsa_too_short', reason: `RSA keys need at least ${MIN_RSA_BITS} bits` }];
    if (bits > MAX_RSA_BITS) return [{ code: 'rsa_too_long', reason: `RSA keys may have at most ${MAX_RSA_BITS} bits` }];
  }
  return [];
}

export const isTrustworthyJwk = (jwk: unknown): jwk is AgencyJwk => checkAgencyJwk(jwk).length === 0;
