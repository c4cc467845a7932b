// Authenticates every GraphQL request before it is parsed: a partner token verified against
// the agency's registered keys (api/auth). A request without a valid token ends here with
// 401 and `WWW-Authenticate`, in the GraphQL error shape with code UNAUTHENTICATED. Only the
// GraphiQL page itself (a GET for HTML, when enabled) is served without a token.
import { Kind, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { TokenRequest } from '../auth/verify-token.ts';
import type { AuditSink } from '../../kernel/audit.ts';
import type { TokenVerifier } from '../auth/verify-token.ts';
import type { Viewer } from '../../schema/context.ts';
import { ErrorCode, LiaisonError, maskError } from '../../kernel/errors.ts';

export type PartnerAuthOptions = {
  verifier: TokenVerifier;
  audit: AuditSink;
  /** The GraphiQL page is public (it holds no data); queries from it still need a token. */
  graphiqlEnabled: boolean;
  onAuthenticated: (request: Request, viewer: Viewer, serverContext: { req: object }) => void;
};

/**
 * GraphiQL fetches the schema by introspection whenever it loads. Tokens are single-use, so
 * that fetch would spend the token the user pasted and the next query would be refused as a
 * replay. With GraphiQL on (development only), an operation made only of __schema/__type/
 * __typename is answered without a token: the schema is published anyway (schema.graphql).
 */
function isIntrospectionOnly(request: Request, parsedBody: unknown): boolean {
  if (request.method !== 'POST' || typeof parsedBody !== 'object' || parsedBody === null) return false;
  try {
    const body = parsedBody as { query?: unknown };
    if (typeof body.query !== 'string' || body.query.length > 20_000) return false;
    const document = parse(body.query);
    return document.definitions.every(
      (d) =>
        d.kind === Kind.OPERATION_DEFINITION &&
        d.operation === 'query' &&
        d.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__')),
    );
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

export function usePartnerAuth(options: PartnerAuthOptions): Plugin<object, { req: object; body?: unknown }> {
  return {
    async onRequest({ request, endResponse, fetchAPI, serverContext }) {
      if (options.graphiqlEnabled && (isGraphiqlPage(request) || isIntrospectionOnly(request, serverContext.body))) return;
      try {
        const viewer = await options.verifier.verify(credentialsOf(request));
        options.onAuthenticated(request, viewer, serverContext);
      } catch (error) {
        const e = error instanceof LiaisonError ? error : maskError(error);
        if (e.code === ErrorCode.UNAUTHENTICATED || e.code === ErrorCode.BAD_USER_INPUT) {
          await options.audit
            .append({ action: 'authenticate', outcome: 'denied', detail: { reason: e.reason ?? e.code } })
            .catch(() => undefined);
        }
        endResponse(
          new fetchAPI.Response(
            JSON.stringify({ errors: [{ message: e.message, extensions: { code: e.code } }] }),
            { status: e.status, headers: { 'content-type': 'application/json; charset=utf-8', ...e.headers } },
          ),
        );
      }
    },
  };
}
