// Suspects: pseudonymized persons. No name, document or phone is stored; `personKey` is the
// pseudonym that links reports of the same person by different agencies.
import { visibleRecordWhere } from '../sharing.ts';
import { builder } from '../builder.ts';
import { Sex, SuspectRole, SuspectStatus } from './enums.ts';
import { addProvenanceFields, addRecordConnection, commonFilterFields, exposedKeyFor, openedKeyFor, viewerOf, visibleDen } from './records.ts';
import type { RequestContext } from '../context.ts';

export const Suspect = builder.prismaNode('Suspect', {
  id: { field: 'id' },
  nullable: true,
  description: 'A suspect (or trafficked person) as reported by one agency.',
  findUnique: (id, ctx) => ({ id, ...visibleRecordWhere(viewerOf(ctx)) }),
  fields: (t) => ({
    personKey: t.string({
      description:
        "Pseudonym of the person as your agency sees it for this record's owner: one agency's reports of one person share it; " +
        "keys of different owners are never comparable (links across agencies come from governed `match`).",
      resolve: (suspect, _args, ctx) => exposedKeyFor(ctx, suspect.ownerId, suspect.personKey),
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
      description:
        'Other agencies whose reports of the same person the viewer may see, never the viewer itself; empty on your own records ' +
        '(whether partners know your own suspect is asked with `match`, which is governed).',
      resolve: (query, suspect, _args, ctx) =>
        suspect.ownerId === viewerOf(ctx).agencyId
          ? []
          : ctx.prisma.agency.findMany({
              ...query,
              where: {
                id: { notIn: [suspect.ownerId, viewerOf(ctx).agencyId] },
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
    personKey: t.string({ description: 'Every visible report of one person by one owner: a personKey as shown to you.' }),
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
  own: (filter, ctx) => ({
    ...(filter?.role ? { role: filter.role } : {}),
    ...(filter?.personKey ? personKeyWhere(ctx, filter.personKey) : {}),
    ...(filter?.traffickingVictim != null ? { traffickingVictim: filter.traffickingVictim } : {}),
  }),
});

/** The stored key behind a personKey shown to the viewer: only that owner's reports of the person. */
function personKeyWhere(ctx: RequestContext, shown: string) {
  const opened = openedKeyFor(ctx, shown, 'filter.personKey');
  return { ownerId: opened.ownerId, personKey: opened.storedKey };
}
