// Intercepted funds: stop-payments, freezes, seizures and returns. Amounts are exact decimals.
import { visibleRecordWhere } from '../sharing.ts';
import { builder } from '../builder.ts';
import { FundAction, FundChannel } from './enums.ts';
import { addProvenanceFields, addRecordConnection, commonFilterFields, exposedKeyFor, viewerOf, visibleDen } from './records.ts';

export const InterceptedFund = builder.prismaNode('InterceptedFund', {
  id: { field: 'id' },
  nullable: true,
  description: 'An intercepted amount, in its original currency and (when known) in US dollars.',
  findUnique: (id, ctx) => ({ id, ...visibleRecordWhere(viewerOf(ctx)) }),
  fields: (t) => ({
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
    accountKey: t.string({
      nullable: true,
      description: "Pseudonym of the account or wallet as your agency sees it for this record's owner (never comparable across owners).",
      resolve: (fund, _args, ctx) => (fund.accountKey === null ? null : exposedKeyFor(ctx, fund.ownerId, fund.accountKey)),
    }),
    accountCountry: t.exposeString('accountCountry', { nullable: true }),
    victimCount: t.exposeInt('victimCount', { nullable: true }),
    den: t.prismaField({
      type: 'ScamDen',
      nullable: true,
      resolve: (query, fund, _args, ctx) => visibleDen(ctx, fund.denId, query),
    }),
  }),
});

addProvenanceFields('InterceptedFund');

export const InterceptedFundConnection = builder.connectionObject({ type: InterceptedFund, name: 'InterceptedFundConnection' });

export const InterceptedFundFilter = builder.inputType('InterceptedFundFilter', {
  fields: (t) => ({
    ...commonFilterFields(t, {
      country: 'Country of the account, ISO 3166-1 alpha-2.',
      status: FundAction,
      statusDescription: 'The state the funds are in: the action taken on them.',
    }),
    channel: t.field({ type: FundChannel }),
    currency: t.string(),
  }),
});

addRecordConnection({
  field: 'interceptedFunds',
  model: 'InterceptedFund',
  node: InterceptedFund,
  connection: InterceptedFundConnection,
  filter: InterceptedFundFilter,
  columns: { country: 'accountCountry', status: 'action' },
  own: (filter) => ({
    ...(filter?.channel ? { channel: filter.channel } : {}),
    ...(filter?.currency ? { currency: filter.currency.toUpperCase() } : {}),
  }),
});
