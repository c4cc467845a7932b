// Governed linkage, part two: disclosure. An agency holding a hitRef from `match` asks the
// record's owner to see the record; the owner approves or denies; an approval creates a grant
// that the sharing rules (schema/sharing.ts) read on every path, for that record only, until
// it expires or the owner revokes it.
// - A hitRef is usable only by the agency it was issued to and only until it expires; another
//   agency's, an expired and an unknown hitRef are refused alike (NOT_FOUND), as is a record
//   retracted since the hit. One request per hitRef: asking again returns the same request.
// - Only the owner decides and revokes; for anyone else a request is NOT_FOUND, as if missing.
// - A pending request past its due time reads OVERDUE (computed on read, never stored);
//   raiseOverdueDisclosures tells both sides once (DISCLOSURE_OVERDUE). Reads of disclosure
//   requests call it for the reader's requests and api/server.ts sweeps every minute.
// - Events go to the agency_event outbox in the transaction that causes them:
//   DISCLOSURE_REQUESTED to the owner, DISCLOSURE_DECIDED to the requester (APPROVE, DENY, and
//   REVOKED on revocation). Payloads name the request, the record and the agencies, never a
//   raw identifier; justifications and reasons are the officers' own words.
import { z } from 'zod';
import { appendAuditEvent } from '../kernel/audit.ts';
import { DAY_MS, utcDay } from '../kernel/dates.ts';
import { ErrorCode, LiaisonError, type ErrorIssue } from '../kernel/errors.ts';
import type { Viewer } from '../kernel/viewer.ts';
import type { Tx } from '../ingest/batch/types.ts';
import type { DisclosureRequest, Prisma, PrismaClient, RecordGrant } from '../prisma/generated/client/client.ts';
import type { HandlingCode, RecordKind, SourceReliability } from '../prisma/generated/client/enums.ts';
import { hitRefHash } from './match.ts';
import { formatDecimal } from './scalars.ts';
import { visibleRecordWhere } from './sharing.ts';

export const DEFAULT_DISCLOSURE_DUE_HOURS = 48;
export const MAX_JUSTIFICATION_LENGTH = 2000;
export const MAX_LEGAL_BASIS_LENGTH = 500;
export const MAX_REASON_LENGTH = 2000;
export const MAX_DISCLOSURE_LIST = 100;

export const DISCLOSURE_STATUSES = ['PENDING', 'OVERDUE', 'APPROVED', 'DENIED', 'REVOKED', 'EXPIRED'] as const;
export type DisclosureStatus = (typeof DISCLOSURE_STATUSES)[number];
export const DISCLOSURE_DIRECTIONS = ['INCOMING', 'OUTGOING'] as const;
export type DisclosureDirection = (typeof DISCLOSURE_DIRECTIONS)[number];
export const DISCLOSURE_DECISIONS = ['APPROVE', 'DENY'] as const;
export type DisclosureDecision = (typeof DISCLOSURE_DECISIONS)[number];

export type DisclosureServices = {
  now: () => Date;
  /** Hours the owner has to decide (LIAISON_DISCLOSURE_DUE_HOURS). */
  dueHours?: number;
};

/** A disclosure request as one side sees it. */
export type DisclosureView = {
  id: string;
  status: DisclosureStatus;
  /** INCOMING: the viewer owns the record; OUTGOING: the viewer asked. */
  direction: DisclosureDirection;
  requesterId: string;
  requester: string;
  ownerId: string;
  owner: string;
  recordType: RecordKind;
  /** The owner always; the requester only while the grant is live (status APPROVED). */
  recordId: string | null;
  justification: string;
  legalBasis: string;
  createdAt: Date;
  dueAt: Date;
  decidedAt: Date | null;
  reason: string | null;
  /** Last day (UTC) the grant lets the requester read the record; null = until revoked. */
  expiresOn: Date | null;
};

type StoredRequest = DisclosureRequest & { grant: RecordGrant | null };

const notFound = () => new LiaisonError(ErrorCode.NOT_FOUND, 'No such disclosure request.');
const noSuchHit = () => new LiaisonError(ErrorCode.NOT_FOUND, 'No such hit: a hitRef is valid for the agency it was issued to, for 30 days.');

const isUuid = (id: string) => z.string().uuid().safeParse(id).success;

const issueAt = (path: readonly PropertyKey[]): string => path.map(String).join('.');

/** Parses with zod and turns its issues into one BAD_USER_INPUT naming each field (values never echoed). */
function checked<S extends z.ZodTypeAny>(schema: S, input: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues: ErrorIssue[] = parsed.error.issues.map((i) => ({ field: issueAt(i.path), code: 'INVALID', message: i.message }));
  throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `Invalid ${what}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, { issues });
}

const requestSchema = z.object({
  hitRef: z.string().min(1).max(200),
  justification: z.string().trim().min(1, 'a justification is required').max(MAX_JUSTIFICATION_LENGTH),
  legalBasis: z.string().trim().min(1, 'a legal basis is required').max(MAX_LEGAL_BASIS_LENGTH),
});

const decisionSchema = z.object({
  id: z.string(),
  decision: z.enum(DISCLOSURE_DECISIONS),
  reason: z.string().trim().min(1, 'a reason is required').max(MAX_REASON_LENGTH),
  expiresOn: z.date().nullish(),
});

/** A grant that expires "on" a day lets the grantee read through that whole UTC day. */
const grantEnd = (expiresOn: Date) => new Date(utcDay(expiresOn).getTime() + DAY_MS);
const lastGrantDay = (expiresAt: Date) => new Date(expiresAt.getTime() - DAY_MS);

/** The status a stored request reads as at `at`: OVERDUE and EXPIRED are computed here. */
export function statusAt(request: StoredRequest, at: Date): DisclosureStatus {
  if (request.status === 'PENDING') return request.dueAt <= at ? 'OVERDUE' : 'PENDING';
  if (request.status === 'APPROVED' && request.grant?.expiresAt && request.grant.expiresAt <= at) return 'EXPIRED';
  return request.status;
}

async function agencyCodes(tx: Tx, ids: string[]): Promise<Map<string, string>> {
  const rows = await tx.agency.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, code: true } });
  return new Map(rows.map((r) => [r.id, r.code]));
}

function viewOf(request: StoredRequest, viewer: Viewer, at: Date, codes: Map<string, string>): DisclosureView {
  const status = statusAt(request, at);
  const incoming = request.ownerId === viewer.agencyId;
  return {
    id: request.id,
    status,
    direction: incoming ? 'INCOMING' : 'OUTGOING',
    requesterId: request.requesterId,
    requester: codes.get(request.requesterId) ?? '',
    ownerId: request.ownerId,
    owner: codes.get(request.ownerId) ?? '',
    recordType: request.kind,
    recordId: incoming || status === 'APPROVED' ? request.recordId : null,
    justification: request.justification,
    legalBasis: request.legalBasis,
    createdAt: request.createdAt,
    dueAt: request.dueAt,
    decidedAt: request.decidedAt,
    reason: request.decisionReason,
    expiresOn: request.grant?.expiresAt ? lastGrantDay(request.grant.expiresAt) : null,
  };
}

async function viewsOf(tx: Tx, requests: StoredRequest[], viewer: Viewer, at: Date): Promise<DisclosureView[]> {
  const codes = await agencyCodes(tx, requests.flatMap((r) => [r.requesterId, r.ownerId]));
  return requests.map((r) => viewOf(r, viewer, at, codes));
}

/** Whether the record a hit points to still exists and is not retracted. */
async function recordStillShared(tx: Tx, kind: RecordKind, id: string): Promise<boolean> {
  const where = { id, retractedAt: null };
  if (kind === 'SUSPECT') return (await tx.suspect.count({ where })) > 0;
  if (kind === 'INTERCEPTED_FUND') return (await tx.interceptedFund.count({ where })) > 0;
  return (await tx.scamDen.count({ where })) > 0;
}

/** The grant's record column for a record kind. */
function grantRecord(kind: RecordKind, recordId: string): Pick<Prisma.RecordGrantUncheckedCreateInput, 'scamDenId' | 'suspectId' | 'interceptedFundId'> {
  if (kind === 'SUSPECT') return { suspectId: recordId };
  if (kind === 'INTERCEPTED_FUND') return { interceptedFundId: recordId };
  return { scamDenId: recordId };
}

function audit(tx: Tx, viewer: Viewer, action: string, target: string, detail: Record<string, unknown>, at: Date) {
  return appendAuditEvent(tx, { agencyCode: viewer.agencyCode, subject: viewer.subject, action, target, outcome: 'ok', detail }, at);
}

export type RequestedDisclosure = { request: DisclosureView; created: boolean };

/** Asks the owner of the record behind `hitRef` to disclose it to the viewer's agency. */
export async function requestDisclosure(
  prisma: PrismaClient,
  viewer: Viewer,
  input: { hitRef: string; justification: string; legalBasis: string },
  services: DisclosureServices,
): Promise<RequestedDisclosure> {
  const { hitRef, justification, legalBasis } = checked(requestSchema, input, 'disclosure request');
  const at = services.now();
  const refHash = hitRefHash(hitRef);
  return prisma.$transaction(async (tx) => {
    const hit = await tx.matchHit.findUnique({ where: { refHash } });
    if (!hit || hit.requesterId !== viewer.agencyId || hit.expiresAt <= at) throw noSuchHit();
    if (hit.ownerId === viewer.agencyId) {
      throw new LiaisonError(ErrorCode.BAD_USER_INPUT, 'The record of this hit is your own agency\'s: nothing to request.', {
        issues: [{ field: 'hitRef', code: 'OWN_RECORD' }],
      });
    }
    if (!(await recordStillShared(tx, hit.kind, hit.recordId))) throw noSuchHit();
    const existing = await tx.disclosureRequest.findUnique({ where: { hitRefHash: refHash }, include: { grant: true } });
    if (existing) return { request: (await viewsOf(tx, [existing], viewer, at))[0]!, created: false };

    const dueAt = new Date(at.getTime() + (services.dueHours ?? DEFAULT_DISCLOSURE_DUE_HOURS) * 3_600_000);
    const created = await tx.disclosureRequest.create({
      data: {
        hitRefHash: refHash,
        requesterId: viewer.agencyId,
        requestedBy: viewer.subject,
        ownerId: hit.ownerId,
        kind: hit.kind,
        recordId: hit.recordId,
        justification,
        legalBasis,
        createdAt: at,
        dueAt,
      },
      include: { grant: true },
    });
    await tx.agencyEvent.create({
      data: {
        agencyId: hit.ownerId,
        type: 'DISCLOSURE_REQUESTED',
        payload: {
          requestId: created.id,
          recordType: hit.kind,
          recordId: hit.recordId,
          requestedBy: viewer.agencyCode,
          justification,
          legalBasis,
          purpose: hit.purpose,
          ...(hit.caseRef ? { caseRef: hit.caseRef } : {}),
          dueAt: dueAt.toISOString(),
          at: at.toISOString(),
        },
        createdAt: at,
      },
    });
    await audit(tx, viewer, 'disclosure.request', created.id, { recordType: hit.kind, dueAt: dueAt.toISOString() }, at);
    return { request: (await viewsOf(tx, [created], viewer, at))[0]!, created: true };
  });
}

/** The owner's pending (or overdue) request, or NOT_FOUND for anyone else and anything else. */
async function ownedRequest(tx: Tx, viewer: Viewer, id: string): Promise<StoredRequest> {
  if (!isUuid(id)) throw notFound();
  const request = await tx.disclosureRequest.findFirst({ where: { id, ownerId: viewer.agencyId }, include: { grant: true } });
  if (!request) throw notFound();
  return request;
}

const wrongState = (status: DisclosureStatus, wanted: string) =>
  new LiaisonError(ErrorCode.CONFLICT, `The request is ${status}; only a ${wanted} request can be ${wanted === 'pending' ? 'decided' : 'revoked'}.`, {
    issues: [{ field: 'id', code: 'WRONG_STATUS', message: status }],
  });

/** The owner approves (creating the grant) or denies a pending request. */
export async function decideDisclosure(
  prisma: PrismaClient,
  viewer: Viewer,
  input: { id: string; decision: DisclosureDecision; reason: string; expiresOn?: Date | null | undefined },
  services: DisclosureServices,
): Promise<DisclosureView> {
  const { id, decision, reason, expiresOn } = checked(decisionSchema, input, 'decision');
  const at = services.now();
  if (expiresOn && grantEnd(expiresOn) <= at) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, 'expiresOn must be today or later (UTC).', { issues: [{ field: 'expiresOn', code: 'IN_THE_PAST' }] });
  }
  if (expiresOn && decision === 'DENY') {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, 'expiresOn goes with APPROVE only.', { issues: [{ field: 'expiresOn', code: 'INVALID' }] });
  }
  return prisma.$transaction(async (tx) => {
    const request = await ownedRequest(tx, viewer, id);
    const status = statusAt(request, at);
    if (status !== 'PENDING' && status !== 'OVERDUE') throw wrongState(status, 'pending');
    // The conditional update makes two concurrent decisions of one request decide it once.
    const { count } = await tx.disclosureRequest.updateMany({
      where: { id, status: 'PENDING' },
      data: { status: decision === 'APPROVE' ? 'APPROVED' : 'DENIED', decidedAt: at, decidedBy: viewer.subject, decisionReason: reason },
    });
    if (count === 0) throw wrongState('APPROVED', 'pending');
    if (decision === 'APPROVE') {
      await tx.recordGrant.create({
        data: {
          requestId: id,
          granteeId: request.requesterId,
          ...grantRecord(request.kind, request.recordId),
          createdAt: at,
          expiresAt: expiresOn ? grantEnd(expiresOn) : null,
        },
      });
    }
    await tx.agencyEvent.create({
      data: {
        agencyId: request.requesterId,
        type: 'DISCLOSURE_DECIDED',
        payload: {
          requestId: id,
          decision,
          reason,
          recordType: request.kind,
          ...(decision === 'APPROVE' ? { recordId: request.recordId } : {}),
          ...(expiresOn ? { expiresOn: expiresOn.toISOString().slice(0, 10) } : {}),
          decidedBy: viewer.agencyCode,
          at: at.toISOString(),
        },
        createdAt: at,
      },
    });
    await audit(tx, viewer, 'disclosure.decide', id, { decision, recordType: request.kind }, at);
    const decided = await tx.disclosureRequest.findUniqueOrThrow({ where: { id }, include: { grant: true } });
    return (await viewsOf(tx, [decided], viewer, at))[0]!;
  });
}

/** The owner ends an approved grant before its expiry; the requester is told. */
export async function revokeDisclosure(prisma: PrismaClient, viewer: Viewer, id: string, services: DisclosureServices): Promise<DisclosureView> {
  checked(decisionSchema.pick({ id: true }), { id }, 'revocation');
  const at = services.now();
  return prisma.$transaction(async (tx) => {
    const request = await ownedRequest(tx, viewer, id);
    const status = statusAt(request, at);
    if (request.status !== 'APPROVED') throw wrongState(status, 'approved');
    await tx.disclosureRequest.update({ where: { id }, data: { status: 'REVOKED' } });
    await tx.recordGrant.update({ where: { requestId: id }, data: { revokedAt: at } });
    await tx.agencyEvent.create({
      data: {
        agencyId: request.requesterId,
        type: 'DISCLOSURE_DECIDED',
        payload: { requestId: id, decision: 'REVOKED', recordType: request.kind, decidedBy: viewer.agencyCode, at: at.toISOString() },
        createdAt: at,
      },
    });
    await audit(tx, viewer, 'disclosure.revoke', id, { recordType: request.kind }, at);
    const revoked = await tx.disclosureRequest.findUniqueOrThrow({ where: { id }, include: { grant: true } });
    return (await viewsOf(tx, [revoked], viewer, at))[0]!;
  });
}

/**
 * Raises DISCLOSURE_OVERDUE, once per request, to both sides of every request still pending
 * past its due time (only those of `agencyId` when given). The conditional UPDATE marks each
 * request in the same transaction as its events, so concurrent sweeps raise each one once.
 * Returns how many requests it raised.
 */
export async function raiseOverdueDisclosures(prisma: PrismaClient, at: Date, agencyId?: string): Promise<number> {
  return prisma.$transaction(async (tx) => {
    const overdue = await tx.$queryRaw<{ id: string; requester_id: string; owner_id: string; kind: RecordKind; record_id: string; due_at: Date }[]>`
      UPDATE disclosure_request SET overdue_raised_at = ${at}
       WHERE status = 'PENDING' AND due_at <= ${at} AND overdue_raised_at IS NULL
         AND (${agencyId ?? null}::uuid IS NULL OR requester_id = ${agencyId ?? null}::uuid OR owner_id = ${agencyId ?? null}::uuid)
      RETURNING id, requester_id, owner_id, kind, record_id, due_at`;
    if (overdue.length === 0) return 0;
    const codes = await agencyCodes(tx, overdue.flatMap((r) => [r.requester_id, r.owner_id]));
    await tx.agencyEvent.createMany({
      data: overdue.flatMap((r) => {
        const common = { requestId: r.id, recordType: r.kind, dueAt: r.due_at.toISOString(), at: at.toISOString() };
        return [
          { agencyId: r.owner_id, type: 'DISCLOSURE_OVERDUE', payload: { ...common, recordId: r.record_id, requestedBy: codes.get(r.requester_id) ?? '' }, createdAt: at },
          { agencyId: r.requester_id, type: 'DISCLOSURE_OVERDUE', payload: { ...common, owner: codes.get(r.owner_id) ?? '' }, createdAt: at },
        ];
      }),
    });
    return overdue.length;
  });
}

const listSchema = z.object({
  direction: z.enum(DISCLOSURE_DIRECTIONS),
  status: z.enum(DISCLOSURE_STATUSES).nullish(),
  first: z.number().int().min(1).max(MAX_DISCLOSURE_LIST).nullish(),
});

/** The stored condition of a computed status at `at`. */
function statusWhere(status: DisclosureStatus, at: Date): Prisma.DisclosureRequestWhereInput {
  switch (status) {
    case 'PENDING':
      return { status: 'PENDING', dueAt: { gt: at } };
    case 'OVERDUE':
      return { status: 'PENDING', dueAt: { lte: at } };
    case 'APPROVED':
      return { status: 'APPROVED', grant: { is: { OR: [{ expiresAt: null }, { expiresAt: { gt: at } }] } } };
    case 'EXPIRED':
      return { status: 'APPROVED', grant: { is: { expiresAt: { lte: at } } } };
    default:
      return { status };
  }
}

/** The viewer's requests, newest first: INCOMING (to decide) or OUTGOING (asked), optionally of one status. */
export async function listDisclosureRequests(
  prisma: PrismaClient,
  viewer: Viewer,
  input: { direction: DisclosureDirection; status?: DisclosureStatus | null | undefined; first?: number | null | undefined },
  services: DisclosureServices,
): Promise<DisclosureView[]> {
  const { direction, status, first } = checked(listSchema, input, 'disclosure request list');
  const at = services.now();
  await raiseOverdueDisclosures(prisma, at, viewer.agencyId);
  const side = direction === 'INCOMING' ? { ownerId: viewer.agencyId } : { requesterId: viewer.agencyId };
  const rows = await prisma.disclosureRequest.findMany({
    where: { ...side, ...(status ? statusWhere(status, at) : {}) },
    include: { grant: true },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: first ?? MAX_DISCLOSURE_LIST,
  });
  return viewsOf(prisma, rows, viewer, at);
}

/** One request the viewer is a side of, or null (a request of others looks missing). */
export async function findDisclosureRequest(prisma: PrismaClient, viewer: Viewer, id: string, services: DisclosureServices): Promise<DisclosureView | null> {
  if (!isUuid(id)) return null;
  const at = services.now();
  await raiseOverdueDisclosures(prisma, at, viewer.agencyId);
  const row = await prisma.disclosureRequest.findFirst({
    where: { id, OR: [{ ownerId: viewer.agencyId }, { requesterId: viewer.agencyId }] },
    include: { grant: true },
  });
  return row ? (await viewsOf(prisma, [row], viewer, at))[0]! : null;
}

/** A record as REST shows it beside its disclosure request: the common fields and those of its kind. */
export type DisclosedRecord = {
  id: string;
  recordType: RecordKind;
  owner: string;
  sourceRef: string;
  sharingLevel: 'CLEAR' | 'GREEN' | 'AMBER' | 'RED';
  handling: HandlingCode;
  handlingNote: string | null;
  sourceReliability: SourceReliability;
  informationAssessment: number;
  nationality?: string | null;
  birthYear?: number | null;
  role?: string;
  status?: string;
  amount?: string;
  currency?: string;
  action?: string;
};

/**
 * The record of a request when the sharing rules (grants included) let the viewer see it at
 * `viewer.at`, else null: the same predicate as every GraphQL read path.
 */
export async function disclosedRecord(prisma: PrismaClient, viewer: Viewer, request: DisclosureView): Promise<DisclosedRecord | null> {
  if (!request.recordId) return null;
  const where = { id: request.recordId, ...visibleRecordWhere(viewer) };
  const common = {
    id: true,
    sourceRef: true,
    sharingLevel: true,
    handling: true,
    handlingNote: true,
    sourceReliability: true,
    informationAssessment: true,
    owner: { select: { code: true } },
  } as const;
  const base = (r: { id: string; sourceRef: string; sharingLevel: DisclosedRecord['sharingLevel']; owner: { code: string } } & Pick<DisclosedRecord, 'handling' | 'handlingNote' | 'sourceReliability' | 'informationAssessment'>) => ({
    id: r.id,
    owner: r.owner.code,
    sourceRef: r.sourceRef,
    sharingLevel: r.sharingLevel,
    handling: r.handling,
    handlingNote: r.handlingNote,
    sourceReliability: r.sourceReliability,
    informationAssessment: r.informationAssessment,
  });
  if (request.recordType === 'SUSPECT') {
    const s = await prisma.suspect.findFirst({ where, select: { ...common, nationality: true, birthYear: true, role: true, status: true } });
    return s && { ...base(s), recordType: 'SUSPECT', nationality: s.nationality, birthYear: s.birthYear, role: s.role, status: s.status };
  }
  if (request.recordType === 'INTERCEPTED_FUND') {
    const f = await prisma.interceptedFund.findFirst({ where, select: { ...common, amount: true, currency: true, action: true } });
    return f && { ...base(f), recordType: 'INTERCEPTED_FUND', amount: formatDecimal(f.amount), currency: f.currency, action: f.action };
  }
  const d = await prisma.scamDen.findFirst({ where, select: { ...common, status: true } });
  return d && { ...base(d), recordType: 'SCAM_DEN', status: d.status };
}
