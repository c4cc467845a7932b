// What the three shared record types (ScamDen, Suspect, InterceptedFund) have in common, written
// once: the provenance fields with their descriptions, the common filter arguments, the `where`
// that joins a filter to the viewer's sharing rules, and the root connection. A new common field
// or filter is added here and appears on all three. Filters run in the database, after the
// sharing predicate.
import type { EnumRef } from '@pothos/core';
import type { GraphQLResolveInfo } from 'graphql';
import type { SharingLevel as SharingLevelName } from '../../prisma/generated/client/enums.ts';
import type { RequestContext } from '../context.ts';
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import { operationCodeWhere } from '../../kernel/operation-code.ts';
import { visibleOperationWhere, visibleRecordWhere } from '../sharing.ts';
import { builder } from '../builder.ts';
import { compileRecordConnection, type RecordFilter } from '../compiled/compile.ts';
import { nodeSelection, pagerOf, relatedConnection, resolveRootConnection, type PageArgs, type PageConnection } from '../paging.ts';
import { HandlingCode, SharingLevel, SourceReliability } from './enums.ts';
import { exposedKeyForViewer, exposedKeysOf, openExposedKey } from '../exposed-keys.ts';

/** The builder's type parameters, for helpers that take Pothos field builders. */
export type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
export type SharedModel = 'ScamDen' | 'Suspect' | 'InterceptedFund';

/** The viewer of a request that passed authentication (every record field requires it). */
export function viewerOf(ctx: RequestContext) {
  if (!ctx.viewer) throw new LiaisonError(ErrorCode.UNAUTHENTICATED, 'Authentication required.');
  return ctx.viewer;
}

/** A stored pseudonym (personKey, accountKey) as the viewer is shown it (schema/exposed-keys.ts). */
export function exposedKeyFor(ctx: RequestContext, ownerId: string, storedKey: string): string {
  return exposedKeyForViewer(ctx.cursorKey, viewerOf(ctx).agencyId, ownerId, storedKey);
}

/** The owner and stored key behind a key shown to the viewer; anything else is an input error naming `field`. */
export function openedKeyFor(ctx: RequestContext, shown: string, field: string): { ownerId: string; storedKey: string } {
  const opened = openExposedKey(exposedKeysOf(ctx.cursorKey), viewerOf(ctx).agencyId, shown);
  if (!opened) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `${field}: not a key this gateway showed your agency`, {
      issues: [{ field, code: 'MALFORMED_ID', message: 'a key as shown to your agency' }],
    });
  }
  return opened;
}

/** Descriptions of the provenance fields, the same on the three record types. */
const PROVENANCE = {
  owner: 'The agency that reported the record.',
  sourceRef: "The owner's own reference for the record (unique per owner and record type).",
  sharingLevel: 'Who else may see the record: CLEAR and GREEN every partner, AMBER the participants of its operation, RED the owner only.',
  operation: 'The joint operation, when the viewer participates in it.',
  createdAt: 'When the gateway first stored the record.',
  updatedAt: 'When the record was last changed.',
  retractedAt: 'When the owner retracted the record; a retracted record is visible to its owner only.',
  retractionReason: 'Why the owner retracted the record.',
  handling: "How the record may be used (H0 law-enforcement use only … H3 other restrictions, see handlingNote).",
  handlingNote: 'With H3: the restrictions, in the owner’s words.',
  sourceReliability: 'Reliability of the source (A reliable, B mostly reliable, C not reliable, X cannot be assessed).',
  informationAssessment: 'Assessment of the information: 1 known true, 2 known to the source, 3 corroborated, 4 cannot be judged.',
  matchable: 'False when the owner keeps the record out of matching (it never answers a match).',
} as const;

/** Adds the provenance fields to one shared record type (called once per type, beside its definition). */
export function addProvenanceFields(model: SharedModel) {
  builder.prismaObjectFields(model, (t) => ({
    owner: t.relation('owner', { description: PROVENANCE.owner }),
    sourceRef: t.exposeString('sourceRef', { description: PROVENANCE.sourceRef }),
    sharingLevel: t.expose('sharingLevel', { type: SharingLevel, description: PROVENANCE.sharingLevel }),
    operation: t.prismaField({
      type: 'Operation',
      nullable: true,
      description: PROVENANCE.operation,
      resolve: (query, record, _args, ctx) => visibleOperation(ctx, record.operationId, query),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: PROVENANCE.createdAt }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: PROVENANCE.updatedAt }),
    retractedAt: t.expose('retractedAt', { type: 'DateTime', nullable: true, description: PROVENANCE.retractedAt }),
    retractionReason: t.exposeString('retractionReason', { nullable: true, description: PROVENANCE.retractionReason }),
    handling: t.expose('handling', { type: HandlingCode, description: PROVENANCE.handling }),
    handlingNote: t.exposeString('handlingNote', { nullable: true, description: PROVENANCE.handlingNote }),
    sourceReliability: t.expose('sourceReliability', { type: SourceReliability, description: PROVENANCE.sourceReliability }),
    informationAssessment: t.exposeInt('informationAssessment', { description: PROVENANCE.informationAssessment }),
    matchable: t.exposeBoolean('matchable', { description: PROVENANCE.matchable }),
  }));
}

/**
 * The filter arguments every record list takes. `country` and `status` mean a different column
 * per type (a den's country, a suspect's nationality, a fund's account country; a fund's status
 * is its action), named by `FilterColumns`.
 */
export function commonFilterFields<Status extends string>(
  t: PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>,
  of: { country: string; status: EnumRef<Types, Status>; statusDescription?: string },
) {
  return {
    operationCode: t.string({ description: 'Code of the joint operation: CODE, or LEAD/CODE for one lead’s.' }),
    owner: t.string({ description: 'Agency code of the owner.' }),
    sharingLevel: t.field({ type: SharingLevel }),
    country: t.string({ description: of.country }),
    status: t.field({ type: of.status, ...(of.statusDescription ? { description: of.statusDescription } : {}) }),
  };
}

export type CommonFilter = {
  operationCode?: string | null;
  owner?: string | null;
  sharingLevel?: SharingLevelName | null;
  country?: string | null;
  status?: string | null;
};

/** The columns the common `country` and `status` filters read on one record type. */
export type FilterColumns = { country: string; status: string };

/** Sharing predicate AND the filter's common and own conditions, as one Prisma `where`. */
export function recordWhere(ctx: RequestContext, filter: CommonFilter | null | undefined, columns: FilterColumns, own: object) {
  const viewer = viewerOf(ctx);
  return {
    AND: [
      visibleRecordWhere(viewer),
      {
        // Only the viewer's own operations: a hidden operation's code must filter to nothing,
        // exactly like a code that does not exist (else it tells which records belong to it).
        ...(filter?.operationCode ? { operation: { is: { ...operationCodeWhere(filter.operationCode), ...visibleOperationWhere(viewer) } } } : {}),
        ...(filter?.owner ? { owner: { is: { code: filter.owner } } } : {}),
        ...(filter?.sharingLevel ? { sharingLevel: filter.sharingLevel } : {}),
        ...(filter?.country ? { [columns.country]: filter.country.toUpperCase() } : {}),
        ...(filter?.status ? { [columns.status]: filter.status } : {}),
        ...own,
      },
    ],
  };
}

/** The part of a record model's Prisma delegate the root connection uses. */
type RecordDelegate<Row = { id: string }> = { count(args: { where: object }): Promise<number>; findMany(args: object): Promise<Row[]> };
const DELEGATE = { ScamDen: 'scamDen', Suspect: 'suspect', InterceptedFund: 'interceptedFund' } as const;

/**
 * The root connection of one record type (`scamDens`, `suspects`, `interceptedFunds`): the
 * `records:read` scope, the filter argument, totalCount and keyset pages (schema/paging.ts)
 * under the same `where`, ordered by id.
 */
export function addRecordConnection<Filter extends CommonFilter>(options: {
  field: string;
  model: SharedModel;
  node: object;
  connection: object;
  filter: PothosSchemaTypes.InputObjectRef<Types, Filter>;
  columns: FilterColumns;
  own: (filter: Filter | null | undefined, ctx: RequestContext) => object;
}) {
  const where = (ctx: RequestContext, filter: Filter | null | undefined) => recordWhere(ctx, filter, options.columns, options.own(filter, ctx));
  const delegate = (ctx: RequestContext) => ctx.prisma[DELEGATE[options.model]] as unknown as RecordDelegate;
  // Pothos types a connection per node type; over the union of the three it cannot, so the
  // options are checked here by hand and handed over untyped.
  builder.queryField(options.field, (t) =>
    t.connection(
      {
        type: options.node,
        authScopes: { scope: 'records:read' },
        args: { filter: t.arg({ type: options.filter }) },
        // One compiled SQL statement when the selection compiles (schema/compiled/), else the Prisma path.
        resolve: async (_root: unknown, args: PageArgs & { filter?: Filter | null }, ctx: RequestContext, info: GraphQLResolveInfo) =>
          (ctx.compiledReads
            ? await compileRecordConnection(ctx, viewerOf(ctx), info, options.model, `Query.${options.field}`, args, {
                kind: 'root',
                filter: args.filter as RecordFilter | null | undefined,
              })
            : undefined) ??
          resolveRootConnection(pagerOf(ctx, `Query.${options.field}`), args, delegate(ctx), {
            where: where(ctx, args.filter),
            selection: nodeSelection(ctx, info),
          }),
      } as never,
      options.connection as never,
    ),
  );
}

/**
 * Options of a record list under an operation or a den (`Operation.suspects`,
 * `ScamDen.interceptedFunds`…): keyset pages of the relation under the sharing rules.
 */
export function relatedRecords<Node extends { $inferType: { id: string } }>(
  node: Node,
  connection: string,
  parentModel: 'operation' | 'scamDen',
  relation: string,
) {
  const page = relatedConnection<Node['$inferType']>({ connection, parentModel, relation, where: (ctx) => visibleRecordWhere(viewerOf(ctx)) });
  return { type: node, ...page };
}

/**
 * Options of a record list under an operation (`Operation.scamDens`, `.suspects`,
 * `.interceptedFunds`): with compiled reads on, one statement per list (schema/compiled/) and the
 * operation row loads only its id; a selection the compiler does not know is paged by Prisma as
 * a root list is, under the sharing rules and the operation. Without compiled reads, as relatedRecords.
 */
export function operationRecords<Node extends { $inferType: { id: string } }>(node: Node, model: SharedModel, connection: string, relation: string) {
  const prismaPath = relatedConnection<Node['$inferType']>({ connection, parentModel: 'operation', relation, where: (ctx) => visibleRecordWhere(viewerOf(ctx)) });
  return {
    type: node,
    select: (args: PageArgs, ctx: RequestContext, nested: Parameters<typeof prismaPath.select>[2]) =>
      ctx.compiledReads ? { id: true } : prismaPath.select(args, ctx, nested),
    resolve: async (parent: { id: string }, args: PageArgs, ctx: RequestContext, info: GraphQLResolveInfo): Promise<PageConnection<Node['$inferType']>> => {
      if (!ctx.compiledReads) return prismaPath.resolve(parent, args, ctx);
      const viewer = viewerOf(ctx);
      const compiled = await compileRecordConnection(ctx, viewer, info, model, connection, args, { kind: 'operation', operationId: parent.id });
      // A compiled node answers every field from its prepared values (schema/compiled/prepared.ts).
      return (
        (compiled as PageConnection<Node['$inferType']> | undefined) ??
        resolveRootConnection<Node['$inferType']>(pagerOf(ctx, connection), args, ctx.prisma[DELEGATE[model]] as unknown as RecordDelegate<Node['$inferType']>, {
          where: { AND: [visibleRecordWhere(viewer), { operationId: parent.id }] },
          selection: nodeSelection(ctx, info),
        })
      );
    },
  };
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
