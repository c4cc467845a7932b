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

const MAX_CLIENT_REQUEST_ID = 128;

/** A caller's request id as far as it is safe to log: printable ASCII, at most 128 characters. */
export function clientRequestId(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const printable = value.replace(/[^\x20-\x7e]/g, '').slice(0, MAX_CLIENT_REQUEST_ID);
  return printable || undefined;
}

export function registerEdgeContext(fastify: FastifyInstance): void {
  fastify.decorateRequest('edge', null as never);
  fastify.addHook('onRequest', async (request) => {
    const client = clientRequestId(request.headers['x-request-id']);
    request.edge = { viewer: null, requestId: request.id, clientIp: request.ip, ...(client ? { clientRequestId: client } : {}) };
  });
}
