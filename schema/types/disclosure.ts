// Disclosure over GraphQL: requestDisclosure, disclosureRequests, decideDisclosure and
// revokeDisclosure (schema/disclosure.ts holds the rules). A request's `record` resolves
// through the sharing rules, so the requester reads it exactly while the grant is live.
import type { RequestContext } from '../context.ts';
import {
  DISCLOSURE_DECISIONS,
  DISCLOSURE_DIRECTIONS,
  DISCLOSURE_STATUSES,
  MAX_DISCLOSURE_LIST,
  decideDisclosure,
  listDisclosureRequests,
  requestDisclosure,
  revokeDisclosure,
  type DisclosureServices,
  type DisclosureView,
} from '../disclosure.ts';
import { builder } from '../builder.ts';
import { MatchedRecord, RecordType, visibleMatchedRecord } from './match.ts';
import { viewerOf } from './records.ts';

const DisclosureStatus = builder.enumType('DisclosureStatus', {
  description:
    'PENDING: waiting for the owner; OVERDUE: still waiting past its due time; APPROVED: the requester may read the record; ' +
    'DENIED; REVOKED: the owner ended the grant; EXPIRED: the grant ran out.',
  values: DISCLOSURE_STATUSES,
});

const DisclosureDirection = builder.enumType('DisclosureDirection', {
  description: "INCOMING: requests for your agency's records (you decide); OUTGOING: requests your agency made.",
  values: DISCLOSURE_DIRECTIONS,
});

const DisclosureDecision = builder.enumType('DisclosureDecision', { values: DISCLOSURE_DECISIONS });

const services = (ctx: RequestContext): DisclosureServices => ({
  now: ctx.now,
  ...(ctx.disclosureDueHours ? { dueHours: ctx.disclosureDueHours } : {}),
});

const DisclosureRequest = builder.objectRef<DisclosureView>('DisclosureRequest').implement({
  description: "A request to see the record behind a hit, addressed to the record's owner.",
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.field({ type: DisclosureStatus, resolve: (r) => r.status }),
    direction: t.field({ type: DisclosureDirection, description: 'Which side of the request your agency is.', resolve: (r) => r.direction }),
    requester: t.prismaField({
      type: 'Agency',
      description: 'The agency that asked.',
      resolve: (query, r, _args, ctx) => ctx.prisma.agency.findUniqueOrThrow({ ...query, where: { id: r.requesterId } }),
    }),
    owner: t.prismaField({
      type: 'Agency',
      description: 'The agency that holds the record and decides.',
      resolve: (query, r, _args, ctx) => ctx.prisma.agency.findUniqueOrThrow({ ...query, where: { id: r.ownerId } }),
    }),
    recordType: t.field({ type: RecordType, resolve: (r) => r.recordType }),
    recordId: t.id({
      nullable: true,
      description: 'The record: always for the owner; for the requester only while the request is APPROVED.',
      resolve: (r) => r.recordId,
    }),
    record: t.field({
      type: MatchedRecord,
      nullable: true,
      description: 'The record itself, when the sharing rules (this grant included) let you see it.',
      resolve: (r, _args, ctx) => (r.recordId ? visibleMatchedRecord(ctx, r.recordType, r.recordId) : null),
    }),
    justification: t.exposeString('justification', { description: 'Why the requester needs the record.' }),
    legalBasis: t.exposeString('legalBasis', { description: 'The legal instrument the requester relies on.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    dueAt: t.expose('dueAt', { type: 'DateTime', description: 'When an undecided request becomes OVERDUE.' }),
    decidedAt: t.expose('decidedAt', { type: 'DateTime', nullable: true }),
    reason: t.exposeString('reason', { nullable: true, description: "The owner's reason for the decision." }),
    expiresOn: t.expose('expiresOn', {
      type: 'Date',
      nullable: true,
      description: 'Last day (UTC) an approval lets the requester read the record; null: until revoked.',
    }),
  }),
});

builder.queryFields((t) => ({
  disclosureRequests: t.field({
    type: [DisclosureRequest],
    description: `Your agency's disclosure requests, newest first (at most ${MAX_DISCLOSURE_LIST}): INCOMING to decide, or OUTGOING you made.`,
    authScopes: { scope: 'records:read' },
    args: {
      direction: t.arg({ type: DisclosureDirection, required: true }),
      status: t.arg({ type: DisclosureStatus }),
      first: t.arg.int({ description: `How many (1–${MAX_DISCLOSURE_LIST}, default ${MAX_DISCLOSURE_LIST}).` }),
    },
    resolve: (_root, args, ctx) => listDisclosureRequests(ctx.prisma, viewerOf(ctx), args, services(ctx)),
  }),
}));

builder.mutationFields((t) => ({
  requestDisclosure: t.field({
    type: DisclosureRequest,
    description:
      "Asks the owner of a hit's record to disclose it to your agency. The hitRef must be one of your agency's, at most 30 days old; " +
      'asking again with the same hitRef returns the same request.',
    authScopes: { scope: 'match:query' },
    args: {
      hitRef: t.arg.string({ required: true }),
      justification: t.arg.string({ required: true, description: 'Why you need the record; the owner reads it.' }),
      legalBasis: t.arg.string({ required: true, description: 'The legal instrument you rely on (treaty, MLA request, law).' }),
    },
    resolve: async (_root, args, ctx) => (await requestDisclosure(ctx.prisma, viewerOf(ctx), args, services(ctx))).request,
  }),
  decideDisclosure: t.field({
    type: DisclosureRequest,
    description: 'The owner approves or denies a pending request. APPROVE lets the requester read that record, and only it, until expiresOn or revocation.',
    authScopes: { scope: 'records:submit' },
    args: {
      id: t.arg.id({ required: true }),
      decision: t.arg({ type: DisclosureDecision, required: true }),
      reason: t.arg.string({ required: true, description: 'Your reason; the requester reads it.' }),
      expiresOn: t.arg({ type: 'Date', description: 'APPROVE only: the last day (UTC) the requester may read the record.' }),
    },
    resolve: (_root, args, ctx) => decideDisclosure(ctx.prisma, viewerOf(ctx), { ...args, id: String(args.id) }, services(ctx)),
  }),
  revokeDisclosure: t.field({
    type: DisclosureRequest,
    description: 'The owner ends an approved disclosure: the requester no longer sees the record.',
    authScopes: { scope: 'records:submit' },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => revokeDisclosure(ctx.prisma, viewerOf(ctx), String(id), services(ctx)),
  }),
}));
