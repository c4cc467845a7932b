// GraphQL abuse limits (SECURITY-MATRIX section 2) with graphql-armor: depth, cost, aliases,
// directives, tokens, characters, and no field suggestions. Depth is 10 rather than armor's 6
// because every Relay hop costs two levels (edges, node): `operation → scamDens → edges →
// node → suspects → edges → node → alsoReportedBy → code` is a legitimate query of depth 9.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

export const graphqlLimits = {
  maxDepth: 10,
  maxAliases: 10,
  maxDirectives: 10,
  maxTokens: 1000,
  maxCharacters: 15_000,
} as const;

export function useArmor(): Plugin[] {
  return [
    useCharacterLimit(graphqlLimits.maxCharacters),
    EnvelopArmorPlugin({
      maxDepth: { n: graphqlLimits.maxDepth, ignoreIntrospection: false, flattenFragments: true },
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
