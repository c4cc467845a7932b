// What the three shared record types (ScamDen, Suspect, InterceptedFund) have in common:
// provenance fields, the common filter arguments, and the `where` that joins a filter to
// the viewer's sharing rules. Filters run in the database, after the sharing predicate.
import type { RequestContext } from '../context.ts';
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import { visibleOperationWhere, visibleRecordWhere } from '../sharing.ts';
import { builder } from '../builder.ts';

export type CommonFilter = {
  operationCode?: string | null;
  owner?: string | null;
  sharingLevel?: 'CLEAR' | 'GREEN' | 'AMBER' | 'RED' | null;
};

/** The viewer of a request that passed authentication (every record field requires it). */
export function viewerOf(ctx: RequestContext) {
  if (!ctx.viewer) throw new LiaisonError(ErrorCode.UNAUTHENTICATED, 'Authentication required.');
  return ctx.viewer;
}

/** Sharing predicate AND the filter's own conditions, as one Prisma `where`. */
export function recordWhere<W extends object>(ctx: RequestContext, filter: CommonFilter | null | undefined, own: W) {
  const viewer = viewerOf(ctx);
  return {
    AND: [
      visibleRecordWhere(viewer),
      {
        ...(filter?.operationCode ? { operation: { is: { code: filter.operationCode } } } : {}),
        ...(filter?.owner ? { owner: { is: { code: filter.owner } } } : {}),
        ...(filter?.sharingLevel ? { sharingLevel: filter.sharingLevel } : {}),
        ...own,
      },
    ],
  };
}

/**
 * `query` option of a related connection: the sharing predicate (page sizes are checked for
 * the whole document before execution, api/plugins/use-page-limits.ts).
 */
export function relatedRecordsQuery(_args: unknown, ctx: RequestContext) {
  return { where: visibleRecordWhere(viewerOf(ctx)), orderBy: { id: 'asc' as const } };
}

/** Resolves a record's operation, or null when the viewer does not participate in it. */
export function visibleOperation(
  ctx: RequestContext,
  operationId: string | null,
  query: { include?: object; select?: object },
) {
  if (!operationId) return null;
  return ctx.prisma.operation.findFirst({
    ...query,
    where: { id: operationId, ...visibleOperationWhere(viewerOf(ctx)) },
  });
}

/** Resolves a record's den, or null when the viewer may not see it. */
export function visibleDen(ctx: RequestContext, denId: string | null, query: { include?: object; select?: object }) {
  if (!denId) return null;
  return ctx.prisma.scamDen.findFirst({ ...query, where: { id: denId, ...visibleRecordWhere(viewerOf(ctx)) } });
}
