// Partner token verification (docs/security.md, "Why a token was refused"; checks TOK-01…20 in docs/security-tests.md):
// takes what the transport saw (Authorization header, and whether a token also came in the
// query or body) and returns the Viewer of a valid, first-use token — or throws a coded
// LiaisonError. Every failure is 401 UNAUTHENTICATED, except: no credentials (401 with a bare
// challenge), more than one transport (400), and an outage of a dependency of verification
// (remote JWKS or the database: 503 with Retry-After) — never a 500, never the token in a message.
// The order is the disclosure rule of the public reasons (api/auth/auth-errors.ts): the token's
// own form first, then one answer (`unknown_key`) for everything up to a verified signature,
// and only then the claims, the agency's state and the replay check. Between the last two, the
// caller's `admit` (the per-agency rate limit, api/limits/gate.ts) may refuse the request, so a
// refused request never costs a replay-cache write (ISO-17).
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import type { Config } from '../../kernel/config.ts';
import { isLiaisonError, type LiaisonError } from '../../kernel/errors.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { createAgencyKeyRegistry, type RegisteredAgency } from './agency-keys.ts';
import { isValidIssuer, type Viewer } from '../../kernel/viewer.ts';
export type { Viewer } from '../../kernel/viewer.ts';
import { invalidRequest, invalidToken, missingToken } from './auth-errors.ts';
import { databaseOutage } from '../error-response.ts';
import { ALLOWED_ALGS, MAX_KID_LENGTH } from './key-policy.ts';
import { createJtiClaims, isAcceptableJti } from './replay-cache.ts';
import { grantedScopes, type Scope } from '../../kernel/scopes.ts';


export type TokenRequest = {
  /** The raw Authorization header value, if any. */
  authorization?: string | undefined;
  /** A token found in the query string (`access_token`), if any: never accepted. */
  queryToken?: string | undefined;
  /** A token found in a form body (`access_token`), if any: never accepted. */
  bodyToken?: string | undefined;
  /** The `DPoP` proof header, method and URL path of the request (RFC 9449; api/auth/dpop.ts). */
  dpop?: string | undefined;
  method?: string | undefined;
  path?: string | undefined;
};

/** A partner-signed JWT whose signature, claims and first use were checked. */
export type VerifiedPartnerJwt = { agency: RegisteredAgency; payload: JWTPayload; kid: string };

/** Called with the viewer of a verified token just before its jti is spent; may refuse by throwing. */
export type Admission = (viewer: Viewer) => Promise<void>;

/** Whether a known refusal is worth checking for the agency of this id (api/limits/gate.ts). */
export type RefusalCheck = (agencyId: string) => boolean;

export type TokenVerifier = {
  verify(req: TokenRequest, admit?: Admission): Promise<Viewer>;
  /**
   * Only to refuse sooner (ISO-35): the viewer of a partner token whose signature and claims
   * hold against the agency row this process read last, when `worthIt` says that agency is
   * being refused anyway; no database statement, no jti spent. Undefined in every other case
   * (no row read yet, not worth it, any failure), when the caller goes on with `verify`.
   * Never a reason to admit anyone: the row may be seconds old.
   */
  verifyKnown?(req: TokenRequest, worthIt: RefusalCheck): Promise<Viewer | undefined>;
  /** Drops the cached key sets of an agency; call after its keys or jwksUri change. */
  invalidate(agencyCode: string): void;
};

export type PartnerTokenVerifier = TokenVerifier & {
  /**
   * A client assertion of the token endpoint (RFC 7523): the same rules as a direct token,
   * but `aud` one of `audiences` and `sub` equal to `iss`.
   */
  verifyClientAssertion(assertion: string, audiences: readonly string[]): Promise<VerifiedPartnerJwt>;
};

/** Longer Authorization headers are refused before any parsing (docs/operations.md, limits). */
export const MAX_AUTHORIZATION_BYTES = 8 * 1024;
export const MAX_SUBJECT_LENGTH = 256;
/** Header parameters that would make the token name its own key or key source (TOK-05). */
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'x5c', 'jwk', 'x5t', 'x5t#S256'] as const;
/** A compact JWS: three base64url segments (the signature segment of `none` tokens is empty). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** "Bearer", any case, then exactly one space and the token (RFC 6750 §2.1). */
const BEARER = /^bearer (.+)$/is;
const SUBJECT = /^[\x20-\x7e]+$/;

/** Runs a database step; its failure is an outage (503), not a bad token. */
async function fromDatabase<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (cause) {
    throw databaseOutage(cause);
  }
}

/** The one compact token of a request, or a coded error (TOK-17, TOK-19). */
export function extractBearerToken(req: TokenRequest): string {
  const present = [req.authorization, req.queryToken, req.bodyToken].filter((v) => v !== undefined && v !== '');
  if (present.length > 1) throw invalidRequest('multiple_transports');
  const header = req.authorization;
  // A token only in the query or body is ignored: to the caller that is no token at all.
  if (header === undefined || header.trim() === '') throw missingToken();
  if (Buffer.byteLength(header, 'utf8') > MAX_AUTHORIZATION_BYTES) throw invalidToken('token_malformed', 'header_too_large');
  const match = BEARER.exec(header);
  if (!match) throw invalidToken('token_malformed', 'scheme');
  const token = match[1]!;
  if (!COMPACT_JWS.test(token)) throw invalidToken('token_malformed', 'malformed');
  return token;
}

/** Header rules checked on the token alone, before any key is looked up (TOK-01, -05, -06, -14). */
function checkHeader(header: ProtectedHeaderParameters): void {
  for (const name of FORBIDDEN_HEADERS) {
    if (name in header) throw invalidToken('header_not_allowed', `header_${name}`);
  }
  // No critical extension is understood here (RFC 7515 §4.1.11), and refusing any crit now keeps
  // jose from answering about it only after the agency was found.
  if ('crit' in header || 'b64' in header) throw invalidToken('header_not_allowed', 'crit');
  if (!(ALLOWED_ALGS as readonly unknown[]).includes(header.alg)) throw invalidToken('alg_not_allowed', 'alg');
  if (header.typ !== undefined && (typeof header.typ !== 'string' || header.typ.toLowerCase() !== 'jwt')) {
    throw invalidToken('token_malformed', 'typ');
  }
  const { kid } = header as { kid?: unknown };
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH) throw invalidToken('token_malformed', 'kid');
}

/** Claim rules beyond jose's options (TOK-10, TOK-11, TOK-12, TOK-15). */
function checkClaims(payload: JWTPayload, nowSeconds: number, tokens: Config['tokens']): void {
  const { iat, exp, nbf, aud, sub, jti, scope } = payload as JWTPayload & { scope?: unknown };
  if (typeof aud !== 'string') throw invalidToken('wrong_audience', 'aud_not_single');
  if (typeof iat !== 'number' || typeof exp !== 'number') throw invalidToken('claim_invalid', 'lifetime');
  if (exp <= iat) throw invalidToken('claim_invalid', 'lifetime');
  if (exp - iat > tokens.maxLifetimeSeconds) throw invalidToken('lifetime_too_long', 'lifetime');
  if (iat > nowSeconds + tokens.maxFutureSeconds) throw invalidToken('token_not_yet_valid', 'iat_future');
  if (typeof nbf === 'number' && nbf > nowSeconds + tokens.maxFutureSeconds) throw invalidToken('token_not_yet_valid', 'nbf_future');
  if (typeof sub !== 'string' || sub.length > MAX_SUBJECT_LENGTH || !SUBJECT.test(sub)) throw invalidToken('claim_invalid', 'sub');
  if (!isAcceptableJti(jti)) throw invalidToken('claim_invalid', 'jti');
  if (scope !== undefined && typeof scope !== 'string') throw invalidToken('claim_invalid', 'scope');
}

/**
 * What jwtVerify refused. Its signature check comes before its claim checks, so a claim reason
 * is only ever told about a token signed by a registered key; every failure before that —
 * no matching key, a key that does not verify, a key row that does not import — is `unknown_key`.
 */
export function verificationError(error: unknown): LiaisonError {
  if (error instanceof errors.JWTExpired) return invalidToken('token_expired', error.code);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return invalidToken('wrong_audience', error.code);
    if ((error.claim === 'iat' || error.claim === 'nbf') && error.reason === 'check_failed') {
      return invalidToken('token_not_yet_valid', error.code);
    }
    return invalidToken('claim_invalid', error.code);
  }
  if (isLiaisonError(error)) return error;
  if (error instanceof errors.JWTInvalid) return invalidToken('token_malformed', error.code);
  return invalidToken('unknown_key', error instanceof errors.JOSEError ? error.code : 'key_unusable');
}

/**
 * Anything thrown while verifying becomes a coded error; unknown throws are a bad token. The
 * thrown error is not kept as `cause`: jose's carry the claims, and parse errors quote input.
 */
export function toAuthError(error: unknown): LiaisonError {
  if (isLiaisonError(error)) return error;
  if (error instanceof errors.JOSEError) return invalidToken('token_malformed', error.code);
  return invalidToken('token_malformed', error instanceof TypeError ? 'type_error' : 'invalid');
}

export function createTokenVerifier({
  prisma,
  config,
  now,
  allowInsecureJwksUri = false,
}: {
  /** Where the agency, its keys and the replay cache are read and written: kernel/db.ts `statements` in the gateway. */
  prisma: Pick<PrismaClient, '$queryRaw' | '$executeRaw'>;
  config: Pick<Config, 'audience' | 'tokens'>;
  now: () => Date;
  allowInsecureJwksUri?: boolean;
}): PartnerTokenVerifier {
  const registry = createAgencyKeyRegistry({ prisma, config, allowInsecureJwksUri });
  // Claims arriving while one claim statement runs go together in the next (kernel/batch.ts).
  const claimJti = createJtiClaims(prisma);
  const { tokens } = config;

  /** The claims of a token signed by a key of `agency`, checked (TOK-10…12, TOK-15); else the coded refusal. */
  async function signedClaims(token: string, agency: RegisteredAgency, audience: string | string[]): Promise<JWTPayload> {
    const currentDate = now();
    const { payload } = await jwtVerify(token, registry.keyResolver(agency), {
      algorithms: [...ALLOWED_ALGS],
      issuer: agency.code,
      audience,
      requiredClaims: ['exp', 'iat', 'jti', 'sub', 'iss', 'aud'],
      clockTolerance: tokens.clockToleranceSeconds,
      maxTokenAge: tokens.maxLifetimeSeconds,
      currentDate,
    }).catch((error: unknown) => {
      throw verificationError(error);
    });
    checkClaims(payload, Math.floor(currentDate.getTime() / 1000), tokens);
    return payload;
  }

  /** The checks of a token against one reading of its agency's row, in the disclosure order: signature and claims, state, subject. */
  async function checkedAgainst(token: string, kid: string, agency: RegisteredAgency, audience: string | string[]): Promise<VerifiedPartnerJwt> {
    const payload = await signedClaims(token, agency, audience);
    // Checked after the signature, so this reason is only ever told to a holder of the agency's key.
    if (agency.status !== 'ACTIVE') throw invalidToken('agency_suspended');
    // Identity is bound to iss; a sub naming another registered agency is an impersonation attempt (TOK-13).
    const sub = payload.sub!;
    // Compared as an agency code would be written by anyone: case and surrounding spaces do not
    // make `xa-alpha ` a different agency than XA-ALPHA.
    const named = sub.trim().toUpperCase();
    if (named !== agency.code && isValidIssuer(named)) {
      const [other] = await fromDatabase(() => prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM agency WHERE code = ${named}`);
      if (other!.n > 0) throw invalidToken('subject_not_allowed', 'sub_other_agency');
    }
    return { agency, payload, kid };
  }

  /** Spends the token's jti; with `fingerprint`, only while its agency row still has it ('stale' otherwise). */
  async function spend({ agency, payload }: VerifiedPartnerJwt, fingerprint?: string): Promise<true | 'stale'> {
    const expiresAt = new Date((payload.exp! + tokens.clockToleranceSeconds) * 1000);
    const claimed = await fromDatabase(() => claimJti({ iss: agency.code, jti: payload.jti!, expiresAt, agencyFingerprint: fingerprint }));
    if (claimed === false) throw invalidToken('token_reused', 'replay');
    return claimed;
  }

  /**
   * A token is first checked against the agency row this process read last, and the statement
   * that spends its jti confirms that row is still the agency's (one statement per request, not
   * a read and a claim). Whenever that does not give an answer — no row read yet, a check that
   * failed, a row that changed meanwhile — the row is read and the token checked against it, as
   * a first request is: a check that failed on a row that has not changed is answered as it was.
   * Either way the caller's admission runs once, between the checks and the claim.
   */
  async function verifyPartnerJwt(
    token: string,
    audience: string | string[],
    beforeFirstUse?: (verified: VerifiedPartnerJwt) => Promise<void>,
  ): Promise<VerifiedPartnerJwt> {
    const header = decodeProtectedHeader(token);
    checkHeader(header);
    const kid = header.kid!;
    // The unverified iss only chooses whose keys to try; jwtVerify then binds it to them.
    const { iss } = decodeJwt(token);
    if (!isValidIssuer(iss)) throw invalidToken('token_malformed', 'iss');

    const known = registry.lastRead(iss);
    let failure: { error: unknown } | undefined;
    let admit = beforeFirstUse;
    if (known) {
      let verified: VerifiedPartnerJwt | undefined;
      try {
        verified = await checkedAgainst(token, kid, known, audience);
      } catch (error) {
        failure = { error };
      }
      if (verified) {
        await admit?.(verified);
        if ((await spend(verified, known.fingerprint)) === true) return verified;
        // The row changed since it was read: nothing was stored; the request was admitted already.
        admit = undefined;
      }
    }

    const agency: RegisteredAgency | null = await fromDatabase(() => registry.findAgency(iss));
    // The same answer as a key that does not verify: an unsigned probe learns no agency codes.
    if (!agency) throw invalidToken('unknown_key', 'unknown_issuer');
    if (failure && agency.fingerprint === known?.fingerprint) throw failure.error;
    const verified = await checkedAgainst(token, kid, agency, audience);
    await admit?.(verified);
    await spend(verified);
    return verified;
  }

  function viewerOf({ agency, payload }: VerifiedPartnerJwt): Viewer {
    return {
      agencyId: agency.id,
      agencyCode: agency.code,
      agencyName: agency.name,
      subject: payload.sub!,
      scopes: grantedScopes(payload.scope as string | undefined, agency.scopes),
      jti: payload.jti!,
      expiresAt: new Date(payload.exp! * 1000),
    };
  }

  async function verifyToken(token: string, admit: Admission | undefined): Promise<Viewer> {
    const verified = await verifyPartnerJwt(token, config.audience, admit && ((v) => admit(viewerOf(v))));
    return viewerOf(verified);
  }

  return {
    async verify(req, admit) {
      try {
        return await verifyToken(extractBearerToken(req), admit);
      } catch (error) {
        throw toAuthError(error);
      }
    },
    async verifyKnown(req, worthIt) {
      try {
        const token = extractBearerToken(req);
        const { iss } = decodeJwt(token);
        const agency = typeof iss === 'string' ? registry.lastRead(iss) : undefined;
        // The header and signature are checked only for an agency being refused: for anyone else
        // this is one decode of the payload, which `verify` then does again.
        if (!agency || agency.status !== 'ACTIVE' || !worthIt(agency.id)) return undefined;
        const header = decodeProtectedHeader(token);
        checkHeader(header);
        const payload = await signedClaims(token, agency, config.audience);
        return viewerOf({ agency, payload, kid: header.kid! });
      } catch {
        return undefined;
      }
    },
    async verifyClientAssertion(assertion, audiences) {
      try {
        if (!COMPACT_JWS.test(assertion)) throw invalidToken('token_malformed', 'malformed');
        const verified = await verifyPartnerJwt(assertion, [...audiences]);
        if (verified.payload.sub !== verified.agency.code) throw invalidToken('claim_invalid', 'sub');
        return verified;
      } catch (error) {
        throw toAuthError(error);
      }
    },
    invalidate: (agencyCode) => registry.invalidate(agencyCode),
  };
}
