// Who is calling: the Viewer an authenticated request carries, and the agency-code pattern
// every layer validates codes with (token issuers, operation leads and participants).
import type { Scope } from './scopes.ts';

/** `ES-PN`, `NL-POLITIE`, `XI-ECTEG-FIU`: two letters then up to three dash-separated parts. */
export const ISSUER_PATTERN = /^[A-Z]{2}(?:-[A-Z0-9]{1,16}){0,3}$/;
export const MAX_ISSUER_LENGTH = 40;

export const isValidIssuer = (iss: unknown): iss is string =>
  typeof iss === 'string' && iss.length <= MAX_ISSUER_LENGTH && ISSUER_PATTERN.test(iss);

export type Viewer = {
  agencyId: string;
  agencyCode: string;
  agencyName: string;
  subject: string;
  scopes: Scope[];
  jti: string;
  expiresAt: Date;
  /**
   * The instant the request is judged at (the gateway's clock when the request context was
   * built): time-bound permissions such as disclosure grants are checked against it.
   */
  at?: Date;
};
