// The database failing during the token check (the agency lookup, the replay cache) is an
// outage like any other: 503 SERVICE_UNAVAILABLE with the database's own reason and Retry-After,
// never a bad token (401) and never `verification_unavailable`, which is kept for the agency's
// remote JWKS.
import { describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../api/auth/verify-token.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { Prisma } from '../../prisma/generated/client/client.ts';
import { bearer, config, expectAuthError, NOW, registerAgency, tokenFor, useVerifierDatabase } from './support.ts';

const t = useVerifierDatabase();

/** The test database's client, failing every operation `fails` picks with `error`. */
function failing(prisma: PrismaClient, fails: (model: string | undefined, operation: string) => boolean, error: () => Error): PrismaClient {
  return prisma.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        if (fails(model, operation)) throw error();
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
}

const poolTimeout = () => new Prisma.PrismaClientKnownRequestError('Timed out fetching a new connection from the connection pool', { code: 'P2024', clientVersion: 'test' });

describe('the database failing during the token check', () => {
  it.each([
    ['the agency lookup', (_model: string | undefined, operation: string) => operation === '$queryRaw'],
    ['the replay cache', (model: string | undefined, operation: string) => model === undefined && operation === '$executeRaw'],
  ])('TOK-25 answers a failure of %s as 503 database_unavailable with Retry-After 5', async (_step, fails) => {
    const agency = await registerAgency(t.db.prisma, { code: `XT-${Math.random().toString(36).slice(2, 8).toUpperCase()}`, alg: 'EdDSA' });
    for (const error of [poolTimeout, () => new Error('Connection terminated unexpectedly'), () => new Error('something else broke')]) {
      const verifier = createTokenVerifier({ prisma: failing(t.db.prisma, fails, error), config, now: () => NOW });
      const refused = await expectAuthError(verifier.verify(bearer(await tokenFor(agency))), 'SERVICE_UNAVAILABLE');
      expect([refused.reason, refused.headers]).toEqual(['database_unavailable', { 'Retry-After': '5' }]);
    }
    // Once the database answers again, a fresh token of the agency is accepted.
    const healthy = createTokenVerifier({ prisma: t.db.prisma, config, now: () => NOW });
    expect((await healthy.verify(bearer(await tokenFor(agency)))).agencyId).toBe(agency.id);
  });
});
