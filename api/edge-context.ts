// Every Fastify request carries one edge context (schema/context.ts, EdgeContext) from its
// first hook: the GraphQL route hands it to Yoga as the server context, where use-partner-auth
// writes the viewer; REST routes write it through authenticateRest; the access log reads it.
import type { FastifyInstance } from 'fastify';
import type { EdgeContext } from '../schema/context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    edge: EdgeContext;
  }
}

export function registerEdgeContext(fastify: FastifyInstance): void {
  fastify.decorateRequest('edge', null as never);
  fastify.addHook('onRequest', async (request) => {
    request.edge = { viewer: null };
  });
}
