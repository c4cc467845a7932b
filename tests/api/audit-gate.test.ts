// Every authenticated call is written to the audit log before anything is disclosed
// (LOG-05, LOG-07 in docs/security-tests.md): when the log cannot be written, the caller gets 503 and
// no data; the chain written by real requests verifies.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { loadConfig } from '../../kernel/config.ts';
import { createLogger } from '../../kernel/logger.ts';
import { createServices } from '../../api/services.ts';
import { createTestGateway, TEST_PSEUDONYM_KEY, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
beforeAll(async () => {
  gw = await createTestGateway();
});
afterAll(() => gw?.close());

describe('audit before disclosure', () => {
  it('LOG-05 records agency, subject, operation and token id of each call, and denials', async () => {
    const agency = await gw.addAgency('ES-PN');
    await gw.gql(agency, 'query Totals { agencies { code } }');
    await gw.gql(null, '{ agencies { code } }');
    // Denials are audited summarized per address and minute (ISO-12): written when the window closes.
    await gw.app.rateLimits.failures.flush();
    const events = await gw.db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    const call = events.find((e) => e.target === 'Totals')!;
    expect(call).toMatchObject({ agencyCode: 'ES-PN', subject: 'officer-7', action: 'graphql.query', outcome: 'ok' });
    expect((call.detail as { jti?: string }).jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(events.some((e) => e.action === 'authenticate' && e.outcome === 'denied')).toBe(true);
    expect((await verifyAuditChain(gw.db.prisma)).ok).toBe(true);
  });

  it('LOG-07 answers 503 and discloses nothing when the audit log cannot be written', async () => {
    const config = loadConfig({ LIAISON_GRAPHIQL: 'false' });
    const services = await createServices({ config, db: gw.db, pseudonymKey: TEST_PSEUDONYM_KEY, now: () => gw.clock.now });
    const logger = createLogger({ level: 'silent', pretty: false, destination: new Writable({ write: (_c, _e, done) => done() }) });
    const app = await createApp({
      config,
      db: gw.db,
      logger,
      verifier: services.verifier,
      audit: { append: () => Promise.reject(new Error('audit table unavailable')) },
      now: () => gw.clock.now,
    });
    const agency = await gw.addAgency('CN-MPS');
    const res = await app.fetch(
      new Request('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await agency.token()}` },
        body: JSON.stringify({ query: '{ agencies { code } }' }),
      }),
    );
    const body = (await res.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(body.errors[0]!.extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.data ?? null).toBeNull();
    await app.close();
  });
});
