// Charges each GraphQL operation's cost (api/limits/query-cost.ts) to its agency's cost points
// per minute before it executes: an operation the agency cannot pay for is refused with
// RATE_LIMITED and `retryAfter` (seconds) in its extensions, and no resolver runs. Runs after
// the page-size rule, so the page sizes it multiplies by are known to be 1–100. While it runs,
// the operation holds one of its agency's slots (api/limits/agency-limits.ts): an agency at its
// maximum of operations at once waits in its own queue, and is refused (before it is charged)
// when that queue is full.
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { RequestContext } from '../../schema/context.ts';
import type { AgencyLimits } from '../limits/agency-limits.ts';
import { queryCost } from '../limits/query-cost.ts';

export function useRateLimit(limits: AgencyLimits, schema: GraphQLSchema): Plugin<RequestContext> {
  return {
    async onExecute({ args }) {
      const ctx = args.contextValue;
      if (!ctx.viewer) return;
      const cost = queryCost(schema, args.document as DocumentNode, args.variableValues as Record<string, unknown> | undefined, args.operationName);
      const release = await limits.enterOperation(ctx.viewer);
      // Also given back when the answer is sent or the client goes away, should the execution end without onExecuteDone.
      (ctx.edge.releases ??= []).push(release);
      try {
        await limits.chargeCost(ctx.viewer, cost, ctx.edge);
      } catch (error) {
        release();
        throw error;
      }
      return { onExecuteDone: () => release() };
    },
  };
}
