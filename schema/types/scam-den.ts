// Scam dens: the call-centre compounds and hubs that run the fraud.
import { visibleRecordWhere } from '../sharing.ts';
import { builder } from '../builder.ts';
import { DenStatus, DenType, SharingLevel } from './enums.ts';
import { InterceptedFundConnection } from './intercepted-fund.ts';
import { recordWhere, relatedRecordsQuery, viewerOf, visibleOperation } from './records.ts';
import { SuspectConnection } from './suspect.ts';

export const ScamDen = builder.prismaNode('ScamDen', {
  id: { field: 'id' },
  nullable: true,
  description: 'A scam den (compound, call centre, hub). Location is coarse: country, region, geohash ≤ 5.',
  findUnique: (id, ctx) => ({ id, ...visibleRecordWhere(viewerOf(ctx)) }),
  fields: (t) => ({
    owner: t.relation('owner', { description: 'The agency that reported the record.' }),
    sourceRef: t.exposeString('sourceRef', { description: "The owner's own reference for the record." }),
    sharingLevel: t.expose('sharingLevel', { type: SharingLevel }),
    operation: t.prismaField({
      type: 'Operation',
      nullable: true,
      description: 'The joint operation, when the viewer participates in it.',
      resolve: (query, den, _args, ctx) => visibleOperation(ctx, den.operationId, query),
    }),
    country: t.exposeString('country'),
    region: t.exposeString('region', { nullable: true }),
    geohash: t.exposeString('geohash', { nullable: true, description: 'Geohash of precision 5 at most (~5 km).' }),
    denType: t.expose('denType', { type: DenType }),
    status: t.expose('status', { type: DenStatus }),
    raidedOn: t.expose('raidedOn', { type: 'Date', nullable: true }),
    devicesSeized: t.exposeInt('devicesSeized', { nullable: true }),
    firstSeenOn: t.expose('firstSeenOn', { type: 'Date', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    retractedAt: t.expose('retractedAt', { type: 'DateTime', nullable: true }),
    suspects: t.relatedConnection('suspects', { cursor: 'id', totalCount: true, query: relatedRecordsQuery }, SuspectConnection),
    interceptedFunds: t.relatedConnection(
      'funds',
      { cursor: 'id', totalCount: true, query: relatedRecordsQuery },
      InterceptedFundConnection,
    ),
  }),
});

export const ScamDenConnection = builder.connectionObject({ type: ScamDen, name: 'ScamDenConnection' });

export const ScamDenFilter = builder.inputType('ScamDenFilter', {
  fields: (t) => ({
    operationCode: t.string(),
    owner: t.string({ description: 'Agency code of the owner.' }),
    sharingLevel: t.field({ type: SharingLevel }),
    country: t.string({ description: 'ISO 3166-1 alpha-2.' }),
    status: t.field({ type: DenStatus }),
    denType: t.field({ type: DenType }),
  }),
});

builder.queryFields((t) => ({
  scamDens: t.prismaConnection({
    type: 'ScamDen',
    cursor: 'id',
    authScopes: { scope: 'records:read' },
    args: { filter: t.arg({ type: ScamDenFilter }) },
    totalCount: (_parent, { filter }, ctx) => ctx.prisma.scamDen.count({ where: denWhere(ctx, filter) }),
    resolve: (query, _root, args, ctx) => {
      return ctx.prisma.scamDen.findMany({ ...query, where: denWhere(ctx, args.filter), orderBy: { id: 'asc' } });
    },
  }, ScamDenConnection),
}));

function denWhere(ctx: Parameters<typeof recordWhere>[0], filter: typeof ScamDenFilter.$inferInput | null | undefined) {
  return recordWhere(ctx, filter, {
    ...(filter?.country ? { country: filter.country.toUpperCase() } : {}),
    ...(filter?.status ? { status: filter.status } : {}),
    ...(filter?.denType ? { denType: filter.denType } : {}),
  });
}
