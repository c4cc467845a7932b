// A request refused by its agency's rate limit costs no database write (ISO-17): the limit is
// checked once the token's signature and claims hold, before its jti is spent, so after a
// flood the replay cache holds exactly the admitted requests' ids. A replayed token is still
// refused (TOK-15), and, once refused, it is given back to its agency's allowance (ISO-18): a
// captured token replayed does not use up the agency's minute. Once an agency is found over its
// limit, its further requests are refused before its row is even read (ISO-35), but only on a
// signature of its own.
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { generateAgencyKeyPair, mintToken } from '../../api/auth/keys.ts';
import type { Config } from '../../kernel/config.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

const LIMITS: Config['rateLimits'] = { requestsPerMinute: 5, costPerMinute: 10_000, authFailuresPerMinute: 1_000, costPerOperation: 5_000, concurrentPerAgency: 4, refusalDelayMs: 0 };
const CHEAP = '{ me { agency { code } } }';

let gw: TestGateway;

beforeAll(async () => {
  gw = await createTestGateway({ rateLimits: LIMITS });
});
afterAll(() => gw?.close());

async function send(token: string, path: 'graphql' | 'rest') {
  const request =
    path === 'graphql'
      ? new Request('http://gateway.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: CHEAP }),
        })
      : new Request('http://gateway.test/v1/events', { headers: { authorization: `Bearer ${token}` } });
  const response = await gw.app.fetch(request);
  return { status: response.status, body: (await response.json()) as { errors?: { extensions?: { reason?: string } }[]; reason?: string } };
}

const storedJtis = (agency: TestAgency) => gw.db.prisma.replayCache.count({ where: { iss: agency.code } });
const tokenOf = (agency: TestAgency, jti?: string) =>
  mintToken({ privateJwk: agency.privateJwk, iss: agency.code, sub: 'officer-1', aud: gw.config.audience, scope: 'records:read', now: gw.clock.now, ...(jti ? { jti } : {}) });

describe('rate-limit refusals and the replay cache', () => {
  it('ISO-17 a flood past the agency limit leaves only the admitted requests in the replay cache, over GraphQL and REST', async () => {
    for (const path of ['graphql', 'rest'] as const) {
      const agency = await gw.addAgency(path === 'graphql' ? 'XA-FLOOD' : 'XB-FLOOD');
      const statuses: number[] = [];
      // Sequential, so that the count is exact: the limit admits 5 of the minute.
      for (let i = 0; i < 30; i++) statuses.push((await send(await tokenOf(agency), path)).status);
      const admitted = statuses.filter((s) => s === 200).length;
      expect(admitted).toBe(LIMITS.requestsPerMinute);
      expect(statuses.filter((s) => s === 429)).toHaveLength(30 - admitted);
      expect(await storedJtis(agency)).toBe(admitted);
    }
  });

  it('ISO-35 refuses an agency already over its limit without reading its row or the replay cache, and only on its own signature', async () => {
    /** The statements of a token check: the agency's row and keys, and the replay cache. */
    const tokenChecks = (spies: MockInstance[]) =>
      spies.flatMap((spy) => spy.mock.calls).filter(([query]) => /agency_key|replay_cache/.test(Array.isArray(query) ? query.join('?') : String((query as { sql?: unknown }).sql ?? query)));
    for (const path of ['graphql', 'rest'] as const) {
      const agency = await gw.addAgency(path === 'graphql' ? 'XD-KNOWN' : 'XE-KNOWN');
      for (let i = 0; i < LIMITS.requestsPerMinute; i++) expect((await send(await tokenOf(agency), path)).status).toBe(200);
      // The request that finds the agency over its limit is counted, and read, as any other.
      expect((await send(await tokenOf(agency), path)).status).toBe(429);
      const spies = [vi.spyOn(gw.db.statements, '$queryRaw'), vi.spyOn(gw.db.statements, '$executeRaw')];
      try {
        for (let i = 0; i < 10; i++) {
          const refused = await send(await tokenOf(agency), path);
          expect(refused.status).toBe(429);
          expect(path === 'graphql' ? refused.body.errors?.[0]?.extensions?.reason : refused.body.reason).toBe('request_limit');
        }
        expect(tokenChecks(spies)).toEqual([]);
        // The same kid with a key that is not the agency's: refused as a bad token, exactly as for
        // an agency within its limit, so a forger learns nothing of the agency's standing.
        const stranger = await generateAgencyKeyPair({ kid: agency.privateJwk.kid });
        const forged = await send(await tokenOf({ ...agency, privateJwk: stranger.privateJwk }), path);
        expect(forged.status).toBe(401);
        expect(tokenChecks(spies).length).toBeGreaterThan(0);
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
      expect(await storedJtis(agency)).toBe(LIMITS.requestsPerMinute);
    }
  });

  it('TOK-15 ISO-18 still refuses a replayed token, and the replay does not use up the agency allowance', async () => {
    const agency = await gw.addAgency('XC-REPLAY');
    const token = await tokenOf(agency);
    expect((await send(token, 'graphql')).status).toBe(200);
    for (let i = 0; i < 8; i++) {
      const replay = await send(token, 'graphql');
      expect(replay.status).toBe(401);
      expect(replay.body.errors?.[0]?.extensions?.reason).toBe('token_reused');
    }
    // 1 used of 5: four fresh tokens are still admitted after eight replays, then the limit holds.
    for (let i = 0; i < 4; i++) expect((await send(await tokenOf(agency), 'graphql')).status).toBe(200);
    expect((await send(await tokenOf(agency), 'graphql')).status).toBe(429);
    expect(await storedJtis(agency)).toBe(5);
  });
});
