// Agencies (partners of the exchange) and the viewer (`me`).
import { Kind, type GraphQLResolveInfo } from 'graphql';
import type { Scope } from '../context.ts';
import { builder } from '../builder.ts';
import { AgencyStatus } from './enums.ts';

export const Agency = builder.prismaObject('Agency', {
  description: 'A partner agency of the exchange.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Agency code, e.g. ES-PN; the `iss` of its tokens.' }),
    name: t.exposeString('name'),
    country: t.exposeString('country', { description: 'ISO 3166-1 alpha-2.' }),
    status: t.expose('status', { type: AgencyStatus }),
  }),
});

type ViewerShape = { agencyId: string; agencyCode: string; agencyName: string; subject: string; scopes: Scope[] };

/**
 * Agency fields the verified token already answers: its code and name were read with the
 * token's keys in this request, and an admitted agency is active (a suspended one is refused).
 */
const KNOWN_FROM_TOKEN = new Set(['code', 'name', 'status', '__typename']);

/** True when `me.agency` asks only for fields the token check already read (plain fields, no fragments). */
const answeredByToken = (info: GraphQLResolveInfo) =>
  info.fieldNodes.every((node) =>
    (node.selectionSet?.selections ?? []).every((s) => s.kind === Kind.FIELD && KNOWN_FROM_TOKEN.has(s.name.value) && !s.directives?.length),
  );

export const Viewer = builder.objectRef<ViewerShape>('Viewer').implement({
  description: 'Who is asking: the agency whose key signed the token, the officer, the granted scopes.',
  fields: (t) => ({
    agency: t.prismaField({
      type: 'Agency',
      // `{ me { agency { code } } }` is the cheapest call a partner makes: it costs no statement.
      resolve: (query, viewer, _args, ctx, info) =>
        answeredByToken(info)
          ? ({ id: viewer.agencyId, code: viewer.agencyCode, name: viewer.agencyName, status: 'ACTIVE' } as Awaited<ReturnType<typeof ctx.prisma.agency.findUniqueOrThrow>>)
          : ctx.prisma.agency.findUniqueOrThrow({ ...query, where: { id: viewer.agencyId } }),
    }),
    subject: t.exposeString('subject', { description: 'The `sub` of the token (officer or system id).' }),
    scopes: t.stringList({ resolve: (viewer) => viewer.scopes }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({
    type: Viewer,
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => ctx.viewer!,
  }),
  agencies: t.prismaField({
    type: ['Agency'],
    description: 'Every partner agency, active or suspended.',
    authScopes: { authenticated: true },
    resolve: (query, _root, _args, ctx) => ctx.prisma.agency.findMany({ ...query, orderBy: { code: 'asc' } }),
  }),
}));
