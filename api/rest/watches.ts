// The REST side of watches (api/openapi.yaml): create, list (paged) and cancel a standing
// match. Each route runs the one implementation in schema/watch.ts that GraphQL runs; another
// agency's watch answers 404 exactly like a missing id.
import type { FastifyInstance } from 'fastify';
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import { pageConnection, pageQuery, type Pager } from '../../schema/paging.ts';
import { cancelWatch, createWatch, ownWatchesWhere, WATCH_VIEW_SELECT, watchStatus, type WatchRequest, type WatchRow } from '../../schema/watch.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import type { KeyObject } from 'node:crypto';
import type { components, paths } from '../openapi-types.ts';
import type { TokenVerifier } from '../auth/verify-token.ts';
import { authenticateRest } from './authenticate.ts';

export type WatchRouteDeps = { prisma: PrismaClient; pseudonymKey: string; verifier: TokenVerifier; now: () => Date; cursorKey: KeyObject };

type WatchBody = components['schemas']['Watch'];
type CreateBody = paths['/v1/watches']['post']['requestBody']['content']['application/json'];
type ListQuery = { first?: string; after?: string };

const bodyOf = (w: WatchRow, at: Date): WatchBody => ({
  id: w.id,
  status: watchStatus(w, at),
  purpose: w.purpose,
  caseRef: w.caseRef,
  identifiers: w.identifiers,
  createdAt: w.createdAt.toISOString(),
  until: w.until.toISOString(),
  cancelledAt: w.cancelledAt?.toISOString() ?? null,
});

const badInput = (field: string, message: string) => new LiaisonError(ErrorCode.BAD_USER_INPUT, message, { issues: [{ field, code: 'INVALID' }] });

function parseUntil(text: unknown): Date | undefined {
  if (text === undefined || text === null) return undefined;
  const date = typeof text === 'string' ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw badInput('until', 'until must be a date-time (RFC 3339).');
  return date;
}

export function registerWatchRoutes(fastify: FastifyInstance, deps: WatchRouteDeps): void {
  const pager: Pager = { key: deps.cursorKey, connection: 'REST /v1/watches' };

  fastify.post<{ Body: CreateBody }>('/v1/watches', async (request, reply) => {
    const viewer = await authenticateRest(request, deps.verifier, 'match:query');
    const body = (request.body ?? {}) as Partial<CreateBody>;
    const watch = await createWatch(deps.prisma, viewer, { ...(body as WatchRequest), until: parseUntil(body.until) }, { pseudonymKey: deps.pseudonymKey, now: deps.now });
    reply.status(201).header('location', `/v1/watches/${watch.id}`);
    return bodyOf(watch, deps.now());
  });

  fastify.get<{ Querystring: ListQuery }>('/v1/watches', async (request) => {
    const viewer = await authenticateRest(request, deps.verifier, 'match:query');
    const { first, after } = request.query;
    if (first !== undefined && !/^(100|[1-9][0-9]?)$/.test(first)) throw badInput('first', 'first must be a number from 1 to 100.');
    const args = { first: first === undefined ? 20 : Number(first), after: after ?? null };
    let page;
    try {
      page = pageQuery(pager, args);
    } catch {
      throw badInput('after', 'after must be a cursor this list gave.');
    }
    const rows = await deps.prisma.watch.findMany({ select: WATCH_VIEW_SELECT, where: { AND: [ownWatchesWhere(viewer), page.where] }, orderBy: page.orderBy, take: page.take });
    const connection = pageConnection(pager, args, rows, async () => 0);
    const at = deps.now();
    return { watches: connection.edges.map((e) => bodyOf(e.node, at)), next: connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null };
  });

  fastify.delete<{ Params: { id: string } }>('/v1/watches/:id', async (request) => {
    const viewer = await authenticateRest(request, deps.verifier, 'match:query');
    return bodyOf(await cancelWatch(deps.prisma, viewer, request.params.id, deps.now()), deps.now());
  });
}
