// Watches over GraphQL: watch, watches and cancelWatch (schema/watch.ts holds the rules).
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import type { RequestContext } from '../context.ts';
import { MAX_MATCH_IDENTIFIERS, MAX_PURPOSE_LENGTH } from '../match.ts';
import { nodeSelection, pagerOf, resolveRootConnection } from '../paging.ts';
import { cancelWatch, createWatch, DEFAULT_WATCH_DAYS, MAX_WATCH_DAYS, ownWatchesWhere, WATCH_STATUSES, watchStatus } from '../watch.ts';
import { builder } from '../builder.ts';
import { MatchIdentifierInput } from './match.ts';
import { viewerOf } from './records.ts';

const WatchStatus = builder.enumType('WatchStatus', {
  description: 'ACTIVE: fires on later submissions; EXPIRED: past its `until`; CANCELLED: cancelled by your agency. Only ACTIVE ones fire.',
  values: WATCH_STATUSES,
});

export const Watch = builder.prismaObject('Watch', {
  description: 'A standing match of your agency: later submissions of other agencies carrying its identifiers raise WATCH_HIT.',
  fields: (t) => ({
    id: t.exposeID('id'),
    purpose: t.exposeString('purpose', { description: 'Why you watch; the owners of records hit read it.' }),
    caseRef: t.exposeString('caseRef', { nullable: true }),
    identifiers: t.exposeInt('identifiers', { description: 'How many identifiers are watched (their values are never kept).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    until: t.expose('until', { type: 'DateTime', description: 'When the watch stops firing.' }),
    cancelledAt: t.expose('cancelledAt', { type: 'DateTime', nullable: true }),
    status: t.field({ type: WatchStatus, resolve: (w, _args, ctx) => watchStatus(w, ctx.now()) }),
  }),
});

const WatchConnection = builder.connectionObject({ type: Watch, name: 'WatchConnection' });

const WatchInput = builder.inputType('WatchInput', {
  fields: (t) => ({
    identifiers: t.field({ type: [MatchIdentifierInput], required: true, description: `1 to ${MAX_MATCH_IDENTIFIERS} identifiers.` }),
    purpose: t.string({ required: true, description: `Why you watch (at most ${MAX_PURPOSE_LENGTH} characters); the owners of records hit read it.` }),
    caseRef: t.string({ description: 'Your case reference, if any; the owners of records hit read it.' }),
    until: t.field({ type: 'DateTime', description: `When to stop: at most ${MAX_WATCH_DAYS} days ahead (default ${DEFAULT_WATCH_DAYS} days).` }),
  }),
});

const services = (ctx: RequestContext) => {
  if (!ctx.ingest) throw new LiaisonError(ErrorCode.SERVICE_UNAVAILABLE, 'Watches are not available on this gateway.');
  return { pseudonymKey: ctx.ingest.pseudonymKey, now: ctx.now };
};

builder.queryFields((t) => ({
  watches: t.connection(
    {
      type: Watch,
      description: "Your agency's watches, active or not (no other agency's).",
      authScopes: { scope: 'match:query' },
      resolve: (_root, args, ctx, info) =>
        resolveRootConnection(pagerOf(ctx, 'Query.watches'), args, ctx.prisma.watch, {
          where: ownWatchesWhere(viewerOf(ctx)),
          selection: nodeSelection(ctx, info),
        }),
    },
    WatchConnection,
  ),
}));

builder.mutationFields((t) => ({
  watch: t.prismaField({
    type: 'Watch',
    description:
      'Keeps matching these identifiers until `until`: when a later submission of another agency stores a record carrying one, ' +
      'you get WATCH_HIT with a hitRef and the owner MATCH_HIT. The identifiers count against the daily match quota now.',
    authScopes: { scope: 'match:query' },
    args: { input: t.arg({ type: WatchInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const created = await createWatch(ctx.prisma, viewerOf(ctx), input, services(ctx));
      return ctx.prisma.watch.findUniqueOrThrow({ ...query, where: { id: created.id } });
    },
  }),
  cancelWatch: t.prismaField({
    type: 'Watch',
    description: 'Stops one of your watches; it never fires again.',
    authScopes: { scope: 'match:query' },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, { id }, ctx) => {
      const cancelled = await cancelWatch(ctx.prisma, viewerOf(ctx), String(id), ctx.now());
      return ctx.prisma.watch.findUniqueOrThrow({ ...query, where: { id: cancelled.id } });
    },
  }),
}));
