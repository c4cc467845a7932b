// Joint operations, their participants, their summary totals and their records, and the
// invitations by which agencies join them. An operation (and so its summary) is visible to
// the agencies that joined it only; to anyone else, invited or not, it does not exist.
import { findNamedOperation, qualifiedOperationCode } from '../../kernel/operation-code.ts';
import {
  acceptInvitation,
  cachedOperationSummary,
  createPartnerOperation,
  declineInvitation,
  inviteParticipant,
  pendingInvitations,
  type operationSummary,
} from '../operations.ts';
import type { Prisma } from '../../prisma/generated/client/client.ts';
import type { RequestContext } from '../context.ts';
import { nodeSelection, pagerOf, resolveRootConnection } from '../paging.ts';
import { visibleOperationWhere } from '../sharing.ts';
import { builder } from '../builder.ts';
import { formatDate } from '../scalars.ts';
import { OperationStatus } from './enums.ts';
import { InterceptedFund, InterceptedFundConnection } from './intercepted-fund.ts';
import { operationRecords, viewerOf } from './records.ts';
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
      'Totals over every record of the operation, whatever its sharing level. Persons are counted once (by personKey); ' +
      "a person's figures come from the reports of it you can see, and your own report of a person whose other reports " +
      'you cannot see counts as a person of its own (docs/security.md, "Operation summaries").',
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

const OperationMember = builder.prismaObject('OperationParticipant', {
  name: 'OperationMember',
  description: 'An agency of an operation: joined, or (seen by the lead only) invited and not yet answered.',
  fields: (t) => ({
    agency: t.relation('agency'),
    invitedAt: t.expose('invitedAt', { type: 'DateTime' }),
    joinedAt: t.expose('joinedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the agency joined; null while its invitation is pending.',
    }),
  }),
});

export const Operation = builder.prismaNode('Operation', {
  id: { field: 'id' },
  nullable: true,
  description: 'A joint operation of several agencies.',
  findUnique: (id, ctx) => ({ id, ...visibleOperationWhere(viewerOf(ctx)) }),
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Chosen by the lead; unique among the operations of one lead agency.' }),
    qualifiedCode: t.string({
      description: 'LEAD/CODE, e.g. ES-PN/FIRST-LIGHT-2022: names this operation wherever a code is asked for.',
      select: { code: true, lead: { select: { code: true } } },
      resolve: (operation) => qualifiedOperationCode(operation.lead.code, operation.code),
    }),
    name: t.exposeString('name'),
    lead: t.relation('lead'),
    participants: t.prismaField({
      type: ['Agency'],
      description: 'The agencies that joined, by code.',
      select: { id: true },
      resolve: (query, operation, _args, ctx) =>
        ctx.prisma.agency.findMany({
          ...query,
          where: { participations: { some: { operationId: operation.id, joinedAt: { not: null } } } },
          orderBy: { code: 'asc' },
        }),
    }),
    members: t.prismaField({
      type: [OperationMember],
      description: 'Who joined and when, in joining order; the lead also sees the pending invitations (last).',
      select: { id: true, leadId: true },
      resolve: (query, operation, _args, ctx) =>
        ctx.prisma.operationParticipant.findMany({
          ...query,
          where: {
            operationId: operation.id,
            ...(operation.leadId === viewerOf(ctx).agencyId ? {} : { joinedAt: { not: null } }),
          },
          orderBy: [{ joinedAt: { sort: 'asc', nulls: 'last' } }, { agency: { code: 'asc' } }],
        }),
    }),
    startsOn: t.expose('startsOn', { type: 'Date', nullable: true }),
    endsOn: t.expose('endsOn', { type: 'Date', nullable: true }),
    status: t.expose('status', { type: OperationStatus }),
    summary: t.field({
      type: OperationSummary,
      select: { id: true },
      resolve: (operation, _args, ctx) => cachedOperationSummary(ctx.prisma, operation.id, viewerOf(ctx)),
    }),
    scamDens: t.connection(operationRecords(ScamDen, 'ScamDen', 'Operation.scamDens', 'scamDens'), ScamDenConnection),
    suspects: t.connection(operationRecords(Suspect, 'Suspect', 'Operation.suspects', 'suspects'), SuspectConnection),
    interceptedFunds: t.connection(
      operationRecords(InterceptedFund, 'InterceptedFund', 'Operation.interceptedFunds', 'funds'),
      InterceptedFundConnection,
    ),
  }),
});

type OperationQuery = { include?: Prisma.OperationInclude } | { select?: Prisma.OperationSelect };

type InvitationShape = { code: string; name: string; leadId: string; lead: { code: string }; invitedAt: Date };

const OperationInvitation = builder.objectRef<InvitationShape>('OperationInvitation').implement({
  description: 'An invitation to join an operation; the operation shows its records and summary once accepted.',
  fields: (t) => ({
    code: t.exposeString('code'),
    qualifiedCode: t.string({
      description: 'LEAD/CODE: give it to acceptInvitation or declineInvitation when two invitations share a code.',
      resolve: (invitation) => qualifiedOperationCode(invitation.lead.code, invitation.code),
    }),
    name: t.exposeString('name'),
    lead: t.prismaField({
      type: 'Agency',
      resolve: (query, invitation, _args, ctx) => ctx.prisma.agency.findUniqueOrThrow({ ...query, where: { id: invitation.leadId } }),
    }),
    invitedAt: t.expose('invitedAt', { type: 'DateTime' }),
  }),
});

const OperationConnection = builder.connectionObject({ type: Operation, name: 'OperationConnection' });

builder.queryFields((t) => ({
  operation: t.prismaField({
    type: 'Operation',
    nullable: true,
    authScopes: { scope: 'records:read' },
    description: 'An operation the caller joined, by CODE or LEAD/CODE; null for any other.',
    args: { code: t.arg.string({ required: true }) },
    resolve: async (query, _root, { code }, ctx) => {
      const named = await findNamedOperation(ctx.prisma, code, visibleOperationWhere(viewerOf(ctx)), 'code');
      return named ? ctx.prisma.operation.findUnique({ ...query, where: { id: named.id } }) : null;
    },
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
  invitations: t.field({
    type: [OperationInvitation],
    description: "The caller agency's invitations not yet accepted or declined, oldest first.",
    authScopes: { scope: 'records:read' },
    resolve: async (_root, _args, ctx) =>
      (await pendingInvitations(ctx.prisma, viewerOf(ctx))).map((i) => ({ ...i.operation, invitedAt: i.invitedAt })),
  }),
}));

const CreateOperationInput = builder.inputType('CreateOperationInput', {
  fields: (t) => ({
    code: t.string({ required: true, description: 'e.g. FIRST-LIGHT-2022' }),
    name: t.string({ required: true }),
    participants: t.stringList({
      description: 'Agency codes to invite besides the lead (the caller’s agency); each joins when it accepts.',
    }),
    startsOn: t.field({ type: 'Date' }),
    endsOn: t.field({ type: 'Date' }),
    status: t.field({ type: OperationStatus }),
  }),
});

const OPERATION_CODE_ARG = { required: true, description: 'CODE, or LEAD/CODE when two operations you could mean share a code.' } as const;

/** Awaits a change to an operation, then loads it with the fields the request selects. */
async function reloaded(ctx: RequestContext, query: OperationQuery, change: Promise<{ id: string }>) {
  const { id } = await change;
  return ctx.prisma.operation.findUniqueOrThrow({ ...query, where: { id } });
}

builder.mutationFields((t) => ({
  createOperation: t.prismaField({
    type: 'Operation',
    description: "Creates an operation led by the caller's agency and invites the agencies it names.",
    authScopes: { scope: 'operations:manage' },
    args: { input: t.arg({ type: CreateOperationInput, required: true }) },
    resolve: (query, _root, { input }, ctx) =>
      reloaded(
        ctx,
        query,
        createPartnerOperation(
          ctx.prisma,
          viewerOf(ctx),
          {
            code: input.code,
            name: input.name,
            participants: input.participants ?? [],
            ...(input.startsOn ? { startsOn: formatDate(input.startsOn) } : {}),
            ...(input.endsOn ? { endsOn: formatDate(input.endsOn) } : {}),
            ...(input.status ? { status: input.status } : {}),
          },
          ctx.now(),
        ),
      ),
  }),
  inviteParticipant: t.prismaField({
    type: 'Operation',
    description: 'Invites an agency into an operation the caller leads; it joins when it accepts.',
    authScopes: { scope: 'operations:manage' },
    args: { operationCode: t.arg.string(OPERATION_CODE_ARG), agencyCode: t.arg.string({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      reloaded(ctx, query, inviteParticipant(ctx.prisma, viewerOf(ctx), args.operationCode, args.agencyCode, ctx.now())),
  }),
  addOperationParticipant: t.prismaField({
    type: 'Operation',
    description: 'The same as inviteParticipant: the agency is invited, and joins when it accepts.',
    deprecationReason: 'Use inviteParticipant.',
    authScopes: { scope: 'operations:manage' },
    args: { operationCode: t.arg.string({ required: true }), agencyCode: t.arg.string({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      reloaded(ctx, query, inviteParticipant(ctx.prisma, viewerOf(ctx), args.operationCode, args.agencyCode, ctx.now())),
  }),
  acceptInvitation: t.prismaField({
    type: 'Operation',
    description: "Joins the operation the caller's agency was invited to; its participants are told (PARTICIPANT_JOINED).",
    authScopes: { scope: 'operations:manage' },
    args: { operationCode: t.arg.string(OPERATION_CODE_ARG) },
    resolve: (query, _root, args, ctx) =>
      reloaded(ctx, query, acceptInvitation(ctx.prisma, viewerOf(ctx), args.operationCode, ctx.now())),
  }),
  declineInvitation: t.boolean({
    description: 'Declines an invitation; nothing of it remains. True when done.',
    authScopes: { scope: 'operations:manage' },
    args: { operationCode: t.arg.string(OPERATION_CODE_ARG) },
    resolve: async (_root, args, ctx) => {
      await declineInvitation(ctx.prisma, viewerOf(ctx), args.operationCode);
      return true;
    },
  }),
}));
