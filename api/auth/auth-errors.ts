// The coded errors of partner authentication. Messages are fixed, generic strings: what
// failed is in `reason` (a jose error code or our own word) for the server log only, and
// neither ever carries the token or any part of it.
import { LiaisonError } from '../../kernel/errors.ts';

const INVALID_TOKEN = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };

/** Any bad token: signature, claims, key, format, replay, suspended agency. */
export const invalidToken = (reason: string) =>
  new LiaisonError('UNAUTHENTICATED', 'The access token is invalid or expired.', { reason, headers: INVALID_TOKEN });

/** No credentials at all (RFC 6750 §3.1: the challenge carries no error code). */
export const missingToken = () =>
  new LiaisonError('UNAUTHENTICATED', 'An access token is required.', {
    reason: 'missing',
    headers: { 'WWW-Authenticate': 'Bearer' },
  });

/** More than one way of sending the token (RFC 6750 §2). */
export const invalidRequest = (reason: string) =>
  new LiaisonError('BAD_USER_INPUT', 'Send the access token in the Authorization header only, once.', {
    reason,
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_request"' },
  });

/** A dependency of verification (remote JWKS, database) failed: retry later, not a bad token. */
export const authUnavailable = (reason: string, retryAfterSeconds: number, cause?: unknown) =>
  new LiaisonError('SERVICE_UNAVAILABLE', 'Token verification is temporarily unavailable.', {
    reason,
    headers: { 'Retry-After': String(retryAfterSeconds) },
    ...(cause === undefined ? {} : { cause }),
  });
