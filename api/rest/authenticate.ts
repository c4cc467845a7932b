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

export async function authenticateRest(request: FastifyRequest, verifier: TokenVerifier, scope: Scope): Promise<Viewer> {
  const query = request.query as Record<string, unknown> | undefined;
  const viewer = await admitCaller(request.server.rateLimits, request.edge, () =>
    verifier.verify({
      authorization: request.headers.authorization,
      queryToken: typeof query?.access_token === 'string' ? query.access_token : undefined,
      dpop: typeof request.headers.dpop === 'string' ? request.headers.dpop : undefined,
      method: request.method,
      path: request.url.split('?')[0],
    }),
  );
  if (!viewer.scopes.includes(scope)) {
    throw new LiaisonError(ErrorCode.FORBIDDEN, `The token lacks the ${scope} scope.`, {
      reason: 'insufficient_scope',
      headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
    });
  }
  return viewer;
}
