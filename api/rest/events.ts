// GET /v1/events (api/openapi.yaml): the agency's inbox for polling clients, read by the
// same rules as the GraphQL `events` query (schema/events.ts). The reply body is typed from
// the generated contract, so a change of the contract the handler does not follow fails to compile.
import type { FastifyInstance } from 'fastify';
import type { AuditSink } from '../../kernel/audit.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { EVENT_SCOPES, eventPageSize, listAgencyEvents, parseEventCursor } from '../../schema/events.ts';
import type { TokenVerifier } from '../auth/verify-token.ts';
import type { paths } from '../openapi-types.ts';
import { authenticateRest } from './authenticate.ts';

type ListOperation = paths['/v1/events']['get'];
type EventList = ListOperation['responses'][200]['content']['application/json'];
type ListRoute = { Querystring: { after?: string; limit?: string }; Reply: { 200: EventList } };

export type EventRouteDeps = { prisma: PrismaClient; verifier: TokenVerifier; audit: AuditSink };

/** `limit` arrives as text: a number, or the same named error as any other bad page size. */
function limitOf(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  return /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
}

export function registerEventRoutes(fastify: FastifyInstance, deps: EventRouteDeps): void {
  fastify.get<ListRoute>('/v1/events', async (request) => {
    const viewer = await authenticateRest(request, deps.verifier, EVENT_SCOPES);
    const after = parseEventCursor(request.query.after);
    const limit = eventPageSize(limitOf(request.query.limit), 'limit');
    const events = await listAgencyEvents(deps.prisma, viewer.agencyId, after, limit);
    await deps.audit.append({
      agencyCode: viewer.agencyCode,
      subject: viewer.subject,
      action: 'events.read',
      outcome: 'ok',
      detail: { jti: viewer.jti, after: (after ?? 0n).toString(), count: events.length },
    });
    return {
      events: events.map((e) => ({ id: e.id, type: e.type, occurredAt: e.occurredAt.toISOString(), payload: e.payload })),
      next: events.at(-1)?.id ?? request.query.after ?? null,
    };
  });
}
