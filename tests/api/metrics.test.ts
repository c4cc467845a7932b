// /metrics is for the operator only: the public listener does not serve it; a separate
// listener bound to loopback does, and serves nothing else.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsListener, type MetricsListener } from '../../api/metrics-listener.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
let agency: TestAgency;
let listener: MetricsListener;

beforeAll(async () => {
  gw = await createTestGateway();
  agency = await gw.addAgency('ES-PN');
  listener = await startMetricsListener(gw.app.metrics, { port: 0 });
});
afterAll(async () => {
  await listener?.close();
  await gw?.close();
});

describe('operator metrics', () => {
  it('LOG-09 are not served to partners on the public listener', async () => {
    const response = await gw.app.fetch(new Request('http://gateway.test/metrics', { headers: { authorization: `Bearer ${await agency.token()}` } }));
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('liaison_http_requests_total');
  });

  it('LOG-09 are served on the loopback-only operator listener, and nothing else is', async () => {
    await gw.gql(agency, '{ me { subject } }');
    expect(new URL(listener.url).hostname).toBe('127.0.0.1');
    const metrics = await fetch(listener.url);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/liaison_http_requests_total\{route="\/graphql",status="200"\} \d+/);
    expect((await fetch(listener.url.replace('/metrics', '/graphql'))).status).toBe(404);
    expect((gw.app.fastify.server.address() as AddressInfo | null)?.port).not.toBe(Number(new URL(listener.url).port));
  });
});
