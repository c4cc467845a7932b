// Query.match: governed hit/no-hit matching (schema/match.ts holds the rules).
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import { RecordKind } from '../../prisma/generated/client/enums.ts';
import type { RequestContext } from '../context.ts';
import { MATCH_IDENTIFIER_TYPES, MAX_MATCH_IDENTIFIERS, MAX_PURPOSE_LENGTH, runMatch, type Hit, type MatchOutcome, type MatchResponse } from '../match.ts';
import { visibleRecordWhere } from '../sharing.ts';
import { builder } from '../builder.ts';
import { HandlingCode, SourceReliability } from './enums.ts';
import { InterceptedFund } from './intercepted-fund.ts';
import { viewerOf } from './records.ts';
import { Suspect } from './suspect.ts';

const MatchIdentifierType = builder.enumType('MatchIdentifierType', {
  description: 'What an identifier is. IMEI is a device identifier; NAME_DOB is a full name with a birth date.',
  values: MATCH_IDENTIFIER_TYPES,
});

export const RecordType = builder.enumType(RecordKind, { name: 'RecordType', description: 'The kind of shared record a hit points to.' });

export const MatchedRecord = builder.unionType('MatchedRecord', {
  description: 'A record a hit points to.',
  types: [Suspect, InterceptedFund],
  resolveType: (record) => ('personKey' in record ? Suspect : InterceptedFund),
});

/** The record a hit or a disclosure points to, when the sharing rules (grants included) let the viewer see it. */
export async function visibleMatchedRecord(ctx: RequestContext, kind: RecordKind, id: string) {
  const where = { id, ...visibleRecordWhere(viewerOf(ctx)) };
  if (kind === 'SUSPECT') {
    const suspect = await ctx.prisma.suspect.findFirst({ where });
    return suspect;
  }
  if (kind === 'INTERCEPTED_FUND') {
    const fund = await ctx.prisma.interceptedFund.findFirst({ where });
    return fund;
  }
  return null;
}

export const MatchIdentifierInput = builder.inputType('MatchIdentifierInput', {
  description: 'One identifier from a case. Its value is normalized and hashed in memory, never stored, logged or returned.',
  fields: (t) => ({
    type: t.field({ type: MatchIdentifierType, required: true }),
    value: t.string({ required: true, description: 'The identifier as the case has it (a passport number, a phone, an IBAN, a wallet, a full name…).' }),
    country: t.string({ description: 'Issuing country of a document, or the country of a phone or account written without one (ISO 3166-1 alpha-2).' }),
    birthDate: t.string({ description: 'NAME_DOB only: the birth date as YYYY-MM-DD.' }),
    ticker: t.string({ description: 'CRYPTO_WALLET only: the currency (USDT, BTC, ETH) when the value does not name it.' }),
  }),
});

const MatchInput = builder.inputType('MatchInput', {
  fields: (t) => ({
    identifiers: t.field({ type: [MatchIdentifierInput], required: true, description: `1 to ${MAX_MATCH_IDENTIFIERS} identifiers.` }),
    purpose: t.string({ required: true, description: `Why you ask (at most ${MAX_PURPOSE_LENGTH} characters); the owners of records hit read it.` }),
    caseRef: t.string({ description: "Your case reference, if any; the owners of records hit read it." }),
  }),
});

const HitRef = builder.objectRef<Hit>('Hit').implement({
  description: 'A record some agency holds that carries the identifier.',
  fields: (t) => ({
    hitRef: t.exposeString('hitRef', {
      description: 'Opaque reference to this hit, valid for your agency only for 30 days: quote it to request disclosure of the record.',
    }),
    owner: t.prismaField({
      type: 'Agency',
      description: 'The agency that holds the record.',
      resolve: (query, hit, _args, ctx) => ctx.prisma.agency.findUniqueOrThrow({ ...query, where: { id: hit.ownerId } }),
    }),
    recordType: t.field({ type: RecordType, resolve: (hit) => hit.recordType }),
    own: t.exposeBoolean('own', { description: "True when the record is your agency's own." }),
    recordId: t.id({
      nullable: true,
      description: 'The record id when the sharing rules already let you see it; null otherwise (request disclosure).',
      resolve: (hit) => hit.recordId,
    }),
    handling: t.field({ type: HandlingCode, description: "How the record may be used, as its owner marked it.", resolve: (hit) => hit.handling }),
    handlingNote: t.exposeString('handlingNote', { nullable: true, description: 'With H3: the restrictions, in the owner’s words.' }),
    sourceReliability: t.field({ type: SourceReliability, description: 'Reliability of the source, as the owner evaluated it.', resolve: (hit) => hit.sourceReliability }),
    informationAssessment: t.exposeInt('informationAssessment', { description: 'Assessment of the information (1–4), as the owner evaluated it.' }),
    record: t.field({
      type: MatchedRecord,
      nullable: true,
      description: 'The record itself, only when the sharing rules already let you see it.',
      resolve: (hit, _args, ctx) => (hit.recordId ? visibleMatchedRecord(ctx, hit.recordType, hit.recordId) : null),
    }),
  }),
});

const MatchOutcomeRef = builder.objectRef<MatchOutcome>('MatchOutcome').implement({
  description: 'The answer for one identifier of the input, by its index.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Position of the identifier in the input (from 0).' }),
    hit: t.exposeBoolean('hit'),
    hits: t.field({ type: [HitRef], resolve: (outcome) => outcome.hits }),
  }),
});

const MatchResult = builder.objectRef<MatchResponse>('MatchResult').implement({
  fields: (t) => ({
    results: t.field({ type: [MatchOutcomeRef], resolve: (r) => r.results }),
    quotaRemaining: t.exposeInt('quotaRemaining', { description: 'Identifiers your agency may still match today (UTC).' }),
    quotaPerDay: t.exposeInt('quotaPerDay', { description: "Your agency's daily quota of identifiers." }),
  }),
});

builder.queryFields((t) => ({
  match: t.field({
    type: MatchResult,
    description:
      'Hit/no-hit: does any partner hold a record with these identifiers? Requires a purpose, counts against the daily quota, ' +
      'and tells the owner of every record hit who asked and why (never the value).',
    authScopes: { scope: 'match:query' },
    args: { input: t.arg({ type: MatchInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const viewer = viewerOf(ctx);
      if (!ctx.ingest) throw new LiaisonError(ErrorCode.SERVICE_UNAVAILABLE, 'Matching is not available on this gateway.');
      return runMatch(ctx.statements ?? ctx.prisma, viewer, input, { pseudonymKey: ctx.ingest.pseudonymKey, now: ctx.now });
    },
  }),
}));
