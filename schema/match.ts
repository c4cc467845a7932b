// Governed linkage, part one: hit/no-hit matching. An investigator holding an identifier from a
// case asks whether any partner knows it. The gateway normalizes and HMACs each value in memory
// with the very functions ingestion uses, looks the selectors up across every agency's records
// whatever their sharing level (retracted and unmatchable records excepted), and answers per identifier: hit or
// no hit, and for each hit an opaque hitRef bound to the requesting agency, the owner agency,
// the record type, and the record id only when the sharing rules already let the requester see
// it. Because whoever can match can test guesses, every match is governed:
// - a stated purpose (required) and an optional case reference;
// - a daily quota of identifiers per agency, taken before any lookup (RATE_LIMITED past it);
// - the owner of every record hit is told (a MATCH_HIT event: which record, which agency,
//   when, the purpose — never the value);
// - one audit event per call with the purpose, case ref, count and selector hashes.
// No raw value is stored, logged, audited or echoed; no selector hash appears in an answer.
import { z } from 'zod';
import { normalizeIdentifier, normalizePersonName, selectorHash } from '../adapters/pseudonymize.ts';
import { SELECTOR_TYPES, type SelectorType } from '../adapters/contract.ts';
import { appendAuditEvent } from '../kernel/audit.ts';
import { ErrorCode, LiaisonError, type ErrorIssue } from '../kernel/errors.ts';
import type { Viewer } from '../kernel/viewer.ts';
import type { Tx } from '../ingest/batch/types.ts';
import { hitAndEventWrites, hitRefExpiry, lookUpSelectors, newHitRef, type OutboxEvent, type RecordCodes, type StoredHit } from '../ingest/linkage.ts';
import type { RecordKind } from '../prisma/generated/client/enums.ts';
import type { PlainStatements } from '../kernel/db.ts';
import { SqlParams, visibleRecordSql } from './sharing.ts';

/** Identifier types a match takes: the selector types (DEVICE_IMEI asked as IMEI) and NAME_DOB. */
export const MATCH_IDENTIFIER_TYPES = [...SELECTOR_TYPES.map((t) => (t === 'DEVICE_IMEI' ? 'IMEI' : t)), 'NAME_DOB'] as const;
export type MatchIdentifierType = (typeof MATCH_IDENTIFIER_TYPES)[number];

export const MAX_MATCH_IDENTIFIERS = 100;
export const MAX_PURPOSE_LENGTH = 500;
export { DEFAULT_MATCH_QUOTA_PER_DAY, HIT_REF_TTL_DAYS, hitRefHash } from '../ingest/linkage.ts';

export type RecordType = RecordKind;

export type MatchIdentifier = {
  type: MatchIdentifierType;
  value: string;
  /** Issuing country of a document, region of a phone or account without one (ISO alpha-2). */
  country?: string | null | undefined;
  /** NAME_DOB only: the birth date, YYYY-MM-DD (the value is the full name). */
  birthDate?: string | null | undefined;
  /** CRYPTO_WALLET only: the ticker (USDT, BTC, ETH) when the value does not name it. */
  ticker?: string | null | undefined;
};

export type MatchRequest = { identifiers: MatchIdentifier[]; purpose: string; caseRef?: string | null | undefined };

export type Hit = {
  hitRef: string;
  ownerId: string;
  owner: string;
  recordType: RecordType;
  own: boolean;
  /** Set only when the requester may already see the record under the sharing rules. */
  recordId: string | null;
} & HitCodes;

/** The record's handling code and evaluation: shown on every hit, so that the requester knows the terms before asking. */
export type HitCodes = RecordCodes;

export type MatchOutcome = { index: number; hit: boolean; hits: Hit[] };
export type MatchResponse = { results: MatchOutcome[]; quotaRemaining: number; quotaPerDay: number };

export type MatchServices = {
  pseudonymKey: string;
  now: () => Date;
  /** The gateway's default daily quota (an agency's own setting wins). */
  defaultQuotaPerDay?: number;
};

const requestSchema = z.object({
  identifiers: z
    .array(
      z.object({
        type: z.enum(MATCH_IDENTIFIER_TYPES),
        value: z.string().min(1).max(512),
        country: z.string().max(64).nullish(),
        birthDate: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
          .nullish(),
        ticker: z.string().max(16).nullish(),
      }),
    )
    .min(1)
    .max(MAX_MATCH_IDENTIFIERS),
  purpose: z.string().trim().min(1, 'a purpose is required').max(MAX_PURPOSE_LENGTH),
  caseRef: z.string().trim().max(100).nullish(),
});

const issueAt = (path: readonly PropertyKey[]): string =>
  path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');

/** Checks shapes without echoing any value back (zod messages about values are not used). */
function checkRequest(request: MatchRequest): z.infer<typeof requestSchema> {
  const parsed = requestSchema.safeParse(request);
  if (parsed.success) return parsed.data;
  const issues: ErrorIssue[] = parsed.error.issues.map((i) => ({ field: issueAt(i.path), code: 'INVALID', message: i.message }));
  throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `Invalid match: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, { issues });
}

type Probe = { index: number; type: SelectorType | 'NAME_DOB'; hash: string };

/** The selector of one identifier, computed exactly as ingestion computes it; null when invalid. */
function probeOf(id: z.infer<typeof requestSchema>['identifiers'][number], key: string): { type: SelectorType | 'NAME_DOB'; hash: string } | null {
  if (id.type === 'NAME_DOB') {
    const name = normalizePersonName(id.value);
    if (!name || !id.birthDate) return null;
    return { type: 'NAME_DOB', hash: selectorHash(key, 'NAME_DOB', `${name}:${id.birthDate}`) };
  }
  const type: SelectorType = id.type === 'IMEI' ? 'DEVICE_IMEI' : id.type;
  const normalized = normalizeIdentifier({
    type,
    value: id.value,
    ...(id.country ? { country: id.country } : {}),
    ...(id.ticker ? { ticker: id.ticker } : {}),
  });
  return normalized.ok ? { type: normalized.type, hash: selectorHash(key, normalized.type, normalized.value) } : null;
}

function probesOf(request: z.infer<typeof requestSchema>, key: string): Probe[] {
  const probes: Probe[] = [];
  const invalid: ErrorIssue[] = [];
  request.identifiers.forEach((id, index) => {
    const probe = probeOf(id, key);
    if (probe) probes.push({ index, ...probe });
    else {
      invalid.push({
        field: `identifiers[${index}]`,
        code: 'INVALID_IDENTIFIER',
        message:
          id.type === 'NAME_DOB'
            ? 'NAME_DOB needs a name in value and birthDate as YYYY-MM-DD'
            : `not a valid ${id.type} (documents need their issuing country, phones a country code or country)`,
      });
    }
  });
  if (invalid.length > 0) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `${invalid.length} identifier(s) cannot be normalized: ${invalid.map((i) => i.field).join(', ')}`, {
      issues: invalid,
    });
  }
  return probes;
}

/** The sharing rules over the lookup's suspect `s` and fund `f` rows, for the viewer (schema/sharing.ts). */
function visibilityFor(viewer: Viewer, at: Date) {
  const params = new SqlParams();
  const judged = { ...viewer, at: viewer.at ?? at };
  return { suspect: visibleRecordSql(judged, 'suspect', 's', params), fund: visibleRecordSql(judged, 'intercepted_fund', 'f', params), values: params.values };
}

/**
 * The selectors of a match request (or a watch's identifiers), computed as ingestion computes
 * them; a malformed request or an identifier that cannot be normalized is BAD_USER_INPUT.
 */
export function matchProbes(request: MatchRequest, key: string): { checked: z.infer<typeof requestSchema>; probes: Probe[] } {
  const checked = checkRequest(request);
  return { checked, probes: probesOf(checked, key) };
}

/** Runs one governed match for the viewer's agency (see the header of this file). */
export async function runMatch(prisma: PlainStatements, viewer: Viewer, request: MatchRequest, services: MatchServices): Promise<MatchResponse> {
  const { checked, probes } = matchProbes(request, services.pseudonymKey);
  const at = services.now();
  const visibility = visibilityFor(viewer, at);
  // Two statements, one round trip each, and no transaction around them: the quota's charge
  // with the lookup (nothing is looked up unless the charge was taken), then the hit rows, the
  // owners' events and the audit event in the audit event's own statement, so they are stored
  // together or not at all. Nothing is answered before the second has committed. A call that
  // fails between the two has used its quota and disclosed nothing.
  const charge = { agencyId: viewer.agencyId, count: probes.length, at, defaultQuotaPerDay: services.defaultQuotaPerDay };
  const { found, quota } = await lookUpSelectors(prisma, probes, { visibility, charge });
  const { quotaPerDay, quotaRemaining } = quota;
  const expiresAt = hitRefExpiry(at);
  const results: MatchOutcome[] = checked.identifiers.map((_, index) => ({ index, hit: false, hits: [] }));
  const stored: StoredHit[] = [];
  const notify = new Map<string, { ownerId: string; kind: RecordType; recordId: string }>();
  const answered = new Set<string>();
  for (const f of found) {
    // One hit per identifier and record, even when several of its selectors match.
    if (answered.has(`${f.probe.index}:${f.id}`)) continue;
    answered.add(`${f.probe.index}:${f.id}`);
    const { hitRef, refHash } = newHitRef();
    const own = f.ownerId === viewer.agencyId;
    const outcome = results[f.probe.index]!;
    outcome.hit = true;
    outcome.hits.push({
      hitRef,
      ownerId: f.ownerId,
      owner: f.ownerCode,
      recordType: f.kind,
      own,
      recordId: own || f.visible ? f.id : null,
      ...f.codes,
    });
    stored.push({
      refHash,
      requesterId: viewer.agencyId,
      ownerId: f.ownerId,
      kind: f.kind,
      recordId: f.id,
      purpose: checked.purpose,
      caseRef: checked.caseRef ?? null,
      createdAt: at,
      expiresAt,
    });
    if (!own) notify.set(`${f.kind}:${f.id}`, { ownerId: f.ownerId, kind: f.kind, recordId: f.id });
  }
  const events: OutboxEvent[] = [...notify.values()].map((n) => ({
    agencyId: n.ownerId,
    type: 'MATCH_HIT',
    payload: {
      recordType: n.kind,
      recordId: n.recordId,
      matchedBy: viewer.agencyCode,
      purpose: checked.purpose,
      ...(checked.caseRef ? { caseRef: checked.caseRef } : {}),
      at: at.toISOString(),
    },
    createdAt: at,
  }));
  await appendAuditEvent(
    prisma,
    {
      agencyCode: viewer.agencyCode,
      subject: viewer.subject,
      action: 'match',
      outcome: 'ok',
      detail: {
        purpose: checked.purpose,
        ...(checked.caseRef ? { caseRef: checked.caseRef } : {}),
        count: probes.length,
        hits: stored.length,
        selectors: probes.map((p) => `${p.type}:${p.hash}`),
      },
    },
    at,
    hitAndEventWrites(stored, events),
  );
  return { results, quotaRemaining, quotaPerDay };
}
