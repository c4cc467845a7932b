// The agency key registry: rotation and revocation of registered keys (TOK-20), remote JWKS
// behaviour under an unknown-kid flood (TOK-07) and under outages (REL-08).
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptableJwksUri,
  createAgencyKeyRegistry,
  isValidIssuer,
  remoteJwksOptions,
} from '../../api/auth/agency-keys.ts';
import { generateAgencyKeyPair } from '../../api/auth/keys.ts';
import { createTokenVerifier } from '../../api/auth/verify-token.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import {
  addKeyRow,
  bearer,
  config,
  expectAuthError,
  expectUnauthenticated,
  NOW,
  registerAgency,
  startStub,
  tokenFor,
  type Stub,
} from './support.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

const localVerifier = () => createTokenVerifier({ prisma: db.prisma, config, now: () => NOW });
const remoteVerifier = (tokens: Partial<typeof config.tokens> = {}) =>
  createTokenVerifier({
    prisma: db.prisma,
    config: { ...config, tokens: { ...config.tokens, ...tokens } },
    now: () => NOW,
    allowInsecureJwksUri: true,
  });

/** A JWKS endpoint whose behaviour a test can switch. */
async function jwksStub(initial: unknown) {
  const state = { body: JSON.stringify(initial) as string, status: 200, delayMs: 0, location: '' };
  const stub = await startStub((_path, res) => {
    setTimeout(() => {
      if (state.location) {
        res.writeHead(302, { location: state.location });
        res.end();
        return;
      }
      res.writeHead(state.status, { 'content-type': 'application/json' });
      res.end(state.body);
    }, state.delayMs);
  });
  return Object.assign(stub, { state });
}

describe('issuer pattern (TOK-13)', () => {
  it('accepts agency codes and refuses anything else', () => {
    for (const ok of ['ES-PN', 'NL-POLITIE', 'XI-ECTEG-FIU', 'DE', 'US-FBI-IC3-X1']) expect(isValidIssuer(ok)).toBe(true);
    for (const bad of ['es-pn', 'ES_PN', 'ES-', 'E-PN', 'ES-PN ', 'ES-PN\u0000', 'ES-PN%00', 'A-B-C-D-E', 'ES-'.padEnd(41, 'A'), 42, null]) {
      expect(isValidIssuer(bad)).toBe(false);
    }
  });
});

describe('TOK-20 key rotation and revocation (registered keys)', () => {
  it('TOK-20 accepts a newly added kid2 at once and refuses a removed kid1 at once, without invalidate', async () => {
    const verifier = localVerifier();
    const agency = await registerAgency(db.prisma, { code: 'XX-ROTATE', kid: 'kid1' });
    await expect(verifier.verify(bearer(await tokenFor(agency)))).resolves.toBeDefined();

    const next = await generateAgencyKeyPair({ kid: 'kid2' });
    const withKid2 = (claims = {}) => tokenFor(agency, { key: next.privateJwk, claims });
    await expectUnauthenticated(verifier.verify(bearer(await withKid2())), 'ERR_JWKS_NO_MATCHING_KEY');
    await addKeyRow(db.prisma, agency.id, next.publicJwk);
    await expect(verifier.verify(bearer(await withKid2()))).resolves.toBeDefined();

    await db.prisma.agencyKey.deleteMany({ where: { agencyId: agency.id, kid: 'kid1' } });
    await expectUnauthenticated(verifier.verify(bearer(await tokenFor(agency))), 'ERR_JWKS_NO_MATCHING_KEY');
    await expect(verifier.verify(bearer(await withKid2()))).resolves.toBeDefined();
  });

  it('TOK-20 a removed kid stays refused after invalidate, in a second gateway process too', async () => {
    const first = localVerifier();
    const second = localVerifier();
    const agency = await registerAgency(db.prisma, { code: 'XX-REVOKE', kid: 'kid1' });
    await expect(first.verify(bearer(await tokenFor(agency)))).resolves.toBeDefined();
    await expect(second.verify(bearer(await tokenFor(agency)))).resolves.toBeDefined();
    await db.prisma.agencyKey.deleteMany({ where: { agencyId: agency.id } });
    first.invalidate(agency.code);
    await expectUnauthenticated(first.verify(bearer(await tokenFor(agency))), 'ERR_JWKS_NO_MATCHING_KEY');
    await expectUnauthenticated(second.verify(bearer(await tokenFor(agency))), 'ERR_JWKS_NO_MATCHING_KEY');
  });

  it('TOK-20 verifications that start while the agency is being read share that read; later ones are confirmed by their claim, and one that starts after a suspension sees it', async () => {
    const kinds: string[] = [];
    const prisma = {
      $queryRaw: (async (...args: Parameters<typeof db.prisma.$queryRaw>) => {
        const sql = String((args[0] as unknown as { sql?: string; strings?: string[] }).strings?.join('?') ?? args[0]);
        if (sql.includes('INSERT INTO replay_cache')) kinds.push(sql.includes('FROM agency a LEFT JOIN agency_key') ? 'checked claim' : 'claim');
        else if (sql.includes('FROM agency a LEFT JOIN agency_key')) kinds.push('read');
        return db.prisma.$queryRaw(...args);
      }) as typeof db.prisma.$queryRaw,
      $executeRaw: (async (...args: Parameters<typeof db.prisma.$executeRaw>) => {
        kinds.push('claim');
        return db.prisma.$executeRaw(...args);
      }) as typeof db.prisma.$executeRaw,
    };
    const reads = () => kinds.filter((k) => k === 'read').length;
    const verifier = createTokenVerifier({ prisma, config, now: () => NOW });
    const agency = await registerAgency(db.prisma, { code: 'XX-BURST', kid: 'kid1' });
    const tokens = await Promise.all(Array.from({ length: 8 }, () => tokenFor(agency)));
    const viewers = await Promise.all(tokens.map((t) => verifier.verify(bearer(t))));
    expect(viewers.map((v) => v.agencyCode)).toEqual(Array(8).fill('XX-BURST'));
    expect(reads()).toBe(1);

    // The next request reads no row of its own: its claim checks the row it was verified against.
    kinds.length = 0;
    await expect(verifier.verify(bearer(await tokenFor(agency)))).resolves.toMatchObject({ agencyCode: 'XX-BURST' });
    expect(kinds).toEqual(['checked claim']);

    kinds.length = 0;
    await db.prisma.agency.update({ where: { id: agency.id }, data: { status: 'SUSPENDED' } });
    const refused = await tokenFor(agency);
    await expectAuthError(verifier.verify(bearer(refused)), 'UNAUTHENTICATED', 'agency_suspended');
    // The claim found the row changed and stored nothing; the row read again says suspended.
    expect(kinds).toEqual(['checked claim', 'read']);
    const { jti } = decodeJwt(refused);
    expect(await db.prisma.replayCache.count({ where: { iss: agency.code, jti: jti! } })).toBe(0);
  });

  it('TOK-20 a change of scopes or reactivation is seen by the next request of a process that read the row before', async () => {
    const verifier = localVerifier();
    const agency = await registerAgency(db.prisma, { code: 'XX-SCOPES', kid: 'kid1', scopes: ['records:read', 'records:submit'] });
    expect((await verifier.verify(bearer(await tokenFor(agency, { claims: { scope: 'records:read records:submit' } })))).scopes).toEqual(['records:read', 'records:submit']);
    await db.prisma.agency.update({ where: { id: agency.id }, data: { scopes: ['records:read'] } });
    expect((await verifier.verify(bearer(await tokenFor(agency, { claims: { scope: 'records:read records:submit' } })))).scopes).toEqual(['records:read']);

    await db.prisma.agency.update({ where: { id: agency.id }, data: { status: 'SUSPENDED' } });
    await expectAuthError(verifier.verify(bearer(await tokenFor(agency))), 'UNAUTHENTICATED', 'agency_suspended');
    await db.prisma.agency.update({ where: { id: agency.id }, data: { status: 'ACTIVE' } });
    await expect(verifier.verify(bearer(await tokenFor(agency)))).resolves.toMatchObject({ agencyCode: 'XX-SCOPES' });
  });

  it('TOK-15 a token replayed to a process that has the row is refused, and so is a replay racing it', async () => {
    const verifier = localVerifier();
    const agency = await registerAgency(db.prisma, { code: 'XX-REPLAY', kid: 'kid1' });
    await verifier.verify(bearer(await tokenFor(agency)));
    const token = await tokenFor(agency);
    const answers = await Promise.allSettled(Array.from({ length: 6 }, () => verifier.verify(bearer(token))));
    expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    await expectAuthError(verifier.verify(bearer(token)), 'UNAUTHENTICATED', 'replay');
  });

  it('TOK-20 refuses tokens when two keys without kid are stored (kid is required and must match its row)', async () => {
    const verifier = localVerifier();
    const agency = await registerAgency(db.prisma, { code: 'XX-NOKID', kid: 'a', withKeyRow: false });
    const other = await generateAgencyKeyPair({ kid: 'b' });
    const { kid: _a, ...first } = agency.pair.publicJwk;
    const { kid: _b, ...second } = other.publicJwk;
    await addKeyRow(db.prisma, agency.id, first, 'a');
    await addKeyRow(db.prisma, agency.id, second, 'b');
    await expectUnauthenticated(verifier.verify(bearer(await tokenFor(agency, { header: { kid: undefined } }))), 'kid');
    await expectUnauthenticated(verifier.verify(bearer(await tokenFor(agency))), 'ERR_JWKS_NO_MATCHING_KEY');
  });

  it('TOK-20 jose itself refuses an ambiguous choice between two kid-less keys', async () => {
    const a = await generateAgencyKeyPair({ kid: 'a' });
    const b = await generateAgencyKeyPair({ kid: 'b' });
    const strip = ({ kid: _kid, ...jwk }: Record<string, unknown>) => jwk;
    const jwks = createLocalJWKSet({ keys: [strip(a.publicJwk), strip(b.publicJwk)] as never });
    await expect(jwks({ alg: 'EdDSA' })).rejects.toMatchObject({ code: 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' });
  });

  it('TOK-20 bounds how long a removed remote key may live by the configured cacheMaxAge (10 min)', () => {
    expect(remoteJwksOptions(config.tokens)).toEqual({
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 600_000,
    });
  });
});

describe('remote JWKS', () => {
  let partner: Awaited<ReturnType<typeof generateAgencyKeyPair>>;
  beforeAll(async () => {
    partner = await generateAgencyKeyPair({ kid: 'remote-1', alg: 'ES256' });
  });

  async function remoteAgency(code: string, stub: Stub) {
    const agency = await registerAgency(db.prisma, { code, jwksUri: `${stub.url}/jwks.json`, withKeyRow: false });
    return { ...agency, pair: partner };
  }

  it('accepts a token signed with a key of the remote JWKS', async () => {
    const stub = await jwksStub(partner.jwks);
    try {
      const agency = await remoteAgency('XX-REMOTE', stub);
      await expect(remoteVerifier().verify(bearer(await tokenFor(agency)))).resolves.toMatchObject({ agencyCode: 'XX-REMOTE' });
      expect(stub.requests).toEqual(['/jwks.json']);
    } finally {
      await stub.close();
    }
  });

  it('refuses a plain-http jwksUri unless the insecure loopback flag is set', async () => {
    const stub = await jwksStub(partner.jwks);
    try {
      const agency = await remoteAgency('XX-HTTP', stub);
      await expectUnauthenticated(localVerifier().verify(bearer(await tokenFor(agency))), 'jwks_uri_refused');
      expect(stub.requests).toHaveLength(0);
    } finally {
      await stub.close();
    }
  });

  it('only fetches https, or loopback http when allowed', () => {
    expect(acceptableJwksUri('https://keys.policia.es/jwks.json')?.href).toBe('https://keys.policia.es/jwks.json');
    expect(acceptableJwksUri('http://keys.policia.es/jwks.json', true)).toBeNull();
    expect(acceptableJwksUri('http://127.0.0.1:8080/jwks.json')).toBeNull();
    expect(acceptableJwksUri('http://127.0.0.1:8080/jwks.json', true)).not.toBeNull();
    expect(acceptableJwksUri('http://[::1]:8080/jwks.json', true)).not.toBeNull();
    expect(acceptableJwksUri('https://user:pw@keys.policia.es/jwks.json')).toBeNull();
    expect(acceptableJwksUri('file:///etc/passwd', true)).toBeNull();
    expect(acceptableJwksUri('not a url')).toBeNull();
  });

  it('ignores keys of a remote JWKS that fail the key policy', async () => {
    const { alg: _alg, ...noAlg } = partner.publicJwk;
    const stub = await jwksStub({ keys: [noAlg] });
    try {
      const agency = await remoteAgency('XX-REMOTE-WEAK', stub);
      await expectUnauthenticated(remoteVerifier().verify(bearer(await tokenFor(agency))), 'ERR_JWKS_NO_MATCHING_KEY');
    } finally {
      await stub.close();
    }
  });

  it('TOK-07 refuses 1 000 random-kid tokens with at most 2 fetches of the JWKS', async () => {
    const stub = await jwksStub(partner.jwks);
    try {
      const agency = await remoteAgency('XX-FLOOD', stub);
      const verifier = remoteVerifier();
      await expect(verifier.verify(bearer(await tokenFor(agency)))).resolves.toBeDefined();
      const attacker = await generateAgencyKeyPair({ kid: 'x', alg: 'ES256' });
      const tokens = await Promise.all(
        Array.from({ length: 1000 }, () =>
          tokenFor(agency, { key: attacker.privateJwk, header: { kid: randomUUID() } }),
        ),
      );
      // How fast the flood is refused is a benchmark question, not asserted here.
      for (let i = 0; i < tokens.length; i += 100) {
        const results = await Promise.allSettled(tokens.slice(i, i + 100).map((t) => verifier.verify(bearer(t))));
        expect(results.every((r) => r.status === 'rejected' && r.reason.code === 'UNAUTHENTICATED')).toBe(true);
      }
      expect(stub.requests.length).toBeLessThanOrEqual(2);
      // The real key still works after the flood.
      await expect(verifier.verify(bearer(await tokenFor(agency)))).resolves.toBeDefined();
    } finally {
      await stub.close();
    }
  });

  it('TOK-07 refetches an unknown kid once the cooldown is over (a fresh rotation)', async () => {
    const stub = await jwksStub({ keys: [] });
    try {
      const agency = await remoteAgency('XX-ROTATE-REMOTE', stub);
      const verifier = remoteVerifier({ jwksCooldownMs: 0 });
      await expectUnauthenticated(verifier.verify(bearer(await tokenFor(agency))), 'ERR_JWKS_NO_MATCHING_KEY');
      stub.state.body = JSON.stringify(partner.jwks);
      await expect(verifier.verify(bearer(await tokenFor(agency)))).resolves.toBeDefined();
    } finally {
      await stub.close();
    }
  });

  describe('REL-08 outages are 503 with Retry-After, not 401', () => {
    async function expectUnavailable(setup: (stub: Awaited<ReturnType<typeof jwksStub>>) => void, code: string) {
      const stub = await jwksStub(partner.jwks);
      try {
        setup(stub);
        const agency = await remoteAgency(code, stub);
        const verifier = remoteVerifier({ jwksTimeoutMs: 200 });
        const error = await expectAuthError(verifier.verify(bearer(await tokenFor(agency))), 'SERVICE_UNAVAILABLE', 'jwks_unavailable');
        expect(Number(error.headers['Retry-After'])).toBeGreaterThan(0);
        return stub;
      } finally {
        await stub.close();
      }
    }

    it('REL-08 answers 503 when the JWKS endpoint is too slow', async () => {
      await expectUnavailable((s) => (s.state.delayMs = 2_000), 'XX-SLOW');
    });

    it('REL-08 answers 503 on a 500 from the JWKS endpoint', async () => {
      await expectUnavailable((s) => (s.state.status = 500), 'XX-500');
    });

    it('REL-08 answers 503 on invalid JSON and on JSON that is no JWKS', async () => {
      await expectUnavailable((s) => (s.state.body = '{"keys": [tru'), 'XX-BADJSON');
      await expectUnavailable((s) => (s.state.body = '{"keys": "none"}'), 'XX-NOTJWKS');
    });

    it('REL-08 does not follow a redirect: 503 and the canary gets no request', async () => {
      const canary = await jwksStub(partner.jwks);
      try {
        await expectUnavailable((s) => (s.state.location = `${canary.url}/stolen.json`), 'XX-REDIRECT');
        expect(canary.requests).toHaveLength(0);
      } finally {
        await canary.close();
      }
    });

    it('REL-08 answers 503 when nothing listens at the JWKS address', async () => {
      const stub = await jwksStub(partner.jwks);
      const agency = await remoteAgency('XX-DOWN', stub);
      await stub.close();
      await expectAuthError(remoteVerifier().verify(bearer(await tokenFor(agency))), 'SERVICE_UNAVAILABLE', 'jwks_unavailable');
    });

    it('REL-08 keeps using cached keys while the endpoint is down', async () => {
      const stub = await jwksStub(partner.jwks);
      try {
        const agency = await remoteAgency('XX-CACHED', stub);
        const verifier = remoteVerifier();
        await expect(verifier.verify(bearer(await tokenFor(agency)))).resolves.toBeDefined();
        stub.state.status = 500;
        await expect(verifier.verify(bearer(await tokenFor(agency)))).resolves.toBeDefined();
        expect(stub.requests).toHaveLength(1);
      } finally {
        await stub.close();
      }
    });
  });

  it('invalidate forces the next verification to refetch the remote JWKS', async () => {
    const stub = await jwksStub(partner.jwks);
    try {
      const agency = await remoteAgency('XX-INVALIDATE', stub);
      const verifier = remoteVerifier();
      await verifier.verify(bearer(await tokenFor(agency)));
      verifier.invalidate(agency.code);
      await verifier.verify(bearer(await tokenFor(agency)));
      expect(stub.requests).toHaveLength(2);
    } finally {
      await stub.close();
    }
  });
});

describe('reading the agency', () => {
  it('reads an agency once for the verifications that start while its read is under way, and again for a later one', async () => {
    const agency = await registerAgency(db.prisma, { code: 'XX-ONE-TURN', alg: 'ES256' });
    let statements = 0;
    const counted = { $queryRaw: ((...args: Parameters<typeof db.prisma.$queryRaw>) => (statements++, db.prisma.$queryRaw(...args))) as typeof db.prisma.$queryRaw };
    const registry = createAgencyKeyRegistry({ prisma: counted as typeof db.prisma, config });
    const found = await Promise.all(Array.from({ length: 5 }, () => registry.findAgency(agency.code)));
    expect(found.map((a) => a?.code)).toEqual(Array(5).fill(agency.code));
    expect(statements).toBe(1);
    // Suspended since: the next lookup reads the row again and sees it.
    await db.prisma.agency.update({ where: { code: agency.code }, data: { status: 'SUSPENDED' } });
    expect((await registry.findAgency(agency.code))?.status).toBe('SUSPENDED');
    expect(statements).toBe(2);
  });
});

describe('key resolver without the algorithms option (TOK-02 unit)', () => {
  it('TOK-02 resolves only the asymmetric key the header names', async () => {
    const agency = await registerAgency(db.prisma, { code: 'XX-RESOLVER', alg: 'ES256' });
    const registry = createAgencyKeyRegistry({ prisma: db.prisma, config });
    const found = (await registry.findAgency(agency.code))!;
    const { payload } = await jwtVerify(await tokenFor(agency), registry.keyResolver(found), { currentDate: NOW });
    expect(payload.iss).toBe(agency.code);
    expect(await registry.findAgency('not an issuer')).toBeNull();
  });
});
