// The Pothos builder: configuration only (plugins, scalars' TypeScript types, context type,
// auth scopes). Domain types live in schema/types/<domain>.ts, each with its own queries
// and mutations; schema/index.ts imports them and exports the built schema.
// Plugin order matters: scope-auth wraps the resolvers that prisma and relay produce.
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { RequestContext, Scope } from './context.ts';
import { PAGE_SIZE } from './paging.ts';
import { ErrorCode, LiaisonError } from '../kernel/errors.ts';
import type { Prisma } from '../prisma/generated/client/client.ts';
import type PrismaTypes from '../prisma/generated/pothos-types.ts';
import { getDatamodel } from '../prisma/generated/pothos-types.ts';

/** Priced per request by the complexity plugin; depth also bounded earlier by graphql-armor. */
export const QUERY_LIMITS = { complexity: 25_000, depth: 12, breadth: 400 } as const;

export const builder = new SchemaBuilder<{
  Context: RequestContext;
  PrismaTypes: PrismaTypes;
  AuthScopes: { authenticated: boolean; scope: Scope };
  Scalars: {
    Decimal: { Input: string; Output: Prisma.Decimal | string };
    Date: { Input: Date; Output: Date | string };
    DateTime: { Input: Date; Output: Date | string };
    ID: { Input: string; Output: string };
    EventPayload: { Input: never; Output: Record<string, unknown> };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  DefaultInputFieldRequiredness: false;
  Connection: { totalCount: number | (() => number | Promise<number>) };
}>({
  plugins: [ScopeAuthPlugin, ComplexityPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (ctx) => ({
      authenticated: ctx.viewer !== null,
      scope: (scope: Scope) => ctx.viewer?.scopes.includes(scope) ?? false,
    }),
    unauthorizedError: (_parent, ctx) =>
      ctx.viewer
        ? new LiaisonError(ErrorCode.FORBIDDEN, 'The token does not grant the scope this field needs.')
        : new LiaisonError(ErrorCode.UNAUTHENTICATED, 'Authentication required.'),
  },
  // Query cost priced by page size (GQL-02 in docs/security-tests.md): a connection multiplies the cost
  // of its selection by `first`/`last` (20 when omitted), other lists by 10. Checked before
  // any root resolver runs, so a rejected query touches no data.
  complexity: {
    fieldComplexity: (args, _ctx, field) => {
      if (field.args.some((arg) => arg.name === 'first' || arg.name === 'last')) {
        const size = (args as { first?: number | null; last?: number | null }).first ?? (args as { last?: number | null }).last;
        return { field: 1, multiplier: typeof size === 'number' && size > 0 ? size : 20 };
      }
      if (field.name === 'edges') return { field: 1, multiplier: 1 };
      // By the printed type: graphql may be loaded twice (ESM and CommonJS), so no instanceof.
      return /\]!?$/.test(String(field.type)) ? { field: 1, multiplier: 10 } : 1;
    },
    limit: { complexity: QUERY_LIMITS.complexity, depth: QUERY_LIMITS.depth, breadth: QUERY_LIMITS.breadth },
    complexityError: (kind, result) =>
      new LiaisonError(ErrorCode.BAD_USER_INPUT, `Query ${kind} is over the limit.`, {
        issues: [{ code: `MAX_${String(kind).toUpperCase()}`, message: `${result.complexity} complexity, ${result.depth} depth, ${result.breadth} breadth` }],
      }),
  },
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
    defaultConnectionSize: PAGE_SIZE.default,
    maxConnectionSize: PAGE_SIZE.max,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesQueryOptions: false,
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
});

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: 'Records visible to the caller under the filter (not just this page).',
    resolve: (connection) =>
      typeof connection.totalCount === 'function' ? connection.totalCount() : connection.totalCount,
  }),
);
