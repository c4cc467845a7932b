// A refused query answers HTTP 400 (SECURITY-MATRIX "400-VAL"), also for clients that accept
// plain application/json, where the GraphQL-over-HTTP rules would have Yoga answer 200.
// Parse errors (including armor's token and character limits) and validation errors
// (depth, aliases, directives, introspection, unknown fields) get the status here; `spec:
// false` keeps Yoga's own validation hook from turning it back into 200.
import { createGraphQLError, type Plugin } from 'graphql-yoga';

type ErrorLike = { message: string; nodes?: unknown; extensions?: Record<string, unknown> };

function withStatus(error: ErrorLike, code: string) {
  return createGraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes as never } : {}),
    extensions: { ...error.extensions, code: error.extensions?.code ?? code, http: { status: 400, spec: false } },
  });
}

export function useRefusalStatus(): Plugin {
  return {
    onParse() {
      return ({ result, replaceParseResult }) => {
        if (result instanceof Error) replaceParseResult(withStatus(result, 'GRAPHQL_PARSE_FAILED'));
      };
    },
    onValidate() {
      return ({ result, setResult }) => {
        if (result.length) setResult(result.map((e) => withStatus(e, 'GRAPHQL_VALIDATION_FAILED')));
      };
    },
  };
}
