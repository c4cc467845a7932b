// Keyset paging, the one way every connection of the schema pages (root lists and the lists
// under an operation or a den). Rows are ordered by id, which the primary key indexes; a page
// is `WHERE <sharing rules and filter> AND id > <after> AND id < <before> ORDER BY id LIMIT n+1`,
// the extra row telling whether more follow. Cursors are sealed positions (schema/cursor.ts):
// a page starts from the position alone, so a cursor at a row the caller cannot see, or that
// was deleted, or that never existed, pages exactly like any other position. A cursor that
// does not open is refused as PothosValidationError, which the edge answers as BAD_USER_INPUT
// MALFORMED_ID without logging it (api/error-response.ts).
import type { KeyObject } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import { parseCursorConnectionArgs, PothosValidationError } from '@pothos/core';
import { queryFromInfo } from '@pothos/plugin-prisma';
import { isUuid } from '../kernel/ids.ts';
import type { RequestContext } from './context.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

/** Page sizes: `first`/`last` default and ceiling (api/plugins/use-page-limits.ts refuses more). */
export const PAGE_SIZE = { default: 20, max: 100 } as const;

/** The paging arguments of a connection field. */
export type PageArgs = { first?: number | null; last?: number | null; after?: string | null; before?: string | null };

/** Where a connection's cursors are sealed: the deployment's cursor key and the connection's name (`Type.field`). */
export type Pager = { key: KeyObject; connection: string };

/** One page's part of a Prisma query: the id window past the cursors, the direction, one row more than the page. */
export type PageQuery = { where: { id?: { gt?: string; lt?: string } }; orderBy: { id: 'asc' | 'desc' }; take: number };

export type PageConnection<Row> = {
  edges: { cursor: string; node: Row }[];
  pageInfo: { startCursor: string | null; endCursor: string | null; hasPreviousPage: boolean; hasNextPage: boolean };
  totalCount: () => number | Promise<number>;
};

function pageShape(args: PageArgs) {
  return parseCursorConnectionArgs({ args, defaultSize: PAGE_SIZE.default, maxSize: PAGE_SIZE.max });
}

/** The id a cursor of this connection is at; anything else is refused without quoting it. */
function idAt(pager: Pager, cursor: string): string {
  const position = decodeCursor(pager.key, pager.connection, cursor);
  const id = position?.length === 1 ? position[0] : undefined;
  if (id === undefined || !isUuid(id)) throw new PothosValidationError('Invalid cursor');
  return id;
}

/** The keyset part of one page's query, to combine (AND) with the connection's own `where`. */
export function pageQuery(pager: Pager, args: PageArgs): PageQuery {
  const { limit, inverted } = pageShape(args);
  const after = args.after != null ? idAt(pager, args.after) : undefined;
  const before = args.before != null ? idAt(pager, args.before) : undefined;
  const window = { ...(after === undefined ? {} : { gt: after }), ...(before === undefined ? {} : { lt: before }) };
  return {
    where: after === undefined && before === undefined ? {} : { id: window },
    orderBy: { id: inverted ? 'desc' : 'asc' },
    take: limit,
  };
}

/**
 * The page of the rows a `pageQuery` fetched (in fetch order, one more than asked when more
 * follow): the rows to show, in the connection's order, and whether pages lie on either side.
 */
export function cutPage<Row>(args: PageArgs, rows: readonly Row[]): { page: Row[]; hasPreviousPage: boolean; hasNextPage: boolean } {
  const { expectedSize, inverted, hasPreviousPage, hasNextPage } = pageShape(args);
  const page = rows.slice(0, expectedSize);
  if (inverted) page.reverse();
  return { page, hasPreviousPage: hasPreviousPage(rows.length), hasNextPage: hasNextPage(rows.length) };
}

/** The sealed cursor of the edge at row `id` (an AES-GCM seal: made only for cursors a document reads). */
export function cursorAt(pager: Pager, id: string): string {
  return encodeCursor(pager.key, pager.connection, [id]);
}

/** The connection of the rows a `pageQuery` fetched, in order, with a cursor per edge; totalCount runs only when asked. */
export function pageConnection<Row extends { id: string }>(
  pager: Pager,
  args: PageArgs,
  rows: readonly Row[],
  totalCount: () => number | Promise<number>,
): PageConnection<Row> {
  const { page, hasPreviousPage, hasNextPage } = cutPage(args, rows);
  // Sealing a cursor is an AES-GCM encryption: done only for the cursors the document reads
  // (a page of 50 dens with 10 suspects and 10 funds each is 1,050 edges; profile in docs/architecture.md).
  const edges = page.map((node) => lazyEdge(pager, node));
  return {
    edges,
    pageInfo: {
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges.at(-1)?.cursor ?? null;
      },
      hasPreviousPage,
      hasNextPage,
    },
    totalCount,
  };
}

/** An edge whose cursor is sealed when first read, then kept. */
function lazyEdge<Row extends { id: string }>(pager: Pager, node: Row): { cursor: string; node: Row } {
  let cursor: string | undefined;
  return {
    node,
    get cursor() {
      cursor ??= cursorAt(pager, node.id);
      return cursor;
    },
  };
}

/** The pager of one connection in this request. */
export function pagerOf(ctx: RequestContext, connection: string): Pager {
  return { key: ctx.cursorKey, connection };
}

/** What the document asks of each node of a connection, as a Prisma `select`/`include`. */
export function nodeSelection(ctx: RequestContext, info: GraphQLResolveInfo): object {
  return queryFromInfo({ context: ctx, info, path: ['edges', 'node'] });
}

/** A Prisma model's list and count, as a root connection reads them. */
type Source<Row> = { findMany(args: object): Promise<Row[]>; count(args: { where: object }): Promise<number> };

/**
 * A root connection's page: rows of `source` under `where` and the page's id window, loading
 * `selection` (what the document asks of each node), and the count under `where` alone.
 */
export async function resolveRootConnection<Row extends { id: string }>(
  pager: Pager,
  args: PageArgs,
  source: Source<Row>,
  query: { where: object; selection: object },
): Promise<PageConnection<Row>> {
  const page = pageQuery(pager, args);
  const rows = await source.findMany({ ...query.selection, where: { AND: [query.where, page.where] }, orderBy: page.orderBy, take: page.take });
  return pageConnection(pager, args, rows, () => source.count({ where: query.where }));
}

type NestedSelection = (selection: object, path: string[]) => object;
type CountDelegate = { findUnique(args: object): Promise<{ _count: Record<string, number> } | null> };

/**
 * `select` and `resolve` of a connection over a list relation of a Prisma object (an
 * operation's records, a den's suspects): the page is loaded with the parent row, in the
 * parent's query, under `where` (the sharing rules) and the page's id window; totalCount
 * counts the relation under `where` alone, only when asked.
 */
export function relatedConnection<Row extends { id: string }>(options: {
  connection: string;
  parentModel: 'operation' | 'scamDen';
  relation: string;
  where: (ctx: RequestContext) => object;
}) {
  const { connection, parentModel, relation } = options;
  return {
    select: (args: PageArgs, ctx: RequestContext, nested: NestedSelection) => {
      const page = pageQuery(pagerOf(ctx, connection), args);
      // The id at least: a page read only for its pageInfo still needs its rows' cursors.
      const query = { where: { AND: [options.where(ctx), page.where] }, orderBy: page.orderBy, take: page.take, select: { id: true } };
      return { id: true, [relation]: nested(query, ['edges', 'node']) };
    },
    resolve: (parent: { id: string }, args: PageArgs, ctx: RequestContext) => {
      const rows = (parent as unknown as Record<string, Row[] | undefined>)[relation] ?? [];
      return pageConnection(pagerOf(ctx, connection), args, rows, async () => {
        const delegate = ctx.prisma[parentModel] as unknown as CountDelegate;
        const counted = await delegate.findUnique({
          where: { id: parent.id },
          select: { _count: { select: { [relation]: { where: options.where(ctx) } } } },
        });
        return counted?._count[relation] ?? 0;
      });
    },
  };
}
