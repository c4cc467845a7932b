// Joint operations: creation and membership, shared by GraphQL mutations, the admin API
// and the CLI. The lead agency is always a participant. The operation summary is computed
// by SQL aggregates in the database over every record of the operation, whatever its
// sharing level (summaries are visible to the operation's participants).
import { z } from 'zod';
import type { PrismaClient } from '../prisma/generated/client/client.ts';
import { OperationStatus } from '../prisma/generated/client/enums.ts';
import { ISSUER_PATTERN } from '../kernel/viewer.ts';
import { badInput, ErrorCode, LiaisonError } from '../kernel/errors.ts';

const CODE = /^[A-Z0-9][A-Z0-9-]{1,62}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** YYYY-MM-DD naming a day of the calendar (not 2026-13-01 or 2026-02-30). */
const calendarDate = z
  .string()
  .regex(DATE, 'a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a calendar date (YYYY-MM-DD)');

export const createOperationInput = z
  .object({
    code: z.string().regex(CODE, 'upper-case letters, digits and dashes, e.g. FIRST-LIGHT-2022'),
    name: z.string().trim().min(1).max(200),
    lead: z.string().regex(ISSUER_PATTERN, 'an agency code, e.g. ES-PN'),
    participants: z.array(z.string().regex(ISSUER_PATTERN, 'an agency code, e.g. ES-PN')).max(200).default([]),
    startsOn: calendarDate.optional(),
    endsOn: calendarDate.optional(),
    status: z.enum(OperationStatus).default(OperationStatus.ACTIVE),
  })
  .refine((o) => !o.startsOn || !o.endsOn || o.startsOn <= o.endsOn, {
    path: ['endsOn'],
    message: 'must not be before startsOn',
  });
export type CreateOperationInput = z.input<typeof createOperationInput>;

/** Ids of the agencies by code; an unknown one is refused naming the input field that held it. */
async function agencyIdsByCode(prisma: PrismaClient, codes: string[], fieldOf: (code: string) => string): Promise<Map<string, string>> {
  const rows = await prisma.agency.findMany({ where: { code: { in: codes } }, select: { id: true, code: true } });
  const found = new Map(rows.map((r) => [r.code, r.id]));
  const missing = codes.filter((c) => !found.has(c));
  if (missing.length) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `Unknown agency: ${missing.join(', ')}`, {
      issues: missing.map((c) => ({ field: fieldOf(c), code: 'UNKNOWN_AGENCY', message: `unknown agency ${c}` })),
    });
  }
  return found;
}

export async function createOperation(prisma: PrismaClient, raw: CreateOperationInput) {
  const parsed = createOperationInput.safeParse(raw);
  if (!parsed.success) throw badInput(parsed.error);
  const input = parsed.data;
  const codes = [...new Set([input.lead, ...input.participants])];
  const ids = await agencyIdsByCode(prisma, codes, (c) => (c === input.lead ? 'lead' : 'participants'));
  const existing = await prisma.operation.findUnique({ where: { code: input.code }, select: { id: true } });
  if (existing) throw new LiaisonError(ErrorCode.CONFLICT, `Operation ${input.code} already exists.`);
  return prisma.operation.create({
    data: {
      code: input.code,
      name: input.name,
      leadId: ids.get(input.lead)!,
      status: input.status,
      startsOn: input.startsOn ? new Date(`${input.startsOn}T00:00:00Z`) : null,
      endsOn: input.endsOn ? new Date(`${input.endsOn}T00:00:00Z`) : null,
      participants: { create: codes.map((code) => ({ agencyId: ids.get(code)! })) },
    },
  });
}

/** Adds a participant; only the lead agency (or an admin) may widen an operation. */
export async function addOperationParticipant(
  prisma: PrismaClient,
  actor: { agencyId: string; admin: boolean },
  operationCode: string,
  agencyCode: string,
) {
  const operation = await prisma.operation.findFirst({
    where: {
      code: operationCode,
      ...(actor.admin ? {} : { participants: { some: { agencyId: actor.agencyId } } }),
    },
  });
  if (!operation) throw new LiaisonError(ErrorCode.NOT_FOUND, 'No such operation.');
  if (!actor.admin && operation.leadId !== actor.agencyId) {
    throw new LiaisonError(ErrorCode.FORBIDDEN, 'Only the lead agency may add participants.');
  }
  const ids = await agencyIdsByCode(prisma, [agencyCode], () => 'agencyCode');
  await prisma.operationParticipant.upsert({
    where: { operationId_agencyId: { operationId: operation.id, agencyId: ids.get(agencyCode)! } },
    create: { operationId: operation.id, agencyId: ids.get(agencyCode)! },
    update: {},
  });
  return operation;
}

export type OperationSummary = {
  countries: number;
  scamDens: number;
  densRaided: number;
  suspects: number;
  suspectsArrested: number;
  suspectsSurrendered: number;
  suspectsWanted: number;
  traffickingVictims: number;
  devicesSeized: number;
  fundRecords: number;
  fundsByCurrency: { currency: string; amount: string }[];
  fundsInterceptedUsd: string;
};

type CachedSummary = { version: string; computedAt: number; summary: Promise<OperationSummary> };

/**
 * Summaries served from a per-process cache while the operation's data has not changed.
 * The version is the count and latest completion of the operation's stored submissions
 * (one indexed query), so a new submission shows at once in every process; changes made
 * outside submissions (direct SQL, seeding) show within SUMMARY_MAX_AGE_MS. Concurrent
 * callers share one computation. The cache holds totals only, the same for every
 * participant (visibility is checked before a summary is asked for).
 */
export const SUMMARY_MAX_AGE_MS = 30_000;
/** One cache per database client, so gateways (and tests) on other databases never share it. */
const summaryCaches = new WeakMap<PrismaClient, Map<string, CachedSummary>>();

export async function cachedOperationSummary(
  prisma: PrismaClient,
  operationId: string,
  now = Date.now(),
): Promise<OperationSummary> {
  const [row] = await prisma.$queryRaw<{ n: number; latest: Date | null }[]>`
    SELECT count(*)::int AS n, max(completed_at) AS latest
      FROM submission WHERE operation_id = ${operationId}::uuid AND completed_at IS NOT NULL`;
  const version = `${row?.n ?? 0}|${row?.latest?.toISOString() ?? ''}`;
  let summaryCache = summaryCaches.get(prisma);
  if (!summaryCache) summaryCaches.set(prisma, (summaryCache = new Map()));
  const cache = summaryCache;
  const cached = summaryCache.get(operationId);
  if (cached && cached.version === version && now - cached.computedAt < SUMMARY_MAX_AGE_MS) return cached.summary;
  const summary = operationSummary(prisma, operationId);
  summaryCache.set(operationId, { version, computedAt: now, summary });
  summary.catch(() => cache.delete(operationId));
  return summary;
}

/**
 * One SQL statement, aggregates only. Persons are distinct personKeys; a person's status is
 * that of the report with the latest statusOn (ties: the more advanced status, which is the
 * later value of the SuspectStatus enum, as PostgreSQL orders enums by declaration).
 */
export async function operationSummary(prisma: PrismaClient, operationId: string): Promise<OperationSummary> {
  const rows = await prisma.$queryRaw<OperationSummary[]>`
    WITH dens AS (
      SELECT count(DISTINCT country)::int AS countries,
             count(*)::int AS "scamDens",
             (count(*) FILTER (WHERE status IN ('RAIDED', 'DISMANTLED')))::int AS "densRaided",
             coalesce(sum(devices_seized), 0)::int AS "devicesSeized"
        FROM scam_den WHERE operation_id = ${operationId}::uuid AND retracted_at IS NULL
    ), reports AS (
      SELECT person_key, status, status_on, trafficking_victim
        FROM suspect WHERE operation_id = ${operationId}::uuid AND retracted_at IS NULL
    ), latest AS (
      SELECT DISTINCT ON (person_key) person_key, status
        FROM reports ORDER BY person_key, status_on DESC NULLS LAST, status DESC
    ), persons AS (
      SELECT count(*)::int AS suspects,
             (count(*) FILTER (WHERE status IN ('ARRESTED', 'CHARGED', 'CONVICTED')))::int AS "suspectsArrested",
             (count(*) FILTER (WHERE status = 'SURRENDERED'))::int AS "suspectsSurrendered",
             (count(*) FILTER (WHERE status = 'WANTED'))::int AS "suspectsWanted"
        FROM latest
    ), victims AS (
      SELECT count(DISTINCT person_key)::int AS "traffickingVictims" FROM reports WHERE trafficking_victim
    ), funds AS (
      SELECT count(*)::int AS "fundRecords", coalesce(sum(amount_usd), 0)::text AS "fundsInterceptedUsd"
        FROM intercepted_fund WHERE operation_id = ${operationId}::uuid AND retracted_at IS NULL
    ), by_currency AS (
      SELECT coalesce(json_agg(json_build_object('currency', currency, 'amount', total::text) ORDER BY currency), '[]'::json)
               AS "fundsByCurrency"
        FROM (SELECT currency, sum(amount) AS total FROM intercepted_fund
               WHERE operation_id = ${operationId}::uuid AND retracted_at IS NULL GROUP BY currency) c
    )
    SELECT * FROM dens, persons, victims, funds, by_currency`;
  return rows[0]!;
}
