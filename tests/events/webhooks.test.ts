// Webhooks: the operator sets an agency's URL (HTTPS, or loopback http when the setting
// allows it); each event of the agency is POSTed to it once as a compact JWS signed with the
// gateway key, which the receiver verifies with /.well-known/jwks.json; a failed delivery is
// retried after a backoff and the operator reads every attempt in the delivery log; two
// gateway processes on one PostgreSQL deliver each event once.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookDeliverer, WEBHOOK_TYP, type WebhookDeliverer } from '../../api/webhooks/deliverer.ts';
import { readWebhookLog, setAgencyWebhook } from '../../api/webhooks/registry.ts';
import { createLogger } from '../../kernel/logger.ts';
import { openDatabase } from '../../kernel/db.ts';
import { createReceiptSigner, type ReceiptSigner } from '../../ingest/receipts.ts';
import { createTestGateway, TEST_PSEUDONYM_KEY, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { matchOwnerRecord, PASSPORT, seedOwnerRecord } from './support.ts';

type Received = { eventId: string | undefined; contentType: string | undefined; body: string };

/** A webhook receiver on 127.0.0.1 that records every request and fails the next `failNext` ones with 500. */
async function startReceiver() {
  const received: Received[] = [];
  const state = { failNext: 0 };
  const server: Server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ eventId: request.headers['liaison-event-id'] as string | undefined, contentType: request.headers['content-type'], body });
      const fail = state.failNext > 0;
      if (fail) state.failNext--;
      response.writeHead(fail ? 500 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/liaison-events`;
  return { url, received, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let gw: TestGateway;
let owner: TestAgency;
let asker: TestAgency;
let signer: ReceiptSigner;
let deliverer: WebhookDeliverer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const log = createLogger({ level: 'silent', pretty: false });

const newDeliverer = (db = gw.db) =>
  createWebhookDeliverer({ db, signer, log, now: () => gw.clock.now, issuer: gw.config.issuer, allowLoopback: true, baseDelayMs: 60_000 });

async function verifyBody(jws: string) {
  const jwks = (await (await gw.app.fetch(new Request('http://gateway.test/.well-known/jwks.json'))).json()) as JSONWebKeySet;
  const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(jwks));
  expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: WEBHOOK_TYP });
  return JSON.parse(new TextDecoder().decode(payload)) as { iss: string; aud: string; event: { id: string; type: string; payload: Record<string, unknown> } };
}

beforeAll(async () => {
  gw = await createTestGateway({ webhookAllowLoopback: true });
  owner = await gw.addAgency('VN-MPS');
  asker = await gw.addAgency('ES-PN');
  await seedOwnerRecord(gw, owner);
  signer = await createReceiptSigner(gw.db.prisma, TEST_PSEUDONYM_KEY, () => gw.clock.now);
  receiver = await startReceiver();
  await setAgencyWebhook(gw.db.prisma, { code: 'VN-MPS', url: receiver.url }, { allowLoopback: true });
  deliverer = newDeliverer();
});
afterAll(async () => {
  await deliverer?.stop();
  await receiver?.close();
  await gw?.close();
});

describe('webhooks', () => {
  it('MAT-17 POSTs a MATCH_HIT to the owner\'s webhook once, as a JWS the receiver verifies with the JWKS', async () => {
    await matchOwnerRecord(gw, asker, 'webhook check');
    await deliverer.drain();
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    expect(delivery!.contentType).toBe('application/jose');
    const body = await verifyBody(delivery!.body);
    expect(body).toMatchObject({ iss: gw.config.issuer, aud: 'VN-MPS', event: { type: 'MATCH_HIT', payload: { matchedBy: 'ES-PN', purpose: 'webhook check' } } });
    expect(body.event.id).toBe(delivery!.eventId);
    expect(delivery!.body + JSON.stringify(body)).not.toContain(PASSPORT);
    expect(JSON.stringify(body)).not.toMatch(/[0-9a-f]{40,}/i);
    // Nothing is due any more: a second round sends nothing.
    await deliverer.drain();
    expect(receiver.received).toHaveLength(1);
    const logged = await readWebhookLog(gw.db.prisma, 'VN-MPS');
    expect(logged).toMatchObject({ delivered: 1, pending: 0, failed: 0, attempts: [{ eventId: body.event.id, attempt: 1, httpStatus: 204, error: null }] });
  });

  it('MAT-18 retries a delivery the receiver failed, after the backoff, and logs both attempts', async () => {
    receiver.received.length = 0;
    receiver.state.failNext = 1;
    await matchOwnerRecord(gw, asker, 'retry check');
    await deliverer.drain();
    expect(receiver.received).toHaveLength(1);
    let logged = await readWebhookLog(gw.db.prisma, 'VN-MPS');
    expect(logged.pending).toBe(1);
    expect(logged.attempts[0]).toMatchObject({ attempt: 1, httpStatus: 500, error: 'HTTP 500' });
    expect(logged.attempts[0]!.nextAttemptAt!.getTime()).toBe(gw.clock.now.getTime() + 60_000);
    // Not due yet: nothing is sent.
    await deliverer.drain();
    expect(receiver.received).toHaveLength(1);
    gw.clock.now = new Date(gw.clock.now.getTime() + 60_000);
    await deliverer.drain();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.eventId).toBe(receiver.received[0]!.eventId);
    logged = await readWebhookLog(gw.db.prisma, 'VN-MPS');
    expect(logged).toMatchObject({ pending: 0, delivered: 2 });
    expect(logged.attempts[0]).toMatchObject({ attempt: 2, httpStatus: 204, error: null, nextAttemptAt: null });
  });

  it("MAT-16 sends one agency's events only to its own webhook", async () => {
    const other = await startReceiver();
    try {
      await setAgencyWebhook(gw.db.prisma, { code: 'ES-PN', url: other.url }, { allowLoopback: true });
      receiver.received.length = 0;
      await matchOwnerRecord(gw, asker, 'isolation check');
      await gw.db.prisma.agencyEvent.create({ data: { agencyId: asker.id, type: 'PARTICIPANT_JOINED', payload: { operation: 'OP-Y' }, createdAt: gw.clock.now } });
      await deliverer.drain();
      expect((await Promise.all(receiver.received.map((r) => verifyBody(r.body)))).map((b) => [b.aud, b.event.type])).toEqual([['VN-MPS', 'MATCH_HIT']]);
      expect((await Promise.all(other.received.map((r) => verifyBody(r.body)))).map((b) => [b.aud, b.event.type])).toEqual([['ES-PN', 'PARTICIPANT_JOINED']]);
    } finally {
      await setAgencyWebhook(gw.db.prisma, { code: 'ES-PN', url: null }, { allowLoopback: true });
      await other.close();
    }
  });

  it('accepts only https URLs, and plain http to loopback only when the setting allows it', async () => {
    const refused = (url: string, allowLoopback: boolean) =>
      setAgencyWebhook(gw.db.prisma, { code: 'VN-MPS', url }, { allowLoopback }).then(
        () => undefined,
        (error: { code?: string; issues?: { field?: string }[] }) => [error.code, error.issues?.[0]?.field],
      );
    expect(await refused('http://receiver.example/hook', true)).toEqual(['BAD_USER_INPUT', 'url']);
    expect(await refused(receiver.url, false)).toEqual(['BAD_USER_INPUT', 'url']);
    expect(await refused('https://user:secret@receiver.example/hook', false)).toEqual(['BAD_USER_INPUT', 'url']);
    expect(await refused('https://receiver.example/hook', false)).toBeUndefined();
    await setAgencyWebhook(gw.db.prisma, { code: 'VN-MPS', url: receiver.url }, { allowLoopback: true });
  });

  it.skipIf(!process.env.DATABASE_URL)('MAT-19 delivers each event once from two gateway processes on one PostgreSQL', async () => {
    const second = await openDatabase({ databaseUrl: gw.db.url, poolSize: 5 });
    try {
      receiver.received.length = 0;
      for (let i = 0; i < 12; i++) await matchOwnerRecord(gw, asker, `two processes ${i}`);
      const one = newDeliverer();
      const two = newDeliverer(Object.assign(second, { url: gw.db.url }));
      await Promise.all([one.drain(), two.drain(), one.drain(), two.drain()]);
      const ids = receiver.received.map((r) => r.eventId);
      expect(ids).toHaveLength(12);
      expect(new Set(ids).size).toBe(12);
      const logged = await readWebhookLog(gw.db.prisma, 'VN-MPS', 500);
      expect(logged.pending).toBe(0);
    } finally {
      await second.close();
    }
  });
});
