// Key tooling for partners, the CLI and tests: make an agency key pair, mint a token the
// gateway accepts, and validate a JWKS an admin wants to register (TOK-18). The gateway's
// own verification lives in verify-token.ts; the per-key rules in key-policy.ts.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, importSPKI, SignJWT, type JWK } from 'jose';
import { z } from 'zod';
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import { checkAgencyJwk, isAllowedAlg, type AgencyJwk, type AllowedAlg, type KeyIssueCode } from './key-policy.ts';

export const MAX_TOKEN_LIFETIME_SECONDS = 300;
/** More keys than this in one registration is a mistake, not a rotation. */
export const MAX_KEYS_PER_AGENCY = 10;

export type AgencyKeyPair = {
  privateJwk: JWK & { kid: string; alg: AllowedAlg; use: 'sig' };
  publicJwk: AgencyJwk & JWK;
  jwks: { keys: (AgencyJwk & JWK)[] };
};

export async function generateAgencyKeyPair({
  kid,
  alg = 'EdDSA',
}: {
  kid: string;
  alg?: AllowedAlg;
}): Promise<AgencyKeyPair> {
  if (!isAllowedAlg(alg)) throw new TypeError(`alg must be one of EdDSA, ES256, ES384, PS256`);
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
    ...(alg === 'PS256' ? { modulusLength: 3072 } : {}),
  });
  const meta = { kid, alg, use: 'sig' as const };
  const privateJwk = { ...(await exportJWK(privateKey)), ...meta };
  const publicJwk = { ...(await exportJWK(publicKey)), ...meta } as AgencyJwk & JWK;
  return { privateJwk, publicJwk, jwks: { keys: [publicJwk] } };
}

export type MintTokenOptions = {
  privateJwk: JWK;
  iss: string;
  sub: string;
  aud: string;
  /** Space-separated string or a list of scopes. */
  scope: string | readonly string[];
  ttlSeconds?: number;
  now: Date;
  jti?: string;
  /** The officer acting for the agency, as `act.sub` (RFC 8693 §4.1): for OAuth client assertions, whose `sub` is the agency. */
  actor?: string;
};

/** Each private JWK imported once: a caller minting many tokens (CLI, benchmarks) signs with the same key object. */
const importedKeys = new WeakMap<JWK, Awaited<ReturnType<typeof importJWK>>>();

/** A compact JWS with header {alg, kid, typ: 'JWT'}, lifetime at most 300 s. */
export async function mintToken(options: MintTokenOptions): Promise<string> {
  const { privateJwk, iss, sub, aud, scope, now, ttlSeconds = MAX_TOKEN_LIFETIME_SECONDS } = options;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new RangeError(`ttlSeconds must be an integer in 1..${MAX_TOKEN_LIFETIME_SECONDS}`);
  }
  const { alg, kid } = privateJwk;
  if (!isAllowedAlg(alg) || typeof kid !== 'string') throw new TypeError('privateJwk needs kid and an allowed alg');
  let key = importedKeys.get(privateJwk);
  if (!key) {
    key = await importJWK(privateJwk, alg);
    importedKeys.set(privateJwk, key);
  }
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({
    scope: typeof scope === 'string' ? scope : scope.join(' '),
    ...(options.actor === undefined ? {} : { act: { sub: options.actor } }),
  })
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuer(iss)
    .setSubject(sub)
    .setAudience(aud)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .setJti(options.jti ?? randomUUID())
    .sign(key);
}

export type JwksIssue = { path: string; code: KeyIssueCode | 'jwks_shape' | 'too_many_keys'; reason: string };
export type JwksValidation = { ok: true; keys: AgencyJwk[] } | { ok: false; issues: JwksIssue[] };

const jwksShape = z.object({ keys: z.array(z.unknown()).min(1) });

/** Checks a JWKS offered for registration; every problem is reported with its path. */
export function validateAgencyJwks(jwks: unknown): JwksValidation {
  const shape = jwksShape.safeParse(jwks);
  if (!shape.success) {
    return {
      ok: false,
      issues: shape.error.issues.map((i) => ({
        path: ['', ...i.path.map(String)].join('/') || '/',
        code: 'jwks_shape' as const,
        reason: i.message,
      })),
    };
  }
  const { keys } = shape.data;
  const issues: JwksIssue[] = [];
  if (keys.length > MAX_KEYS_PER_AGENCY) {
    issues.push({ path: '/keys', code: 'too_many_keys', reason: `at most ${MAX_KEYS_PER_AGENCY} keys` });
  }
  const seenKids = new Set<string>();
  keys.forEach((jwk, index) => {
    const path = `/keys/${index}`;
    for (const issue of checkAgencyJwk(jwk)) issues.push({ path, ...issue });
    const kid = (jwk as { kid?: unknown } | null)?.kid;
    if (typeof kid === 'string') {
      if (seenKids.has(kid)) issues.push({ path, code: 'kid_duplicate', reason: 'kid already used in this set' });
      seenKids.add(kid);
    }
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, keys: keys as AgencyJwk[] };
}

/**
 * The JWKS to register from the text of a public-key file: a JWKS, one JWK, or an SPKI PEM
 * (`-----BEGIN PUBLIC KEY-----`, which carries no kid or alg: both must be given). A PEM of a
 * private key or a certificate is refused without being parsed. The result is still to be
 * checked by validateAgencyJwks.
 */
export async function jwksFromKeyFile(text: string, options: { kid?: string | undefined; alg?: AllowedAlg | undefined } = {}): Promise<unknown> {
  const trimmed = text.trim();
  const refuse = (field: string, code: string, message: string) => new LiaisonError(ErrorCode.BAD_USER_INPUT, message, { issues: [{ field, code, message }] });
  if (trimmed.startsWith('-----BEGIN ')) {
    if (!trimmed.startsWith('-----BEGIN PUBLIC KEY-----')) throw refuse('jwks', 'NOT_A_PUBLIC_KEY', 'a PEM file must hold a public key (BEGIN PUBLIC KEY), never a private key or certificate');
    if (!options.kid) throw refuse('kid', 'MISSING_FIELD', 'a PEM key has no kid: give one');
    if (!options.alg) throw refuse('alg', 'MISSING_FIELD', 'a PEM key has no alg: give one');
    let jwk: JWK;
    try {
      jwk = await exportJWK(await importSPKI(trimmed, options.alg, { extractable: true }));
    } catch {
      throw refuse('jwks', 'INVALID_KEY', `not a public key usable with ${options.alg}`);
    }
    return { keys: [{ ...jwk, kid: options.kid, alg: options.alg, use: 'sig' }] };
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    throw refuse('jwks', 'INVALID_FILE', 'neither JSON (a JWKS or a JWK) nor a PEM public key');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw refuse('jwks', 'INVALID_FILE', 'a JWKS or a JWK object');
  if ('keys' in json) return json;
  const jwk = json as Record<string, unknown>;
  for (const [name, given] of [['kid', options.kid], ['alg', options.alg]] as const) {
    if (given !== undefined && jwk[name] !== undefined && jwk[name] !== given) throw refuse(name, 'CONFLICT', `the key file says ${name} ${String(jwk[name])}`);
  }
  return { keys: [{ ...jwk, ...(options.kid ? { kid: options.kid } : {}), ...(options.alg ? { alg: options.alg } : {}) }] };
}
