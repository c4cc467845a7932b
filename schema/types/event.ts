// Event, Query.events (polling, by cursor) and Subscription.events (server-sent events): the
// agency's own inbox, read by the rules of schema/events.ts.
import { GraphQLError } from 'graphql';
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import { builder } from '../builder.ts';
import type { RequestContext } from '../context.ts';
import {
  countAgencyEvents,
  EVENT_SCOPES,
  EVENT_TYPES,
  eventPageSize,
  listAgencyEvents,
  mayReadEvents,
  parseEventCursor,
  type AgencyEventView,
} from '../events.ts';
import { viewerOf } from './records.ts';

const EventType = builder.enumType('EventType', {
  description: 'What happened; docs/events.md lists the payload of each type.',
  values: EVENT_TYPES,
});

builder.scalarType('EventPayload', {
  description:
    'The details of an event as a JSON object; its fields depend on the event type (docs/events.md). ' +
    'It never holds an identifier value or a selector hash.',
  serialize: (value) => value,
  parseValue: () => {
    throw new GraphQLError('EventPayload is output only.');
  },
});

const Event = builder.objectRef<AgencyEventView>('Event').implement({
  description: "An event of your agency's inbox.",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The event id, increasing; give it as `after` to continue after this event.' }),
    type: t.field({ type: EventType, resolve: (event) => event.type }),
    occurredAt: t.field({ type: 'DateTime', resolve: (event) => event.occurredAt }),
    payload: t.field({ type: 'EventPayload', resolve: (event) => event.payload }),
  }),
});

const EventConnection = builder.connectionObject({ type: Event, name: 'EventConnection' });

/** The inbox is open to a token with records:read or match:query (schema/events.ts says why). */
const inboxScope = (_parent: unknown, _args: unknown, ctx: RequestContext) =>
  ctx.viewer && !mayReadEvents(ctx.viewer) ? { scope: EVENT_SCOPES[0]! } : { authenticated: true };

builder.queryFields((t) => ({
  events: t.field({
    type: EventConnection,
    description: "Your agency's events after a cursor, oldest first. Needs records:read or match:query.",
    authScopes: inboxScope,
    args: {
      after: t.arg.string({ description: 'The id of the last event you have; omitted: from the first event.' }),
      first: t.arg.int({ description: 'How many events (1 to 100, default 20).' }),
    },
    resolve: async (_root, args, ctx) => {
      const viewer = viewerOf(ctx);
      const after = parseEventCursor(args.after);
      const limit = eventPageSize(args.first);
      const page = await listAgencyEvents(ctx.prisma, viewer.agencyId, after, limit + 1);
      const events = page.slice(0, limit);
      return {
        edges: events.map((event) => ({ cursor: event.id, node: event })),
        pageInfo: {
          hasNextPage: page.length > limit,
          hasPreviousPage: after !== undefined && after > 0n,
          startCursor: events[0]?.id ?? null,
          endCursor: events.at(-1)?.id ?? args.after ?? null,
        },
        totalCount: () => countAgencyEvents(ctx.prisma, viewer.agencyId),
      };
    },
  }),
}));

builder.subscriptionType({});

builder.subscriptionFields((t) => ({
  events: t.field({
    type: Event,
    description:
      "Your agency's events as they happen, over server-sent events. With `after`, first every event after that id " +
      '(so a reconnecting client misses nothing), then new ones. The stream ends when the token expires: reconnect ' +
      'with a new token and `after` = the last id you received. Needs records:read or match:query.',
    authScopes: inboxScope,
    args: { after: t.arg.string({ description: 'The id of the last event you have; omitted: only events from now on.' }) },
    subscribe: (_root, args, ctx) => {
      const viewer = viewerOf(ctx);
      // Checked here as well: the scope rule of the field guards its resolver, and a stream
      // must not even start without the scope.
      if (!mayReadEvents(viewer)) throw new LiaisonError(ErrorCode.FORBIDDEN, 'The token does not grant the scope this field needs.');
      if (!ctx.events) throw new LiaisonError(ErrorCode.SERVICE_UNAVAILABLE, 'Event streams are not available on this gateway.');
      return ctx.events.subscribe(viewer, parseEventCursor(args.after));
    },
    resolve: (event) => event,
  }),
}));
