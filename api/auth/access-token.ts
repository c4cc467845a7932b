// Access tokens of the token endpoint (RFC 9068 JWT profile): signed by the gateway, usable for
// many requests until they expire, optionally bound to a DPoP key (`cnf.jkt`). Unlike a direct
// partner token, an access token's jti is not spent on use; what makes a suspension or a
// removed key take effect at once is that every use re-reads the agency: ACTIVE, the agency
// key that signed the assertion still registered, scopes narrowed to what it is allowed now.
//
// The signing key is Ed25519, derived with HKDF from the pseudonym key (which every gateway
// process of one deployment shares already), so all processes issue and accept the same
// tokens without another table; changing the pseudonym key changes it. Its public half is
// served at jwks_uri of the authorization-server metadata.
import { createPrivateKey, createPublicKey, hkdfSync, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Config } from '../../kernel/config.ts';
import { LiaisonError } from '../../kernel/errors.ts';
import { grantedScopes, type Scope } from '../../kernel/scopes.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { createAgencyKeyRegistry } from './agency-keys.ts';
import { invalidToken } from './auth-errors.ts';
import { databaseOutage } from '../error-response.ts';
import { dpopChallenge, verifyDpopProof } from './dpop.ts';
import { ALLOWED_ALGS } from './key-policy.ts';
import { MAX_AUTHORIZATION_BYTES, MAX_SUBJECT_LENGTH, toAuthError, verificationError, type TokenRequest, type TokenVerifier, type Viewer } from './verify-token.ts';

export const ACCESS_TOKEN_TYP = 'at+jwt';
const ALG = 'EdDSA';
const KEY_INFO = 'liaison-access-token-signing-key';
/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const MAX_ACCESS_TOKEN_LIFETIME_SECONDS = 3600;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const SCHEME = /^(bearer|dpop) (.+)$/is;

export type AccessTokenKey = { kid: string; privateKey: CryptoKey; publicKey: CryptoKey; publicJwk: JWK };

/** The gateway's access-token signing key, the same in every process holding `secret`. */
export async function deriveAccessTokenKey(secret: string): Promise<AccessTokenKey> {
  const seed = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), KEY_INFO, 32));
  const keyObject = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const { kty, crv, x, d } = keyObject.export({ format: 'jwk' });
  const kid = await calculateJwkThumbprint({ kty: kty!, crv: crv!, x: x! });
  const publicJwk: JWK = { kty, crv, x, kid, alg: ALG, use: 'sig' };
  const { x: publicX } = createPublicKey(keyObject).export({ format: 'jwk' });
  if (publicX !== x) throw new Error('access-token key derivation is inconsistent');
  return {
    kid,
    privateKey: (await importJWK({ kty, crv, x, d }, ALG)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, ALG)) as CryptoKey,
    publicJwk,
  };
}

/** What an access token says beyond the registered claims. */
export type AccessTokenGrant = {
  agencyCode: string;
  scopes: readonly Scope[];
  /** The officer or system named by the assertion's `act.sub` (RFC 8693 §4.1), if any. */
  actor?: string | undefined;
  /** The agency key that signed the assertion: removing it revokes the token. */
  assertionKid: string;
  /** DPoP key thumbprint (RFC 9449 §6.1) when the token is sender-constrained. */
  jkt?: string | undefined;
};

export type IssuedAccessToken = { token: string; jti: string; expiresIn: number; tokenType: 'Bearer' | 'DPoP' };

export async function issueAccessToken(
  key: AccessTokenKey,
  grant: AccessTokenGrant,
  options: { config: Pick<Config, 'issuer' | 'audience' | 'accessTokenTtlSeconds'>; now: Date },
): Promise<IssuedAccessToken> {
  const { config } = options;
  const iat = Math.floor(options.now.getTime() / 1000);
  const jti = randomUUID();
  const token = await new SignJWT({
    client_id: grant.agencyCode,
    scope: grant.scopes.join(' '),
    agency_kid: grant.assertionKid,
    ...(grant.actor === undefined ? {} : { act: { sub: grant.actor } }),
    ...(grant.jkt === undefined ? {} : { cnf: { jkt: grant.jkt } }),
  })
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: ACCESS_TOKEN_TYP })
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setSubject(grant.agencyCode)
    .setIssuedAt(iat)
    .setExpirationTime(iat + config.accessTokenTtlSeconds)
    .setJti(jti)
    .sign(key.privateKey);
  return { token, jti, expiresIn: config.accessTokenTtlSeconds, tokenType: grant.jkt === undefined ? 'Bearer' : 'DPoP' };
}

type AccessClaims = {
  sub: string;
  jti: string;
  exp: number;
  iat: number;
  scope?: unknown;
  agency_kid?: unknown;
  act?: { sub?: unknown };
  cnf?: { jkt?: unknown };
};

/** An access token in the Authorization header, or undefined when the request carries anything else. */
function presentedAccessToken(req: TokenRequest): { token: string; scheme: 'bearer' | 'dpop' } | undefined {
  const header = req.authorization;
  // Anything unusual (several transports, oversize) is the partner-token verifier's to refuse.
  if (header === undefined || req.queryToken || req.bodyToken || Buffer.byteLength(header, 'utf8') > MAX_AUTHORIZATION_BYTES) {
    return undefined;
  }
  const match = SCHEME.exec(header);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase() as 'bearer' | 'dpop';
  const token = match[2]!;
  if (scheme === 'dpop') return { token, scheme };
  if (!COMPACT_JWS.test(token)) return undefined;
  try {
    const { typ } = decodeProtectedHeader(token);
    return typeof typ === 'string' && typ.toLowerCase() === ACCESS_TOKEN_TYP ? { token, scheme } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The verifier of every authenticated path: access tokens (`Bearer` or `DPoP` scheme, header
 * `typ: at+jwt`) are checked here, everything else goes to the partner-token verifier as before.
 */
export function withAccessTokens(
  partnerTokens: TokenVerifier,
  deps: {
    key: AccessTokenKey;
    prisma: Pick<PrismaClient, '$queryRaw' | '$executeRaw'>;
    config: Pick<Config, 'issuer' | 'audience' | 'tokens'>;
    now: () => Date;
    allowInsecureJwksUri?: boolean;
  },
): TokenVerifier {
  const { key, prisma, config } = deps;
  const registry = createAgencyKeyRegistry({ prisma, config, allowInsecureJwksUri: deps.allowInsecureJwksUri ?? false });

  async function verifyAccessToken(token: string, scheme: 'bearer' | 'dpop', req: TokenRequest): Promise<Viewer> {
    if (!COMPACT_JWS.test(token)) throw invalidToken('token_malformed', 'malformed');
    const header = decodeProtectedHeader(token);
    if (header.kid !== key.kid) throw invalidToken('unknown_key');
    const now = deps.now();
    const { payload } = await jwtVerify<AccessClaims>(token, key.publicKey, {
      algorithms: [ALG],
      typ: ACCESS_TOKEN_TYP,
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ['exp', 'iat', 'jti', 'sub', 'iss', 'aud'],
      clockTolerance: config.tokens.clockToleranceSeconds,
      maxTokenAge: MAX_ACCESS_TOKEN_LIFETIME_SECONDS,
      currentDate: now,
    }).catch((error: unknown) => {
      throw verificationError(error);
    });
    const jkt = payload.cnf?.jkt;
    if (jkt !== undefined) {
      // A sender-constrained token is worthless without a proof by its key (RFC 9449 §7.1).
      if (scheme !== 'dpop' || typeof jkt !== 'string') throw invalidToken('dpop_required', 'dpop_bound_token_as_bearer');
      const proofJkt = await verifyDpopProof(
        { proof: req.dpop, method: req.method ?? 'POST', url: `${config.issuer}${req.path ?? '/'}`, accessToken: token },
        { prisma, config, now },
      );
      if (proofJkt !== jkt) throw invalidToken('dpop_invalid', 'dpop_key_mismatch');
    } else if (scheme === 'dpop') {
      throw invalidToken('token_malformed', 'not_dpop_bound');
    }

    const agency = await registry.findAgency(payload.sub).catch((cause: unknown) => {
      throw databaseOutage(cause);
    });
    if (!agency) throw invalidToken('unknown_agency', 'unknown_issuer');
    if (agency.status !== 'ACTIVE') throw invalidToken('agency_suspended');
    const assertionKid = payload.agency_kid;
    if (typeof assertionKid !== 'string') throw invalidToken('claim_invalid', 'agency_kid');
    const keyStillRegistered = agency.keys.some((k) => k.kid === assertionKid);
    // A key served by the agency's remote JWKS is checked there (cached by the registry).
    if (!keyStillRegistered && !(agency.jwksUri && (await remoteKeyExists(agency, assertionKid)))) {
      throw invalidToken('key_withdrawn', 'key_removed');
    }
    const actor = payload.act?.sub;
    return {
      agencyId: agency.id,
      agencyCode: agency.code,
      agencyName: agency.name,
      subject: typeof actor === 'string' && actor.length <= MAX_SUBJECT_LENGTH ? actor : agency.code,
      scopes: grantedScopes(typeof payload.scope === 'string' ? payload.scope : undefined, agency.scopes),
      jti: payload.jti,
      expiresAt: new Date(payload.exp * 1000),
    };
  }

  async function remoteKeyExists(agency: Parameters<typeof registry.keyResolver>[0], kid: string): Promise<boolean> {
    const resolve = registry.keyResolver(agency);
    for (const alg of ALLOWED_ALGS) {
      try {
        await resolve({ alg, kid }, { payload: '', signature: '' });
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === 'SERVICE_UNAVAILABLE') throw error;
      }
    }
    return false;
  }

  return {
    invalidate(agencyCode) {
      partnerTokens.invalidate(agencyCode);
      registry.invalidate(agencyCode);
    },
    // A partner token's sooner refusal is the partner verifier's; an access token never has one.
    async verifyKnown(req, worthIt) {
      return presentedAccessToken(req) ? undefined : partnerTokens.verifyKnown?.(req, worthIt);
    },
    async verify(req, admit) {
      const presented = presentedAccessToken(req);
      if (!presented) return partnerTokens.verify(req, admit);
      try {
        // An access token's jti is not spent; only a DPoP proof's is, before this admission.
        const viewer = await verifyAccessToken(presented.token, presented.scheme, req);
        await admit?.(viewer);
        return viewer;
      } catch (error) {
        const coded = toAuthError(error);
        // A DPoP resource's refusals carry the DPoP challenge (RFC 9449 §7.1).
        if (presented.scheme !== 'dpop' || coded.code !== 'UNAUTHENTICATED' || coded.headers['WWW-Authenticate']?.startsWith('DPoP')) {
          throw coded;
        }
        throw new LiaisonError(coded.code, coded.message, {
          ...(coded.reason === undefined ? {} : { reason: coded.reason }),
          headers: { ...coded.headers, 'WWW-Authenticate': dpopChallenge('invalid_token') },
        });
      }
    },
  };
}
