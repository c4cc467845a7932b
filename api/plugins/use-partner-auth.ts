// Authenticates every GraphQL request before it is parsed: a partner token verified against
// the agency's registered keys (api/auth). The viewer is written once, into the server
// context's edge context, where the GraphQL context, the other plugins and the access log read
// it (envelop's generic-auth plugin is the model). A request without a valid token ends here
// with 401 and `WWW-Authenticate`, in the GraphQL error shape of api/error-response.ts; one
// over a rate limit (api/limits/gate.ts: failed authentications per address, requests per
// agency) with 429 and Retry-After. Only the GraphiQL page itself and, with GraphiQL on, its
// schema introspection go without a token.
import { parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { TokenRequest } from '../auth/verify-token.ts';
import type { TokenVerifier } from '../auth/verify-token.ts';
import type { EdgeContext } from '../../schema/context.ts';
import { graphqlRefusal } from '../error-response.ts';
import { isSchemaIntrospection } from '../graphiql.ts';
import { admitCaller, type RateLimits } from '../limits/gate.ts';

export type PartnerAuthOptions = {
  verifier: TokenVerifier;
  /** Failed authentications are counted (and audited, summarized) there, requests per agency too. */
  limits: RateLimits;
  /** The GraphiQL page is public (it holds no data); queries from it still need a token. */
  graphiqlEnabled: boolean;
};

/** What the GraphQL route hands Yoga as the server context of a request. */
export type EdgeServerContext = { edge: EdgeContext; body?: unknown };

/**
 * GraphiQL fetches the schema by introspection whenever it loads. Tokens are single-use, so
 * that fetch would spend the token the user pasted and the next query would be refused as a
 * replay. With GraphiQL on (development only), a document that only introspects the schema is
 * answered without a token: the schema is published anyway (schema.graphql).
 */
function isIntrospectionOnly(request: Request, parsedBody: unknown): boolean {
  if (request.method !== 'POST' || typeof parsedBody !== 'object' || parsedBody === null) return false;
  const body = parsedBody as { query?: unknown };
  if (typeof body.query !== 'string' || body.query.length > 20_000) return false;
  try {
    return isSchemaIntrospection(parse(body.query, { maxTokens: 2_000 }));
  } catch {
    return false;
  }
}

function isGraphiqlPage(request: Request): boolean {
  if (request.method !== 'GET') return false;
  const url = new URL(request.url);
  return !url.searchParams.has('query') && (request.headers.get('accept') ?? '').includes('text/html');
}

export function credentialsOf(request: Request): TokenRequest {
  const url = new URL(request.url);
  return {
    authorization: request.headers.get('authorization') ?? undefined,
    queryToken: url.searchParams.get('access_token') ?? undefined,
    dpop: request.headers.get('dpop') ?? undefined,
    method: request.method,
    path: url.pathname,
  };
}

export function usePartnerAuth(options: PartnerAuthOptions): Plugin<object, EdgeServerContext> {
  return {
    async onRequest({ request, endResponse, fetchAPI, serverContext }) {
      if (options.graphiqlEnabled && (isGraphiqlPage(request) || isIntrospectionOnly(request, serverContext.body))) return;
      try {
        await admitCaller(options.limits, serverContext.edge, options.verifier, credentialsOf(request));
      } catch (error) {
        endResponse(graphqlRefusal(error, fetchAPI));
      }
    },
  };
}
