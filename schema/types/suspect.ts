// Suspects: pseudonymized persons. No name, document or phone is stored; `personKey` is the
// pseudonym that links reports of the same person by different agencies.
import { visibleRecordWhere } from '../sharing.ts';
import { builder } from '../builder.ts';
import { Sex, SharingLevel, SuspectRole, SuspectStatus } from './enums.ts';
import { recordWhere, viewerOf, visibleDen, visibleOperation } from './records.ts';

export const Suspect = builder.prismaNode('Suspect', {
  id: { field: 'id' },
  nullable: true,
  description: 'A suspect (or trafficked person) as reported by one agency.',
  findUnique: (id, ctx) => ({ id, ...visibleRecordWhere(viewerOf(ctx)) }),
  fields: (t) => ({
    owner: t.relation('owner'),
    sourceRef: t.exposeString('sourceRef'),
    sharingLevel: t.expose('sharingLevel', { type: SharingLevel }),
    operation: t.prismaField({
      type: 'Operation',
      nullable: true,
      resolve: (query, suspect, _args, ctx) => visibleOperation(ctx, suspect.operationId, query),
    }),
    personKey: t.exposeString('personKey', {
      description: 'Pseudonym of the person: equal keys from different agencies are the same person.',
    }),
    nationality: t.exposeString('nationality', { nullable: true }),
    birthYear: t.exposeInt('birthYear', { nullable: true }),
    sex: t.expose('sex', { type: Sex }),
    role: t.expose('role', { type: SuspectRole }),
    status: t.expose('status', { type: SuspectStatus }),
    statusOn: t.expose('statusOn', { type: 'Date', nullable: true }),
    traffickingVictim: t.exposeBoolean('traffickingVictim'),
    den: t.prismaField({
      type: 'ScamDen',
      nullable: true,
      description: 'The den the suspect was found in, when the viewer may see it.',
      resolve: (query, suspect, _args, ctx) => visibleDen(ctx, suspect.denId, query),
    }),
    alsoReportedBy: t.prismaField({
      type: ['Agency'],
      description: 'Other agencies whose reports of the same person (same personKey) the viewer may see.',
      resolve: (query, suspect, _args, ctx) =>
        ctx.prisma.agency.findMany({
          ...query,
          where: {
            id: { not: suspect.ownerId },
            suspects: { some: { AND: [{ personKey: suspect.personKey }, visibleRecordWhere(viewerOf(ctx))] } },
          },
          orderBy: { code: 'asc' },
        }),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    retractedAt: t.expose('retractedAt', { type: 'DateTime', nullable: true }),
  }),
});

export const SuspectConnection = builder.connectionObject({ type: Suspect, name: 'SuspectConnection' });

export const SuspectFilter = builder.inputType('SuspectFilter', {
  fields: (t) => ({
    operationCode: t.string(),
    owner: t.string({ description: 'Agency code of the owner.' }),
    sharingLevel: t.field({ type: SharingLevel }),
    country: t.string({ description: 'Nationality, ISO 3166-1 alpha-2.' }),
    status: t.field({ type: SuspectStatus }),
    role: t.field({ type: SuspectRole }),
    personKey: t.string({ description: 'Every visible report of one person.' }),
    traffickingVictim: t.boolean(),
  }),
});

builder.queryFields((t) => ({
  suspects: t.prismaConnection({
    type: 'Suspect',
    cursor: 'id',
    authScopes: { scope: 'records:read' },
    args: { filter: t.arg({ type: SuspectFilter }) },
    totalCount: (_parent, { filter }, ctx) => ctx.prisma.suspect.count({ where: suspectWhere(ctx, filter) }),
    resolve: (query, _root, args, ctx) => {
      return ctx.prisma.suspect.findMany({ ...query, where: suspectWhere(ctx, args.filter), orderBy: { id: 'asc' } });
    },
  }, SuspectConnection),
}));

function suspectWhere(
  ctx: Parameters<typeof recordWhere>[0],
  filter: typeof SuspectFilter.$inferInput | null | undefined,
) {
  return recordWhere(ctx, filter, {
    ...(filter?.country ? { nationality: filter.country.toUpperCase() } : {}),
    ...(filter?.status ? { status: filter.status } : {}),
    ...(filter?.role ? { role: filter.role } : {}),
    ...(filter?.personKey ? { personKey: filter.personKey } : {}),
    ...(filter?.traffickingVictim != null ? { traffickingVictim: filter.traffickingVictim } : {}),
  });
}
