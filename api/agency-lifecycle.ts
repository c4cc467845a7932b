// An agency's life after registration, shared by the admin API and the CLI: show it, list,
// add and remove its keys, suspend and reactivate it, change its scopes and JWKS URI. Each
// change is one transaction with its audit event (subject `operator`, what changed, never key
// material beyond kid and alg), so a change is never left unaudited.
//
// Every gateway process reads an agency's status, scopes and keys on each verification
// (api/auth/agency-keys.ts), so a removed key or a suspension is refused everywhere on the next
// request. What outlives a request is told to every process by a NOTIFY in the same
// transaction (`<agency id>:revoked` on the events channel): open event streams of the agency
// end there (api/events/hub.ts), and their clients must come back with a token that passes.
import { z } from 'zod';
import type { Prisma, PrismaClient } from '../prisma/generated/client/client.ts';
import { appendAuditEvent } from '../kernel/audit.ts';
import { badInput, ErrorCode, LiaisonError } from '../kernel/errors.ts';
import { SCOPES } from '../kernel/scopes.ts';
import { ISSUER_PATTERN, MAX_ISSUER_LENGTH } from '../kernel/viewer.ts';
import { acceptableJwksUri } from './auth/agency-keys.ts';
import { MAX_KEYS_PER_AGENCY, validateAgencyJwks } from './auth/keys.ts';
import { MAX_KID_LENGTH } from './auth/key-policy.ts';
import { EVENT_CHANNEL, REVOKED } from './events/notifier.ts';

/** Who made a change: the operator, through the CLI on the database or the admin API. */
export type LifecycleActor = { via: 'cli' | 'admin-api' };


export type AgencyKeyView = { kid: string; alg: string; added: string; state: 'active' | 'removed'; removed?: string };

export type AgencyView = {
  code: string;
  name: string;
  country: string;
  status: 'ACTIVE' | 'SUSPENDED';
  scopes: string[];
  jwksUri: string | null;
  persistedOnly: boolean;
  requestsPerMinute: number | null;
  costPerMinute: number | null;
  registered: string;
  keys: AgencyKeyView[];
};

const agencyCode = z.string().max(MAX_ISSUER_LENGTH).regex(ISSUER_PATTERN, 'an agency code such as ES-PN or CN-MPS');
const kid = z.string().min(1).max(MAX_KID_LENGTH);
const codeOnly = z.object({ code: agencyCode });

type Tx = Prisma.TransactionClient;

async function agencyOf(prisma: Pick<PrismaClient, 'agency'> | Tx, code: string) {
  const agency = await prisma.agency.findUnique({ where: { code } });
  if (!agency) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `No agency ${code} is registered.`, {
      issues: [{ field: 'code', code: 'UNKNOWN_AGENCY', message: `No agency ${code} is registered.` }],
    });
  }
  return agency;
}

function parsed<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (!result.success) throw badInput(result.error);
  return result.data;
}

function keyView(row: { kid: string; alg: string; createdAt: Date; removedAt: Date | null }): AgencyKeyView {
  return {
    kid: row.kid,
    alg: row.alg,
    added: row.createdAt.toISOString(),
    state: row.removedAt ? 'removed' : 'active',
    ...(row.removedAt ? { removed: row.removedAt.toISOString() } : {}),
  };
}

async function keysOf(prisma: Pick<PrismaClient, 'agencyKey'> | Tx, agencyId: string): Promise<AgencyKeyView[]> {
  const rows = await prisma.agencyKey.findMany({ where: { agencyId }, orderBy: [{ createdAt: 'asc' }, { kid: 'asc' }] });
  return rows.map(keyView);
}

/** One change and its audit event, and, when it withdraws access, the notice to every process. */
async function change<T>(
  prisma: PrismaClient,
  actor: LifecycleActor,
  work: (tx: Tx) => Promise<{ result: T; audit: { action: string; target: string; detail: Record<string, unknown> }; revokes?: string }>,
): Promise<T> {
  return prisma.$transaction(async (tx) => {
    const { result, audit, revokes } = await work(tx);
    await appendAuditEvent(tx, { subject: 'operator', outcome: 'ok', ...audit, detail: { ...audit.detail, via: actor.via } }, new Date());
    if (revokes) await tx.$executeRaw`SELECT pg_notify(${EVENT_CHANNEL}, ${`${revokes}:${REVOKED}`})`;
    return result;
  });
}

export async function showAgency(prisma: PrismaClient, rawCode: string): Promise<AgencyView> {
  const agency = await agencyOf(prisma, parsed(codeOnly, { code: rawCode }).code);
  return {
    code: agency.code,
    name: agency.name,
    country: agency.country,
    status: agency.status,
    scopes: agency.scopes,
    jwksUri: agency.jwksUri,
    persistedOnly: agency.persistedOnly,
    requestsPerMinute: agency.requestsPerMinute,
    costPerMinute: agency.costPerMinute,
    registered: agency.createdAt.toISOString(),
    keys: await keysOf(prisma, agency.id),
  };
}

export async function listAgencyKeys(prisma: PrismaClient, rawCode: string): Promise<{ code: string; jwksUri: string | null; keys: AgencyKeyView[] }> {
  const agency = await agencyOf(prisma, parsed(codeOnly, { code: rawCode }).code);
  return { code: agency.code, jwksUri: agency.jwksUri, keys: await keysOf(prisma, agency.id) };
}

export const addAgencyKeysInput = z.object({ code: agencyCode, jwks: z.unknown() });
export type AddAgencyKeysInput = z.input<typeof addAgencyKeysInput>;

/**
 * Adds the public keys of a JWKS beside the agency's active ones. A kid the agency has (or
 * had: removed kids never come back) is a conflict; so is going past MAX_KEYS_PER_AGENCY.
 */
export async function addAgencyKeys(prisma: PrismaClient, raw: AddAgencyKeysInput, actor: LifecycleActor): Promise<{ code: string; added: AgencyKeyView[] }> {
  const input = parsed(addAgencyKeysInput, raw);
  const checked = validateAgencyJwks(input.jwks);
  if (!checked.ok) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, 'The JWKS holds keys the gateway does not accept.', {
      status: 422,
      issues: checked.issues.map((i) => ({ path: i.path, field: 'jwks', code: i.code, message: i.reason })),
    });
  }
  return change(prisma, actor, async (tx) => {
    const agency = await agencyOf(tx, input.code);
    const existing = await tx.agencyKey.findMany({ where: { agencyId: agency.id }, select: { kid: true, removedAt: true } });
    const taken = new Map(existing.map((k) => [k.kid, k.removedAt !== null]));
    for (const jwk of checked.keys) {
      const removed = taken.get(jwk.kid);
      if (removed === undefined) continue;
      throw new LiaisonError(
        ErrorCode.CONFLICT,
        removed ? `Key ${jwk.kid} of ${agency.code} was removed; a removed kid is never registered again: choose a new kid.` : `${agency.code} already has a key ${jwk.kid}.`,
        { issues: [{ field: 'jwks', code: removed ? 'KID_REMOVED' : 'KID_TAKEN', message: `kid ${jwk.kid}` }] },
      );
    }
    const active = existing.filter((k) => k.removedAt === null).length;
    if (active + checked.keys.length > MAX_KEYS_PER_AGENCY) {
      throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `An agency holds at most ${MAX_KEYS_PER_AGENCY} active keys; remove one first.`, {
        issues: [{ field: 'jwks', code: 'TOO_MANY_KEYS', message: `${active} active, ${checked.keys.length} more` }],
      });
    }
    const rows = [];
    for (const jwk of checked.keys) {
      rows.push(await tx.agencyKey.create({ data: { agencyId: agency.id, kid: jwk.kid, alg: jwk.alg, jwk: jwk as object } }));
    }
    const added = rows.map(keyView);
    return {
      result: { code: agency.code, added },
      audit: { action: 'agency.key.add', target: agency.code, detail: { keys: added.map((k) => ({ kid: k.kid, alg: k.alg })) } },
    };
  });
}

export const removeAgencyKeyInput = z.object({ code: agencyCode, kid });
export type RemoveAgencyKeyInput = z.input<typeof removeAgencyKeyInput>;

export type RemovedKey = {
  code: string;
  kid: string;
  /** Active registered keys left. */
  activeKeys: number;
  jwksUri: string | null;
  /** Set when the agency has no key left to sign with: its tokens are all refused until one is added. */
  warning?: string;
};

/**
 * Withdraws a key at once. The row stays, marked removed, so the kid is also refused when the
 * agency's remote JWKS still serves it; a kid only the remote JWKS holds gets such a row too.
 * Removing the last key is allowed (a compromise may leave nothing trustworthy) and warned.
 */
export async function removeAgencyKey(prisma: PrismaClient, raw: RemoveAgencyKeyInput, actor: LifecycleActor): Promise<RemovedKey> {
  const input = parsed(removeAgencyKeyInput, raw);
  return change(prisma, actor, async (tx) => {
    const agency = await agencyOf(tx, input.code);
    const row = await tx.agencyKey.findUnique({ where: { agencyId_kid: { agencyId: agency.id, kid: input.kid } } });
    if (row?.removedAt) {
      throw new LiaisonError(ErrorCode.CONFLICT, `Key ${input.kid} of ${agency.code} was already removed.`, {
        issues: [{ field: 'kid', code: 'KID_REMOVED', message: `already removed ${row.removedAt.toISOString()}` }],
      });
    }
    if (!row && !agency.jwksUri) {
      throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `${agency.code} has no key ${input.kid}.`, {
        issues: [{ field: 'kid', code: 'UNKNOWN_KID', message: `${agency.code} has no key ${input.kid}` }],
      });
    }
    const removedAt = new Date();
    if (row) await tx.agencyKey.update({ where: { id: row.id }, data: { removedAt } });
    // A kid of the remote JWKS only: a tombstone, never a usable key (no alg, no key material).
    else await tx.agencyKey.create({ data: { agencyId: agency.id, kid: input.kid, alg: '-', jwk: { kid: input.kid }, removedAt } });
    const activeKeys = await tx.agencyKey.count({ where: { agencyId: agency.id, removedAt: null } });
    const result: RemovedKey = {
      code: agency.code,
      kid: input.kid,
      activeKeys,
      jwksUri: agency.jwksUri,
      ...(activeKeys === 0
        ? {
            warning: agency.jwksUri
              ? `${agency.code} has no registered key left; only keys of its JWKS URI can sign its tokens.`
              : `${agency.code} has no key left: every token of the agency is refused until a key is added (liaison agency keys add).`,
          }
        : {}),
    };
    return {
      result,
      audit: { action: 'agency.key.remove', target: agency.code, detail: { kid: input.kid, source: row ? 'registered' : 'jwks_uri', activeKeys } },
      revokes: agency.id,
    };
  });
}

export const agencyStatusInput = z.object({ code: agencyCode, status: z.enum(['ACTIVE', 'SUSPENDED']) });
export type AgencyStatusInput = z.input<typeof agencyStatusInput>;

/**
 * Suspends (every token, access token, event stream and webhook delivery of the agency stops)
 * or reactivates an agency. Setting the status it already has changes nothing and is not audited.
 */
export async function setAgencyStatus(
  prisma: PrismaClient,
  raw: AgencyStatusInput,
  actor: LifecycleActor,
): Promise<{ code: string; status: 'ACTIVE' | 'SUSPENDED'; changed: boolean }> {
  const input = parsed(agencyStatusInput, raw);
  const agency = await agencyOf(prisma, input.code);
  if (agency.status === input.status) return { code: agency.code, status: agency.status, changed: false };
  return change(prisma, actor, async (tx) => {
    await tx.agency.update({ where: { id: agency.id }, data: { status: input.status } });
    const suspending = input.status === 'SUSPENDED';
    return {
      result: { code: agency.code, status: input.status, changed: true },
      audit: { action: suspending ? 'agency.suspend' : 'agency.reactivate', target: agency.code, detail: { from: agency.status, to: input.status } },
      ...(suspending ? { revokes: agency.id } : {}),
    };
  });
}

export const updateAgencyInput = z
  .object({
    code: agencyCode,
    scopes: z.array(z.enum(SCOPES)).min(1).optional(),
    /** null removes the JWKS URI. */
    jwksUri: z.string().url().nullable().optional(),
  })
  .refine((input) => input.scopes !== undefined || input.jwksUri !== undefined, { message: 'give scopes, jwksUri or both', path: ['scopes'] });
export type UpdateAgencyInput = z.input<typeof updateAgencyInput>;

/** A JWKS URI as the audit log keeps it: origin and path (a query might hold a secret). */
const auditedUri = (uri: string | null) => {
  if (uri === null) return null;
  const url = new URL(uri);
  return `${url.origin}${url.pathname}`;
};

/**
 * Changes an agency's allowed scopes and/or its JWKS URI. Narrowed scopes apply to the next
 * request of every token (access tokens included); a changed or removed URI stops trusting the
 * keys the old one served. Either ends the agency's open event streams.
 */
export async function updateAgency(
  prisma: PrismaClient,
  raw: UpdateAgencyInput,
  actor: LifecycleActor,
): Promise<{ code: string; scopes: string[]; jwksUri: string | null; warning?: string }> {
  const input = parsed(updateAgencyInput, raw);
  if (input.jwksUri && !acceptableJwksUri(input.jwksUri)) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, 'jwksUri must be an https URL without credentials.', {
      issues: [{ field: 'jwksUri', code: 'INSECURE_URI' }],
    });
  }
  return change(prisma, actor, async (tx) => {
    const agency = await agencyOf(tx, input.code);
    const scopes = input.scopes ? [...new Set(input.scopes)] : agency.scopes;
    const jwksUri = input.jwksUri === undefined ? agency.jwksUri : input.jwksUri;
    await tx.agency.update({ where: { id: agency.id }, data: { scopes, jwksUri } });
    const narrowed = agency.scopes.some((s) => !scopes.includes(s));
    const uriChanged = jwksUri !== agency.jwksUri;
    const activeKeys = uriChanged && !jwksUri ? await tx.agencyKey.count({ where: { agencyId: agency.id, removedAt: null } }) : undefined;
    const detail: Record<string, unknown> = {};
    if (input.scopes) detail.scopes = { from: agency.scopes, to: scopes };
    if (uriChanged) detail.jwksUri = { from: auditedUri(agency.jwksUri), to: auditedUri(jwksUri) };
    return {
      result: {
        code: agency.code,
        scopes,
        jwksUri,
        ...(activeKeys === 0 ? { warning: `${agency.code} has no key left: every token of the agency is refused until a key is added.` } : {}),
      },
      audit: { action: 'agency.update', target: agency.code, detail },
      ...(narrowed || (uriChanged && agency.jwksUri) ? { revokes: agency.id } : {}),
    };
  });
}
