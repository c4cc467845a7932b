// The agency lifecycle through the admin API, seen by two gateway processes on one database
// (two apps on one PGlite in this process, or on one PostgreSQL with DATABASE_URL): a key
// removed or an agency suspended through one gateway is refused by the other on the next
// request; open event streams of the agency end in both; a suspended agency's webhook
// deliveries wait; narrowed scopes apply at once; every change is one audit event naming the
// operator and what changed, without key material (TOK-21, TOK-22, AUZ-25, LOG-13).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgencyKeyPair, mintToken } from '../../api/auth/keys.ts';
import { createWebhookDeliverer } from '../../api/webhooks/deliverer.ts';
import { setAgencyWebhook } from '../../api/webhooks/registry.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { createLogger } from '../../kernel/logger.ts';
import { createReceiptSigner } from '../../ingest/receipts.ts';
import { createTestGateway, TEST_PSEUDONYM_KEY, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { listening, matchOwnerRecord, openEventStream, seedOwnerRecord } from '../events/support.ts';

const OPERATOR = 'lifecycle-test-operator-credential';
const ME = '{ me { agency { code } scopes } }';

let a: TestGateway;
let b: TestGateway;
let owner: TestAgency;
let partner: TestAgency;

beforeAll(async () => {
  a = await createTestGateway({ webhookAllowLoopback: true }, { operatorToken: OPERATOR });
  b = await createTestGateway({ webhookAllowLoopback: true }, { db: a.db });
  owner = await a.addAgency('VN-MPS');
  partner = await a.addAgency('ES-PN');
  await seedOwnerRecord(a, owner);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

async function admin(method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await a.app.fetch(
    new Request(`http://gateway.test${path}`, {
      method,
      headers: { 'x-liaison-operator': OPERATOR, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { code?: string; reason?: string } };
}

/** A token of `agency` signed with `privateJwk`, through gateway `gw`. */
async function meWith(gw: TestGateway, agency: TestAgency, privateJwk = agency.privateJwk, scope = 'records:read records:submit') {
  const token = await mintToken({ privateJwk, iss: agency.code, sub: 'officer-7', aud: gw.config.audience, scope, now: gw.clock.now });
  const response = await gw.app.fetch(
    new Request('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: ME }),
    }),
  );
  return { status: response.status, body: (await response.json()) as { data?: { me: { scopes: string[] } }; errors?: { extensions?: { reason?: string } }[] } };
}

async function auditRows(action: string) {
  return a.db.prisma.auditEvent.findMany({ where: { action }, orderBy: { seq: 'asc' } });
}

describe('agency keys, two gateways on one database', () => {
  it('TOK-21 a key added through one gateway works in both; removed, it is refused by both on the next request, and never comes back', async () => {
    const second = await generateAgencyKeyPair({ kid: 'es-pn-2', alg: 'ES256' });
    const added = await admin('POST', '/admin/v1/agency-keys', { code: 'ES-PN', jwks: second.jwks });
    expect(added.status).toBe(201);
    for (const gw of [a, b]) expect((await meWith(gw, partner, second.privateJwk)).status).toBe(200);

    const listed = await admin('GET', '/admin/v1/agencies/ES-PN/keys');
    expect(listed.body.keys).toMatchObject([
      { kid: 'es-pn-1', alg: 'EdDSA', state: 'active' },
      { kid: 'es-pn-2', alg: 'ES256', state: 'active' },
    ]);

    const removed = await admin('POST', '/admin/v1/agency-keys/removal', { code: 'ES-PN', kid: 'es-pn-1' });
    expect(removed).toMatchObject({ status: 200, body: { kid: 'es-pn-1', activeKeys: 1 } });
    expect(removed.body.warning).toBeUndefined();
    for (const gw of [b, a]) {
      const refused = await meWith(gw, partner);
      expect(refused.status).toBe(401);
      expect(refused.body.errors?.[0]?.extensions?.reason).toBe('unknown_key');
      expect((await meWith(gw, partner, second.privateJwk)).status).toBe(200);
    }

    // A removed kid is never registered again, and a second removal is a conflict.
    const back = await admin('POST', '/admin/v1/agency-keys', { code: 'ES-PN', jwks: (await generateAgencyKeyPair({ kid: 'es-pn-1' })).jwks });
    expect(back).toMatchObject({ status: 409, body: { code: 'CONFLICT', issues: [{ code: 'KID_REMOVED' }] } });
    expect((await admin('POST', '/admin/v1/agency-keys/removal', { code: 'ES-PN', kid: 'es-pn-1' })).status).toBe(409);
    expect((await admin('POST', '/admin/v1/agency-keys/removal', { code: 'ES-PN', kid: 'nope' })).body).toMatchObject({
      code: 'BAD_USER_INPUT',
      issues: [{ field: 'kid', code: 'UNKNOWN_KID' }],
    });
    expect((await admin('GET', '/admin/v1/agencies/ES-PN/keys')).body.keys).toMatchObject([
      { kid: 'es-pn-1', state: 'removed', removed: expect.any(String) },
      { kid: 'es-pn-2', state: 'active' },
    ]);
  });

  it('TOK-21 removing the last key is allowed and warned; the agency is then refused everywhere until a key is added', async () => {
    const last = await admin('POST', '/admin/v1/agency-keys/removal', { code: 'ES-PN', kid: 'es-pn-2' });
    expect(last).toMatchObject({ status: 200, body: { activeKeys: 0, warning: expect.stringMatching(/no key left/) } });
    const third = await generateAgencyKeyPair({ kid: 'es-pn-3' });
    for (const gw of [a, b]) expect((await meWith(gw, partner, third.privateJwk)).status).toBe(401);
    expect((await admin('POST', '/admin/v1/agency-keys', { code: 'ES-PN', jwks: third.jwks })).status).toBe(201);
    for (const gw of [a, b]) expect((await meWith(gw, partner, third.privateJwk)).status).toBe(200);
    // From here the partner signs with its new key.
    const code = partner.code;
    partner = {
      ...partner,
      privateJwk: third.privateJwk,
      token: (o = {}) => mintToken({ privateJwk: third.privateJwk, iss: code, sub: o.sub ?? 'officer-7', aud: a.config.audience, scope: o.scope ?? 'records:read match:query', now: a.clock.now }),
    };
  });

  it('TOK-21 refuses a private key or a key the policy rejects, naming the JWKS path', async () => {
    const pair = await generateAgencyKeyPair({ kid: 'es-pn-private' });
    const refused = await admin('POST', '/admin/v1/agency-keys', { code: 'ES-PN', jwks: { keys: [pair.privateJwk] } });
    expect(refused).toMatchObject({ status: 422, body: { code: 'BAD_USER_INPUT', issues: [{ path: '/keys/0', field: 'jwks' }] } });
    expect(JSON.stringify(refused.body)).not.toContain(String(pair.privateJwk.d));
  });
});

describe('suspension and scopes, two gateways on one database', () => {
  it('TOK-22 a suspended agency is refused by both gateways, its streams end in both, and it is let in again on reactivation', async () => {
    const urlA = await listening(a);
    const urlB = await listening(b);
    const streams = [await openEventStream(urlA, await owner.token()), await openEventStream(urlB, await owner.token())];
    try {
      for (const s of streams) expect(s.status).toBe(200);
      // The streams are live: an event reaches both.
      await matchOwnerRecord(a, partner, 'stream check');
      for (const s of streams) expect((await s.nextEvent()).type).toBe('MATCH_HIT');

      const suspended = await admin('POST', '/admin/v1/agency-status', { code: 'VN-MPS', status: 'SUSPENDED' });
      expect(suspended.body).toEqual({ code: 'VN-MPS', status: 'SUSPENDED', changed: true });
      for (const s of streams) expect(['complete', 'closed']).toContain((await s.next()).event);
      for (const gw of [a, b]) {
        const refused = await meWith(gw, owner);
        expect(refused.status).toBe(401);
        expect(refused.body.errors?.[0]?.extensions?.reason).toBe('agency_suspended');
      }
      // Suspending again changes nothing and is not audited twice.
      expect((await admin('POST', '/admin/v1/agency-status', { code: 'VN-MPS', status: 'SUSPENDED' })).body).toMatchObject({ changed: false });
      expect(await auditRows('agency.suspend')).toHaveLength(1);

      expect((await admin('POST', '/admin/v1/agency-status', { code: 'VN-MPS', status: 'ACTIVE' })).body).toMatchObject({ changed: true });
      for (const gw of [a, b]) expect((await meWith(gw, owner)).status).toBe(200);
    } finally {
      for (const s of streams) s.close();
    }
  });

  it("TOK-22 holds a suspended agency's webhook deliveries until it is reactivated", async () => {
    const received: string[] = [];
    const receiver: Server = createServer((request, response) => {
      received.push(String(request.headers['liaison-event-id']));
      request.resume().on('end', () => response.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const signer = await createReceiptSigner(a.db.prisma, TEST_PSEUDONYM_KEY, () => a.clock.now);
    const deliverer = createWebhookDeliverer({
      db: b.db,
      signer,
      log: createLogger({ level: 'silent', pretty: false }),
      now: () => a.clock.now,
      issuer: a.config.issuer,
      allowLoopback: true,
    });
    try {
      await setAgencyWebhook(a.db.prisma, { code: 'VN-MPS', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` }, { allowLoopback: true });
      await admin('POST', '/admin/v1/agency-status', { code: 'VN-MPS', status: 'SUSPENDED' });
      await matchOwnerRecord(a, partner, 'while suspended');
      await deliverer.drain();
      expect(received).toEqual([]);
      await admin('POST', '/admin/v1/agency-status', { code: 'VN-MPS', status: 'ACTIVE' });
      await deliverer.drain();
      expect(received).toHaveLength(1);
    } finally {
      await deliverer.stop();
      await setAgencyWebhook(a.db.prisma, { code: 'VN-MPS', url: null }, { allowLoopback: true });
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('AUZ-25 narrowed scopes apply to the next request in both gateways; a bad scope or URI is refused naming the field', async () => {
    const narrowed = await admin('POST', '/admin/v1/agency-settings', { code: 'ES-PN', scopes: ['records:read'] });
    expect(narrowed.body).toMatchObject({ code: 'ES-PN', scopes: ['records:read'], jwksUri: null });
    for (const gw of [a, b]) expect((await meWith(gw, partner)).body.data?.me.scopes).toEqual(['records:read']);

    expect((await admin('POST', '/admin/v1/agency-settings', { code: 'ES-PN', scopes: ['root'] })).body).toMatchObject({
      code: 'BAD_USER_INPUT',
      issues: [{ field: 'scopes.0' }],
    });
    expect((await admin('POST', '/admin/v1/agency-settings', { code: 'ES-PN', jwksUri: 'http://keys.example/jwks.json' })).body).toMatchObject({
      issues: [{ field: 'jwksUri', code: 'INSECURE_URI' }],
    });
    const uri = await admin('POST', '/admin/v1/agency-settings', { code: 'ES-PN', jwksUri: 'https://keys.es-pn.example/jwks.json?secret=1' });
    expect(uri.body).toMatchObject({ jwksUri: 'https://keys.es-pn.example/jwks.json?secret=1' });
    await admin('POST', '/admin/v1/agency-settings', { code: 'ES-PN', jwksUri: null, scopes: ['records:read', 'records:submit', 'match:query'] });

    const shown = await admin('GET', '/admin/v1/agencies/ES-PN');
    expect(shown.body).toMatchObject({ code: 'ES-PN', status: 'ACTIVE', jwksUri: null, scopes: ['records:read', 'records:submit', 'match:query'] });
    expect((await admin('GET', '/admin/v1/agencies/XX-NONE')).body).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ field: 'code', code: 'UNKNOWN_AGENCY' }] });
  });
});

describe('audit of the lifecycle', () => {
  it('LOG-13 writes one event per change with subject operator and what changed, never key material, and the chain verifies', async () => {
    const rows = await a.db.prisma.auditEvent.findMany({ where: { action: { startsWith: 'agency.' } }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => r.action)).toEqual([
      'agency.key.add',
      'agency.key.remove',
      'agency.key.remove',
      'agency.key.add',
      'agency.suspend',
      'agency.reactivate',
      'agency.suspend',
      'agency.reactivate',
      'agency.update',
      'agency.update',
      'agency.update',
    ]);
    for (const row of rows) expect(row).toMatchObject({ subject: 'operator', outcome: 'ok', detail: { via: 'admin-api' } });
    expect(rows[0]).toMatchObject({ target: 'ES-PN', detail: { keys: [{ kid: 'es-pn-2', alg: 'ES256' }] } });
    expect(rows[1]).toMatchObject({ detail: { kid: 'es-pn-1', source: 'registered', activeKeys: 1 } });
    expect(rows[4]).toMatchObject({ target: 'VN-MPS', detail: { from: 'ACTIVE', to: 'SUSPENDED' } });
    expect(rows[8]).toMatchObject({ detail: { scopes: { from: ['records:read', 'records:submit', 'match:query', 'operations:manage', 'admin'], to: ['records:read'] } } });
    // A JWKS URI is kept without its query; no public key coordinates, no private parts.
    expect(rows[9]).toMatchObject({ detail: { jwksUri: { from: null, to: 'https://keys.es-pn.example/jwks.json' } } });
    const all = JSON.stringify(rows.map((r) => r.detail));
    expect(all).not.toMatch(/"(x|y|n|d|e)":/);
    expect(all).not.toContain('secret=1');
    expect((await verifyAuditChain(a.db.prisma)).ok).toBe(true);
  });
});
