// Agencies (partners of the exchange) and the viewer (`me`).
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

type ViewerShape = { agencyId: string; subject: string; scopes: Scope[] };

export const Viewer = builder.objectRef<ViewerShape>('Viewer').implement({
  description: 'Who is asking: the agency whose key signed the token, the officer, the granted scopes.',
  fields: (t) => ({
    agency: t.prismaField({
      type: 'Agency',
      resolve: (query, viewer, _args, ctx) =>
        ctx.prisma.agency.findUniqueOrThrow({ ...query, where: { id: viewer.agencyId } }),
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
