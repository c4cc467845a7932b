// Every Fastify request carries one edge context (schema/context.ts, EdgeContext) from its
// first hook: the GraphQL route hands it to Yoga as the server context, where use-partner-auth
// writes the viewer; REST routes write it through authenticateRest; the access log reads it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { enterForeground } from '../kernel/foreground.ts';
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

/**
 * Requests that are not foreground work (kernel/foreground.ts): uploads, which are the bulk
 * work itself, and event streams, which stay open for as long as a partner listens.
 */
function isBackground(request: FastifyRequest): boolean {
  const path = request.url.split('?', 1)[0]!;
  if (request.method === 'POST' && path.startsWith('/v1/submissions')) return true;
  if (path.startsWith('/v1/events')) return true;
  return String(request.headers.accept ?? '').includes('text/event-stream');
}

export function registerEdgeContext(fastify: FastifyInstance): void {
  fastify.decorateRequest('edge', null as never);
  fastify.addHook('onRequest', async (request, reply) => {
    const client = clientRequestId(request.headers['x-request-id']);
    request.edge = { viewer: null, requestId: request.id, clientIp: request.ip, ...(client ? { clientRequestId: client } : {}) };
    if (isBackground(request)) return;
    // Foreground until the answer is sent or the connection closes; a GraphQL submitRecords
    // leaves earlier, before its ingestion starts.
    const leave = enterForeground();
    request.edge.leaveForeground = leave;
    reply.raw.once('close', leave);
  });
}
