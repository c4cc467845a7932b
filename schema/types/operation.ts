// Joint operations, their participants, their summary totals and their records.
// An operation (and so its summary) is visible to its participants only; to anyone else it
// does not exist.
import {
  addOperationParticipant,
  cachedOperationSummary,
  createOperation,
  type operationSummary,
} from '../operations.ts';
import { nodeSelection, pagerOf, resolveRootConnection } from '../paging.ts';
import { visibleOperationWhere } from '../sharing.ts';
import { builder } from '../builder.ts';
import { formatDate } from '../scalars.ts';
import { OperationStatus } from './enums.ts';
import { InterceptedFund, InterceptedFundConnection } from './intercepted-fund.ts';
import { relatedRecords, viewerOf } from './records.ts';
import { ScamDen, ScamDenConnection } from './scam-den.ts';
import { Suspect, SuspectConnection } from './suspect.ts';

const CurrencyAmount = builder.objectRef<{ currency: string; amount: string }>('CurrencyAmount').implement({
  fields: (t) => ({
    currency: t.exposeString('currency'),
    amount: t.expose('amount', { type: 'Decimal', description: 'Exact sum in the original currency.' }),
  }),
});

const OperationSummary = builder
  .objectRef<Awaited<ReturnType<typeof operationSummary>>>('OperationSummary')
  .implement({
    description:
      'Totals over every record of the operation, whatever its sharing level. Persons are counted once (by personKey).',
    fields: (t) => ({
      countries: t.exposeInt('countries', { description: "Distinct countries of the operation's dens." }),
      scamDens: t.exposeInt('scamDens'),
      densRaided: t.exposeInt('densRaided', { description: 'Dens with status RAIDED or DISMANTLED.' }),
      suspects: t.exposeInt('suspects', { description: 'Distinct persons.' }),
      suspectsArrested: t.exposeInt('suspectsArrested', {
        description: 'Distinct persons whose latest status is ARRESTED, CHARGED or CONVICTED.',
      }),
      suspectsSurrendered: t.exposeInt('suspectsSurrendered'),
      suspectsWanted: t.exposeInt('suspectsWanted'),
      traffickingVictims: t.exposeInt('traffickingVictims', { description: 'Distinct persons reported as trafficking victims.' }),
      devicesSeized: t.exposeInt('devicesSeized'),
      fundRecords: t.exposeInt('fundRecords'),
      fundsByCurrency: t.expose('fundsByCurrency', { type: [CurrencyAmount], description: 'Sorted by currency.' }),
      fundsInterceptedUsd: t.expose('fundsInterceptedUsd', { type: 'Decimal', description: 'Sum of amountUsd.' }),
    }),
  });

export const Operation = builder.prismaNode('Operation', {
  id: { field: 'id' },
  nullable: true,
  description: 'A joint operation of several agencies.',
  findUnique: (id, ctx) => ({ id, ...visibleOperationWhere(viewerOf(ctx)) }),
  fields: (t) => ({
    code: t.exposeString('code'),
    name: t.exposeString('name'),
    lead: t.relation('lead'),
    participants: t.prismaField({
      type: ['Agency'],
      select: { id: true },
      resolve: (query, operation, _args, ctx) =>
        ctx.prisma.agency.findMany({
          ...query,
          where: { participations: { some: { operationId: operation.id } } },
          orderBy: { code: 'asc' },
        }),
    }),
    startsOn: t.expose('startsOn', { type: 'Date', nullable: true }),
    endsOn: t.expose('endsOn', { type: 'Date', nullable: true }),
    status: t.expose('status', { type: OperationStatus }),
    summary: t.field({
      type: OperationSummary,
      select: { id: true },
      resolve: (operation, _args, ctx) => cachedOperationSummary(ctx.prisma, operation.id),
    }),
    scamDens: t.connection(relatedRecords(ScamDen, 'Operation.scamDens', 'operation', 'scamDens'), ScamDenConnection),
    suspects: t.connection(relatedRecords(Suspect, 'Operation.suspects', 'operation', 'suspects'), SuspectConnection),
    interceptedFunds: t.connection(
      relatedRecords(InterceptedFund, 'Operation.interceptedFunds', 'operation', 'funds'),
      InterceptedFundConnection,
    ),
  }),
});

const OperationConnection = builder.connectionObject({ type: Operation, name: 'OperationConnection' });

builder.queryFields((t) => ({
  operation: t.prismaField({
    type: 'Operation',
    nullable: true,
    authScopes: { scope: 'records:read' },
    args: { code: t.arg.string({ required: true }) },
    resolve: (query, _root, { code }, ctx) =>
      ctx.prisma.operation.findFirst({ ...query, where: { code, ...visibleOperationWhere(viewerOf(ctx)) } }),
  }),
  operations: t.connection({
    type: Operation,
    authScopes: { scope: 'records:read' },
    resolve: (_root, args, ctx, info) =>
      resolveRootConnection(pagerOf(ctx, 'Query.operations'), args, ctx.prisma.operation, {
        where: visibleOperationWhere(viewerOf(ctx)),
        selection: nodeSelection(ctx, info),
      }),
  }, OperationConnection),
}));

const CreateOperationInput = builder.inputType('CreateOperationInput', {
  fields: (t) => ({
    code: t.string({ required: true, description: 'e.g. FIRST-LIGHT-2022' }),
    name: t.string({ required: true }),
    participants: t.stringList({ description: 'Agency codes besides the lead (the caller’s agency).' }),
    startsOn: t.field({ type: 'Date' }),
    endsOn: t.field({ type: 'Date' }),
    status: t.field({ type: OperationStatus }),
  }),
});

builder.mutationFields((t) => ({
  createOperation: t.prismaField({
    type: 'Operation',
    description: "Creates an operation led by the caller's agency.",
    authScopes: { scope: 'operations:manage' },
    args: { input: t.arg({ type: CreateOperationInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const viewer = viewerOf(ctx);
      const created = await createOperation(ctx.prisma, {
        code: input.code,
        name: input.name,
        lead: viewer.agencyCode,
        participants: input.participants ?? [],
        ...(input.startsOn ? { startsOn: formatDate(input.startsOn) } : {}),
        ...(input.endsOn ? { endsOn: formatDate(input.endsOn) } : {}),
        ...(input.status ? { status: input.status } : {}),
      });
      return ctx.prisma.operation.findUniqueOrThrow({ ...query, where: { id: created.id } });
    },
  }),
  addOperationParticipant: t.prismaField({
    type: 'Operation',
    description: 'Adds an agency to an operation. Only the lead agency may do so.',
    authScopes: { scope: 'operations:manage' },
    args: {
      operationCode: t.arg.string({ required: true }),
      agencyCode: t.arg.string({ required: true }),
    },
    resolve: async (query, _root, args, ctx) => {
      const viewer = viewerOf(ctx);
      const operation = await addOperationParticipant(
        ctx.prisma,
        { agencyId: viewer.agencyId, admin: viewer.scopes.includes('admin') },
        args.operationCode,
        args.agencyCode,
      );
      return ctx.prisma.operation.findUniqueOrThrow({ ...query, where: { id: operation.id } });
    },
  }),
}));
