// DPoP proofs (RFC 9449): a JWT the client signs with a key whose public half rides in the
// header (`jwk`), made fresh for one request (htm, htu, iat, single-use jti) and, at a resource,
// bound to the access token by `ath`. The token endpoint binds an access token to the proof's
// key thumbprint (`cnf.jkt`); resources then require a proof by that same key on every use.
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, errors, jwtVerify, type JWK } from 'jose';
import type { Config } from '../../kernel/config.ts';
import { LiaisonError } from '../../kernel/errors.ts';
import { AUTH_REASONS } from './auth-errors.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { databaseOutage } from '../error-response.ts';
import { ALLOWED_ALGS } from './key-policy.ts';
import { claimJti } from './replay-cache.ts';

export const DPOP_TYP = 'dpop+jwt';
/** A proof is fresh for this long after its iat (RFC 9449 §11.1 leaves the window to the server). */
export const DPOP_PROOF_MAX_AGE_SECONDS = 60;
/** Longer proofs are refused before parsing (a P-384 or RSA-3072 proof stays well under this). */
const MAX_PROOF_BYTES = 4 * 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The challenge of a resource that takes DPoP-bound tokens (RFC 9449 §7.1). */
export const dpopChallenge = (error?: 'invalid_token' | 'invalid_dpop_proof') =>
  `DPoP${error ? ` error="${error}",` : ''} algs="${ALLOWED_ALGS.join(' ')}"`;

/** A missing or bad proof (the caller turns it into 401 at a resource, 400 at the token endpoint). */
export const invalidDpopProof = (logReason: string) =>
  new LiaisonError('UNAUTHENTICATED', AUTH_REASONS.dpop_invalid, {
    reason: 'dpop_invalid',
    logReason: `dpop_${logReason}`,
    headers: { 'WWW-Authenticate': dpopChallenge('invalid_dpop_proof') },
  });

export const isInvalidDpopProof = (error: unknown): boolean => error instanceof LiaisonError && error.reason === 'dpop_invalid';

/** base64url(SHA-256(access token)): the `ath` claim of a proof made for a resource. */
export const accessTokenHash = (accessToken: string) => createHash('sha256').update(accessToken, 'ascii').digest('base64url');

/** The `htu` a proof must carry: scheme, host and path, no query or fragment (RFC 9449 §4.3). */
function normalisedHtu(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return undefined;
  }
}

export type DpopCheck = {
  proof: string | undefined;
  method: string;
  /** The absolute URL the client called, as the gateway publishes it (issuer + path). */
  url: string;
  /** At a resource: the access token the proof must be bound to (`ath`). */
  accessToken?: string;
};

/** Verifies one proof and spends its jti; answers the JWK thumbprint of the proof's key. */
export async function verifyDpopProof(
  check: DpopCheck,
  deps: { prisma: Pick<PrismaClient, '$executeRaw'>; config: Pick<Config, 'tokens'>; now: Date },
): Promise<string> {
  const { proof } = check;
  if (proof === undefined || proof === '') throw invalidDpopProof('missing');
  if (proof.length > MAX_PROOF_BYTES || !COMPACT_JWS.test(proof)) throw invalidDpopProof('malformed');
  let jwk: JWK;
  let claims: Record<string, unknown>;
  try {
    const header = decodeProtectedHeader(proof);
    if (header.jku !== undefined || header.x5u !== undefined || header.x5c !== undefined || header.crit !== undefined) {
      throw invalidDpopProof('header');
    }
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
      typ: DPOP_TYP,
      algorithms: [...ALLOWED_ALGS],
      requiredClaims: ['jti', 'htm', 'htu', 'iat'],
      currentDate: deps.now,
      clockTolerance: deps.config.tokens.clockToleranceSeconds,
      maxTokenAge: DPOP_PROOF_MAX_AGE_SECONDS,
    });
    jwk = protectedHeader.jwk!;
    claims = payload;
  } catch (error) {
    if (error instanceof LiaisonError) throw error;
    throw invalidDpopProof(error instanceof errors.JOSEError ? error.code : 'invalid');
  }
  const nowSeconds = Math.floor(deps.now.getTime() / 1000);
  const iat = claims.iat as number;
  if (iat > nowSeconds + deps.config.tokens.clockToleranceSeconds) throw invalidDpopProof('iat_future');
  if (claims.htm !== check.method.toUpperCase()) throw invalidDpopProof('htm');
  if (normalisedHtu(claims.htu) !== normalisedHtu(check.url)) throw invalidDpopProof('htu');
  if (check.accessToken !== undefined && claims.ath !== accessTokenHash(check.accessToken)) throw invalidDpopProof('ath');

  const jkt = await calculateJwkThumbprint(jwk, 'sha256');
  const expiresAt = new Date((iat + DPOP_PROOF_MAX_AGE_SECONDS + deps.config.tokens.clockToleranceSeconds) * 1000);
  let first: boolean;
  try {
    first = await claimJti({ prisma: deps.prisma, iss: `dpop:${jkt}`, jti: String(claims.jti), expiresAt });
  } catch (cause) {
    throw cause instanceof TypeError ? invalidDpopProof('jti') : databaseOutage(cause);
  }
  if (!first) throw invalidDpopProof('replay');
  return jkt;
}
