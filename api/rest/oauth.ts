// The OAuth 2.0 token endpoint and its metadata (api/openapi.yaml, docs/access-tokens.md): a partner
// authenticates with an RFC 7523 private_key_jwt client assertion — the same rules as a direct
// partner token, but `aud` = this endpoint (or the issuer) and `sub` = `iss` = client_id = the
// agency code — and receives a gateway-signed access token (RFC 9068) usable for many requests
// until it expires, DPoP-bound (RFC 9449) when the request carries a proof.
//
// Answers follow RFC 6749 §5.1/§5.2 (a JSON object with `error`), not application/problem+json:
// OAuth clients parse exactly that. This plugin is encapsulated so its form parser and its error
// handler apply to the token endpoint only.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuditSink } from '../../kernel/audit.ts';
import { issueAccessToken, type AccessTokenKey } from '../auth/access-token.ts';
import { isInvalidDpopProof, verifyDpopProof } from '../auth/dpop.ts';
import { ALLOWED_ALGS } from '../auth/key-policy.ts';
import { MAX_SUBJECT_LENGTH, type PartnerTokenVerifier, type VerifiedPartnerJwt } from '../auth/verify-token.ts';
import type { Config } from '../../kernel/config.ts';
import type { components } from '../openapi-types.ts';
import { isLiaisonError } from '../../kernel/errors.ts';
import { isScope, SCOPES, type Scope } from '../../kernel/scopes.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';

export const TOKEN_PATH = '/oauth/token';
export const METADATA_PATH = '/.well-known/oauth-authorization-server';
export const ACCESS_TOKEN_JWKS_PATH = '/oauth/jwks.json';
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const FORM = 'application/x-www-form-urlencoded';
const MAX_FORM_BYTES = 16 * 1024;
const SUBJECT = /^[\x20-\x7e]+$/;

export type OAuthDeps = {
  config: Pick<Config, 'issuer' | 'audience' | 'accessTokenTtlSeconds' | 'tokens'>;
  prisma: Pick<PrismaClient, '$executeRaw'>;
  key: AccessTokenKey;
  assertions: Pick<PartnerTokenVerifier, 'verifyClientAssertion'>;
  audit: AuditSink;
  now: () => Date;
};

// The shapes of api/openapi.yaml: the compiler holds these answers to the contract.
type Schemas = components['schemas'];
type OAuthErrorCode = Schemas['OAuthError']['error'];

/** An RFC 6749 §5.2 refusal: `error` for the client, `reason` for the audit log only. */
class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly reason: string = error,
    readonly status: number = error === 'invalid_client' ? 401 : error === 'temporarily_unavailable' ? 503 : 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

function sendOAuthError(reply: FastifyReply, e: OAuthError) {
  const body: Schemas['OAuthError'] = { error: e.error, error_description: e.description };
  return reply.status(e.status).headers({ ...e.headers, 'cache-control': 'no-store', pragma: 'no-cache' }).type('application/json').send(body);
}

/** The single value of a form parameter; a repeated one is refused (RFC 6749 §3.2). */
function param(form: URLSearchParams, name: string): string | undefined {
  const values = form.getAll(name);
  if (values.length > 1) throw new OAuthError('invalid_request', `The parameter ${name} is repeated.`, `repeated_${name}`);
  return values[0] === '' ? undefined : values[0];
}

/** The requested scopes, or all the agency may have; one unknown or not-allowed scope refuses (§3.3). */
function requestedScopes(scope: string | undefined, allowed: readonly string[]): Scope[] {
  if (scope === undefined) return SCOPES.filter((s) => allowed.includes(s));
  const items = scope.split(' ').filter((s) => s !== '');
  const bad = items.filter((s) => !isScope(s) || !allowed.includes(s));
  if (items.length === 0 || bad.length > 0) {
    throw new OAuthError('invalid_scope', `Allowed scopes for this client: ${allowed.join(' ') || '(none)'}.`);
  }
  return SCOPES.filter((s) => items.includes(s));
}

/** The officer the assertion names as `act.sub` (RFC 8693 §4.1), if any. */
function actorOf(verified: VerifiedPartnerJwt): string | undefined {
  const act = (verified.payload as { act?: unknown }).act;
  if (act === undefined) return undefined;
  const sub = (act as { sub?: unknown } | null)?.sub;
  if (typeof sub !== 'string' || sub.length > MAX_SUBJECT_LENGTH || !SUBJECT.test(sub)) {
    throw new OAuthError('invalid_client', 'The client assertion is invalid.', 'act');
  }
  return sub;
}

export function authorizationServerMetadata(config: Pick<Config, 'issuer'>): Schemas['AuthorizationServerMetadata'] {
  return {
    issuer: config.issuer,
    token_endpoint: `${config.issuer}${TOKEN_PATH}`,
    jwks_uri: `${config.issuer}${ACCESS_TOKEN_JWKS_PATH}`,
    grant_types_supported: ['client_credentials'] as const,
    response_types_supported: [],
    token_endpoint_auth_methods_supported: ['private_key_jwt'] as const,
    token_endpoint_auth_signing_alg_values_supported: [...ALLOWED_ALGS],
    dpop_signing_alg_values_supported: [...ALLOWED_ALGS],
    scopes_supported: [...SCOPES],
  };
}

export function registerOAuthRoutes(fastify: FastifyInstance, deps: OAuthDeps): void {
  const { config } = deps;
  const tokenEndpoint = `${config.issuer}${TOKEN_PATH}`;

  fastify.get(METADATA_PATH, async (_request, reply) => {
    // Public and the same for everyone: caches may keep it for a while.
    reply.header('cache-control', 'public, max-age=300');
    return authorizationServerMetadata(config);
  });
  fastify.get(ACCESS_TOKEN_JWKS_PATH, async (_request, reply): Promise<Schemas['Jwks']> => {
    reply.header('cache-control', 'public, max-age=300');
    return { keys: [{ ...deps.key.publicJwk, kty: deps.key.publicJwk.kty!, kid: deps.key.kid, use: 'sig' }] };
  });

  async function grant(form: URLSearchParams, dpopProof: string | undefined) {
    const grantType = param(form, 'grant_type');
    if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is required.', 'grant_type_missing');
    if (grantType !== 'client_credentials') {
      throw new OAuthError('unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
    }
    const assertionType = param(form, 'client_assertion_type');
    const assertion = param(form, 'client_assertion');
    const clientId = param(form, 'client_id');
    const scope = param(form, 'scope');
    if (assertionType !== JWT_BEARER_ASSERTION || assertion === undefined) {
      throw new OAuthError('invalid_client', `Authenticate with client_assertion_type=${JWT_BEARER_ASSERTION} and a client_assertion.`, 'no_client_assertion');
    }
    let verified: VerifiedPartnerJwt;
    try {
      verified = await deps.assertions.verifyClientAssertion(assertion, [tokenEndpoint, config.issuer]);
    } catch (error) {
      if (isLiaisonError(error) && error.code === 'SERVICE_UNAVAILABLE') {
        throw new OAuthError('temporarily_unavailable', 'Try again later.', error.reason, 503, error.headers);
      }
      throw new OAuthError('invalid_client', 'The client assertion is invalid.', isLiaisonError(error) ? (error.reason ?? error.code) : 'invalid');
    }
    const { agency } = verified;
    if (clientId !== undefined && clientId !== agency.code) {
      throw new OAuthError('invalid_client', 'client_id does not match the client assertion.', 'client_id_mismatch');
    }
    const scopes = requestedScopes(scope, agency.scopes);
    const actor = actorOf(verified);
    let jkt: string | undefined;
    if (dpopProof !== undefined) {
      try {
        jkt = await verifyDpopProof({ proof: dpopProof, method: 'POST', url: tokenEndpoint }, { ...deps, now: deps.now() });
      } catch (error) {
        if (isInvalidDpopProof(error)) throw new OAuthError('invalid_dpop_proof', 'The DPoP proof is invalid.', (error as Error & { reason: string }).reason);
        throw error;
      }
    }
    const issued = await issueAccessToken(deps.key, { agencyCode: agency.code, scopes, actor, assertionKid: verified.kid, jkt }, { config, now: deps.now() });
    return { agency, actor, scopes, issued };
  }

  fastify.register(async (scope) => {
    scope.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: MAX_FORM_BYTES }, (_request, body, done) => {
      done(null, new URLSearchParams(body as string));
    });
    scope.setErrorHandler((error, request, reply) => {
      if (isLiaisonError(error) && error.code === 'SERVICE_UNAVAILABLE') {
        return sendOAuthError(reply, new OAuthError('temporarily_unavailable', 'Try again later.', error.reason, 503, error.headers));
      }
      const { statusCode, code } = error as { statusCode?: number; code?: string };
      if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
        // A body that is not a form, is too large or cannot be read.
        return sendOAuthError(reply, new OAuthError('invalid_request', `Send the parameters as ${FORM}.`, code ?? 'unreadable'));
      }
      request.log.error({ err: error, requestId: request.id }, 'unexpected error at the token endpoint');
      return reply.status(500).headers({ 'cache-control': 'no-store' }).type('application/json').send({ error: 'server_error' });
    });
    scope.post(TOKEN_PATH, async (request, reply) => {
      const form = request.body instanceof URLSearchParams ? request.body : undefined;
      const dpop = request.headers.dpop;
      try {
        if (!form) throw new OAuthError('invalid_request', `Send the parameters as ${FORM}.`, 'not_a_form');
        if (Array.isArray(dpop)) throw new OAuthError('invalid_dpop_proof', 'Send one DPoP proof.', 'dpop_repeated');
        const { agency, actor, scopes, issued } = await grant(form, dpop);
        await deps.audit.append({
          agencyCode: agency.code,
          subject: actor ?? agency.code,
          action: 'oauth.token',
          target: issued.jti,
          outcome: 'ok',
          detail: { tokenType: issued.tokenType, scope: scopes.join(' '), expiresIn: issued.expiresIn },
        });
        const body: Schemas['OAuthTokenResponse'] = {
          access_token: issued.token,
          token_type: issued.tokenType,
          expires_in: issued.expiresIn,
          scope: scopes.join(' '),
        };
        return reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).send(body);
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        await deps.audit
          .append({ action: 'oauth.token', outcome: 'denied', detail: { error: error.error, reason: error.reason } })
          .catch(() => undefined);
        return sendOAuthError(reply, error);
      }
    });
  });
}
