// Agency registration, shared by the admin API and the CLI. The JWKS is checked before
// anything is stored (public signing keys only, strong enough, one algorithm each).
import { z } from 'zod';
import type { PrismaClient } from '../prisma/generated/client/client.ts';
import { acceptableJwksUri } from './auth/agency-keys.ts';
import { ISSUER_PATTERN, MAX_ISSUER_LENGTH } from '../kernel/viewer.ts';
import { validateAgencyJwks } from './auth/keys.ts';
import { SCOPES } from '../kernel/scopes.ts';
import { badInput, ErrorCode, LiaisonError } from '../kernel/errors.ts';

const SCOPE = z.enum(SCOPES);

export const registerAgencyInput = z.object({
  code: z.string().max(MAX_ISSUER_LENGTH).regex(ISSUER_PATTERN, 'an agency code such as ES-PN or CN-MPS'),
  name: z.string().trim().min(1).max(200),
  country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2, upper case'),
  jwks: z.unknown().optional(),
  jwksUri: z.string().url().optional(),
  scopes: z.array(SCOPE).default(['records:read', 'records:submit', 'match:query']),
});
export type RegisterAgencyInput = z.input<typeof registerAgencyInput>;

export async function registerAgency(prisma: PrismaClient, raw: RegisterAgencyInput) {
  const parsed = registerAgencyInput.safeParse(raw);
  if (!parsed.success) throw badInput(parsed.error);
  const input = parsed.data;
  if (input.jwks === undefined && !input.jwksUri) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, 'Give the agency a JWKS (inline) or a jwksUri.', {
      issues: [{ field: 'jwks', code: 'MISSING_FIELD' }],
    });
  }
  if (input.jwksUri && !acceptableJwksUri(input.jwksUri)) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, 'jwksUri must be an https URL without credentials.', {
      issues: [{ field: 'jwksUri', code: 'INSECURE_URI' }],
    });
  }
  const keys = input.jwks === undefined ? [] : checkedKeys(input.jwks);
  if (await prisma.agency.findUnique({ where: { code: input.code }, select: { id: true } })) {
    throw new LiaisonError(ErrorCode.CONFLICT, `Agency ${input.code} already exists.`);
  }
  return prisma.agency.create({
    data: {
      code: input.code,
      name: input.name,
      country: input.country,
      scopes: input.scopes,
      jwksUri: input.jwksUri ?? null,
      keys: { create: keys.map((jwk) => ({ kid: String(jwk.kid), alg: String(jwk.alg), jwk: jwk as object })) },
    },
  });
}

function checkedKeys(jwks: unknown) {
  const result = validateAgencyJwks(jwks);
  if (!result.ok) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, 'The JWKS holds keys the gateway does not accept.', {
      status: 422,
      issues: result.issues.map((i) => ({ path: i.path, field: 'jwks', code: i.code, message: i.reason })),
    });
  }
  return result.keys;
}

/** A limit per minute, or null for the gateway's default. */
const perMinute = z.number().int().min(1).max(100_000_000).nullable();

export const agencyLimitsInput = z
  .object({
    code: z.string().max(MAX_ISSUER_LENGTH).regex(ISSUER_PATTERN, 'an agency code such as ES-PN or CN-MPS'),
    requestsPerMinute: perMinute.optional(),
    costPerMinute: perMinute.optional(),
  })
  .refine((input) => input.requestsPerMinute !== undefined || input.costPerMinute !== undefined, {
    message: 'give requestsPerMinute, costPerMinute or both',
    path: ['requestsPerMinute'],
  });
export type AgencyLimitsInput = z.input<typeof agencyLimitsInput>;

/**
 * Sets an agency's own rate limits (null returns one to the gateway's default); what is not
 * given stays as it was. Running gateway processes apply the change within seconds.
 */
export async function setAgencyLimits(prisma: PrismaClient, raw: AgencyLimitsInput) {
  const parsed = agencyLimitsInput.safeParse(raw);
  if (!parsed.success) throw badInput(parsed.error);
  const { code, requestsPerMinute, costPerMinute } = parsed.data;
  const agency = await prisma.agency.findUnique({ where: { code }, select: { id: true } });
  if (!agency) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `No agency ${code} is registered.`, {
      issues: [{ field: 'code', code: 'UNKNOWN_AGENCY', message: `No agency ${code} is registered.` }],
    });
  }
  return prisma.agency.update({
    where: { id: agency.id },
    data: {
      ...(requestsPerMinute !== undefined ? { requestsPerMinute } : {}),
      ...(costPerMinute !== undefined ? { costPerMinute } : {}),
    },
    select: { code: true, requestsPerMinute: true, costPerMinute: true },
  });
}
