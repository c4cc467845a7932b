// Intercepted funds: stop-payments, freezes, seizures and returns. Amounts are exact decimals.
import { visibleRecordWhere } from '../sharing.ts';
import { builder } from '../builder.ts';
import { FundAction, FundChannel, SharingLevel } from './enums.ts';
import { recordWhere, viewerOf, visibleDen, visibleOperation } from './records.ts';

export const InterceptedFund = builder.prismaNode('InterceptedFund', {
  id: { field: 'id' },
  nullable: true,
  description: 'An intercepted amount, in its original currency and (when known) in US dollars.',
  findUnique: (id, ctx) => ({ id, ...visibleRecordWhere(viewerOf(ctx)) }),
  fields: (t) => ({
    owner: t.relation('owner'),
    sourceRef: t.exposeString('sourceRef'),
    sharingLevel: t.expose('sharingLevel', { type: SharingLevel }),
    operation: t.prismaField({
      type: 'Operation',
      nullable: true,
      resolve: (query, fund, _args, ctx) => visibleOperation(ctx, fund.operationId, query),
    }),
    amount: t.expose('amount', { type: 'Decimal' }),
    currency: t.exposeString('currency', { description: 'ISO 4217 code or crypto ticker (USDT, BTC, ETH).' }),
    amountUsd: t.expose('amountUsd', {
      type: 'Decimal',
      nullable: true,
      description: "The partner's own USD figure, else converted at the reference rate of actionOn; null without a rate.",
    }),
    channel: t.expose('channel', { type: FundChannel }),
    action: t.expose('action', { type: FundAction }),
    actionOn: t.expose('actionOn', { type: 'Date', nullable: true }),
    accountKey: t.exposeString('accountKey', { nullable: true, description: 'Pseudonym of the account or wallet.' }),
    accountCountry: t.exposeString('accountCountry', { nullable: true }),
    victimCount: t.exposeInt('victimCount', { nullable: true }),
    den: t.prismaField({
      type: 'ScamDen',
      nullable: true,
      resolve: (query, fund, _args, ctx) => visibleDen(ctx, fund.denId, query),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    retractedAt: t.expose('retractedAt', { type: 'DateTime', nullable: true }),
  }),
});

export const InterceptedFundConnection = builder.connectionObject({ type: InterceptedFund, name: 'InterceptedFundConnection' });

export const InterceptedFundFilter = builder.inputType('InterceptedFundFilter', {
  fields: (t) => ({
    operationCode: t.string(),
    owner: t.string({ description: 'Agency code of the owner.' }),
    sharingLevel: t.field({ type: SharingLevel }),
    country: t.string({ description: 'Country of the account, ISO 3166-1 alpha-2.' }),
    status: t.field({ type: FundAction, description: 'The state the funds are in: the action taken on them.' }),
    channel: t.field({ type: FundChannel }),
    currency: t.string(),
  }),
});

builder.queryFields((t) => ({
  interceptedFunds: t.prismaConnection({
    type: 'InterceptedFund',
    cursor: 'id',
    authScopes: { scope: 'records:read' },
    args: { filter: t.arg({ type: InterceptedFundFilter }) },
    totalCount: (_parent, { filter }, ctx) => ctx.prisma.interceptedFund.count({ where: fundWhere(ctx, filter) }),
    resolve: (query, _root, args, ctx) => {
      return ctx.prisma.interceptedFund.findMany({ ...query, where: fundWhere(ctx, args.filter), orderBy: { id: 'asc' } });
    },
  }, InterceptedFundConnection),
}));

function fundWhere(
  ctx: Parameters<typeof recordWhere>[0],
  filter: typeof InterceptedFundFilter.$inferInput | null | undefined,
) {
  return recordWhere(ctx, filter, {
    ...(filter?.country ? { accountCountry: filter.country.toUpperCase() } : {}),
    ...(filter?.status ? { action: filter.status } : {}),
    ...(filter?.channel ? { channel: filter.channel } : {}),
    ...(filter?.currency ? { currency: filter.currency.toUpperCase() } : {}),
  });
}
