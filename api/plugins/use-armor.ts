// GraphQL abuse limits (docs/operations.md, limits) with graphql-armor: depth, cost, aliases,
// directives, tokens, characters, and no field suggestions. Depth is 10 rather than armor's 6
// because every Relay hop costs two levels (edges, node): `operation → scamDens → edges →
// node → suspects → edges → node → alsoReportedBy → code` is a legitimate query of depth 9.
// With GraphiQL on, a document that only introspects the schema may be as deep as GraphiQL's
// own introspection query (15, its nested `ofType`); every other query keeps the limit of 10.
import type { DocumentNode } from 'graphql';
import { EnvelopArmor, EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { isSchemaIntrospection } from '../graphiql.ts';

export const graphqlLimits = {
  maxDepth: 10,
  /** The depth of GraphiQL's (and graphql-js's) introspection query, all options on. */
  maxIntrospectionDepth: 15,
  maxAliases: 10,
  maxDirectives: 10,
  maxTokens: 1000,
  maxCharacters: 15_000,
} as const;

export function useArmor({ graphiqlEnabled }: { graphiqlEnabled: boolean }): Plugin[] {
  return [
    useCharacterLimit(graphqlLimits.maxCharacters),
    useDepthLimit(graphiqlEnabled),
    EnvelopArmorPlugin({
      maxDepth: { enabled: false },
      maxAliases: { n: graphqlLimits.maxAliases, allowList: ['__typename'] },
      maxDirectives: { n: graphqlLimits.maxDirectives },
      maxTokens: { n: graphqlLimits.maxTokens },
      // Cost is priced by page size in the schema instead (schema/builder.ts, complexity):
      // armor's static cost cannot see `first`, so it both over-blocks and under-blocks.
      costLimit: { enabled: false },
      blockFieldSuggestion: { enabled: true },
    }) as Plugin,
  ];
}

/** armor's depth rule alone, at depth `n`. */
function depthRule(n: number): Plugin {
  const off = { enabled: false } as const;
  const [plugin] = new EnvelopArmor({
    maxDepth: { n, ignoreIntrospection: false, flattenFragments: true },
    maxAliases: off,
    maxDirectives: off,
    maxTokens: off,
    costLimit: off,
    blockFieldSuggestion: off,
  }).protect().plugins;
  return plugin as Plugin;
}

/** The depth limit, with GraphiQL's schema introspection measured against its own. */
function useDepthLimit(graphiqlEnabled: boolean): Plugin {
  const queries = depthRule(graphqlLimits.maxDepth);
  const introspection = depthRule(graphqlLimits.maxIntrospectionDepth);
  return {
    onValidate(payload) {
      const document = payload.params.documentAST as DocumentNode;
      const rule = graphiqlEnabled && isSchemaIntrospection(document) ? introspection : queries;
      return rule.onValidate?.(payload);
    },
  };
}

/**
 * Refuses an over-long document before it is parsed. (armor's character-limit plugin replaces
 * the parse function, and so does its token limit: only one of the two would take effect.)
 */
function useCharacterLimit(maxLength: number): Plugin {
  return {
    onParams({ params }) {
      const length = typeof params.query === 'string' ? params.query.length : 0;
      if (length > maxLength) {
        // Thrown, so the error mask gives it the status of every refused query (400).
        throw createGraphQLError(`Syntax Error: Character limit of ${maxLength} exceeded, found ${length}.`, {
          extensions: { code: 'GRAPHQL_PARSE_FAILED' },
        });
      }
    },
  };
}
