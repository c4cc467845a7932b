// Suspects: pseudonymized persons. No name, document or phone is stored; `personKey` is the
// pseudonym that links reports of the same person by different agencies.
import { visibleRecordWhere } from '../sharing.ts';
import { builder } from '../builder.ts';
import { Sex, SuspectRole, SuspectStatus } from './enums.ts';
import { addProvenanceFields, addRecordConnection, commonFilterFields, viewerOf, visibleDen } from './records.ts';

export const Suspect = builder.prismaNode('Suspect', {
  id: { field: 'id' },
  nullable: true,
  description: 'A suspect (or trafficked person) as reported by one agency.',
  findUnique: (id, ctx) => ({ id, ...visibleRecordWhere(viewerOf(ctx)) }),
  fields: (t) => ({
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
  }),
});

addProvenanceFields('Suspect');

export const SuspectConnection = builder.connectionObject({ type: Suspect, name: 'SuspectConnection' });

export const SuspectFilter = builder.inputType('SuspectFilter', {
  fields: (t) => ({
    ...commonFilterFields(t, { country: 'Nationality, ISO 3166-1 alpha-2.', status: SuspectStatus }),
    role: t.field({ type: SuspectRole }),
    personKey: t.string({ description: 'Every visible report of one person.' }),
    traffickingVictim: t.boolean(),
  }),
});

addRecordConnection({
  field: 'suspects',
  model: 'Suspect',
  node: Suspect,
  connection: SuspectConnection,
  filter: SuspectFilter,
  columns: { country: 'nationality', status: 'status' },
  own: (filter) => ({
    ...(filter?.role ? { role: filter.role } : {}),
    ...(filter?.personKey ? { personKey: filter.personKey } : {}),
    ...(filter?.traffickingVictim != null ? { traffickingVictim: filter.traffickingVictim } : {}),
  }),
});
