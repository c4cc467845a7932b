// The coded errors of partner authentication. A refusal says why in a stable word (`reason`:
// `extensions.reason` in GraphQL, `reason` in problem+json, `error_description` in the
// WWW-Authenticate challenge), chosen so that a caller learns nothing about the gateway's
// registry that the token itself does not prove: everything that depends on which agencies
// and keys are registered, up to a verified signature, is one reason, `unknown_key` (the rule
// is in docs/security.md, "Why a token was refused"). `logReason` keeps the precise cause
// (a jose error code or our own word) for the server log and the audit trail only. Neither
// ever carries the token or any part of it.
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';

/**
 * Every reason a token can be refused for, with the sentence sent as `error_description`
 * (RFC 6750 §3: printable ASCII without `"` or `\`).
 */
export const AUTH_REASONS = {
  token_missing: 'No access token: send the header Authorization: Bearer <token>.',
  multiple_transports: 'Send the access token in the Authorization header only, once.',
  token_malformed: 'The Authorization header does not hold Bearer and one compact JWT with a kid.',
  header_not_allowed: 'The token header names a key, a key source or a critical extension; none is accepted.',
  alg_not_allowed: 'The token is signed with an algorithm other than EdDSA, ES256, ES384 or PS256.',
  unknown_key: "No key registered on this gateway for the token's iss and kid verifies its signature.",
  wrong_audience: 'The token is for another audience than this gateway.',
  token_expired: 'The token has expired or was issued too long ago.',
  token_not_yet_valid: 'The iat or nbf of the token lies too far in the future; check the clock.',
  lifetime_too_long: 'The token lives longer than the gateway allows (exp - iat).',
  claim_invalid: 'A required claim (sub, iat, exp, jti) is missing or not of the required form.',
  subject_not_allowed: 'The sub names another registered agency.',
  token_reused: 'The token was already used: a self-signed token is good for one request.',
  agency_suspended: 'The agency is suspended on this gateway.',
  unknown_agency: 'The agency the token was issued to is no longer registered on this gateway.',
  key_withdrawn: 'The agency key this access token was obtained with has been withdrawn; get a new token.',
  dpop_required: 'The access token is bound to a DPoP key: send Authorization: DPoP <token> with a DPoP proof.',
  dpop_invalid: 'The DPoP proof is missing, malformed, stale, reused, or not made with the key the token is bound to.',
  verification_unavailable: 'Token verification is temporarily unavailable; retry later.',
} as const;
export type AuthReason = keyof typeof AUTH_REASONS;

/** The RFC 6750 challenge for a refusal with an error code and its description. */
export function bearerChallenge(error: 'invalid_token' | 'invalid_request', reason: AuthReason): string {
  return `Bearer error="${error}", error_description="${AUTH_REASONS[reason]}"`;
}

/** Any bad token: signature, claims, key, format, replay, suspended agency. */
export const invalidToken = (reason: AuthReason, logReason: string = reason) =>
  new LiaisonError(ErrorCode.UNAUTHENTICATED, AUTH_REASONS[reason], {
    reason,
    logReason,
    headers: { 'WWW-Authenticate': bearerChallenge('invalid_token', reason) },
  });

/** No credentials at all (RFC 6750 §3.1: the challenge carries no error code, the body says why). */
export const missingToken = () =>
  new LiaisonError(ErrorCode.UNAUTHENTICATED, AUTH_REASONS.token_missing, {
    reason: 'token_missing',
    logReason: 'missing',
    headers: { 'WWW-Authenticate': 'Bearer' },
  });

/** More than one way of sending the token (RFC 6750 §2). */
export const invalidRequest = (logReason: string) =>
  new LiaisonError(ErrorCode.BAD_USER_INPUT, AUTH_REASONS.multiple_transports, {
    reason: 'multiple_transports',
    logReason,
    headers: { 'WWW-Authenticate': bearerChallenge('invalid_request', 'multiple_transports') },
  });

/** A dependency of verification (remote JWKS, database) failed: retry later, not a bad token. */
export const authUnavailable = (logReason: string, retryAfterSeconds: number, cause?: unknown) =>
  new LiaisonError(ErrorCode.SERVICE_UNAVAILABLE, AUTH_REASONS.verification_unavailable, {
    reason: 'verification_unavailable',
    logReason,
    headers: { 'Retry-After': String(retryAfterSeconds) },
    ...(cause === undefined ? {} : { cause }),
  });
