// Partner authentication for REST routes: the same verifier and rate limits as GraphQL
// (api/limits/gate.ts), RFC 6750 answers. No token or a bad one → 401 with WWW-Authenticate
// (from the verifier); over a rate limit → 429 with Retry-After; a valid token without the
// scope → 403 with `error="insufficient_scope"`. The viewer is handed over once, into the
// request's edge context (api/edge-context.ts), where the access log reads it.
import type { FastifyRequest } from 'fastify';
import type { TokenVerifier } from '../auth/verify-token.ts';
import type { Scope, Viewer } from '../../schema/context.ts';
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import { admitCaller } from '../limits/gate.ts';

/** `scope`: the scope the route needs, or the scopes of which any one will do. */
export async function authenticateRest(request: FastifyRequest, verifier: TokenVerifier, scope: Scope | readonly Scope[]): Promise<Viewer> {
  const accepted: readonly Scope[] = typeof scope === 'string' ? [scope] : scope;
  const query = request.query as Record<string, unknown> | undefined;
  const viewer = await admitCaller(request.server.rateLimits, request.edge, verifier, {
    authorization: request.headers.authorization,
    queryToken: typeof query?.access_token === 'string' ? query.access_token : undefined,
    dpop: typeof request.headers.dpop === 'string' ? request.headers.dpop : undefined,
    method: request.method,
    path: request.url.split('?')[0],
  });
  if (!accepted.some((s) => viewer.scopes.includes(s))) {
    throw new LiaisonError(ErrorCode.FORBIDDEN, `The token lacks the ${accepted.join(' or ')} scope.`, {
      reason: 'insufficient_scope',
      headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${accepted[0]}"` },
    });
  }
  return viewer;
}
