// Hands the validation errors of a refused query (depth, aliases, directives, introspection,
// unknown fields, fragment cycles) to the error mask instead of letting Yoga answer them as a
// result: Yoga would send them with 200 to clients that accept plain application/json. Thrown,
// they take the same path as parse errors and limits refused before parsing, and the mask
// (api/error-response.ts) is the one place that answers a refused query with HTTP 400.
import type { Plugin } from 'graphql-yoga';

export function useRefusalStatus(): Plugin {
  return {
    onValidate() {
      return ({ result }) => {
        if (result.length) throw new AggregateError(result, 'The query was refused.');
      };
    },
  };
}
