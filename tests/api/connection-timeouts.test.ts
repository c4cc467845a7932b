// A connection is never cut for being silent while the gateway works: a large submission is
// written for longer than a minute on the embedded database (the isolation bench's 31 MiB
// umf-xml file), and the 60 s socket inactivity timeout the server had hung up on the partner
// while the submission went on and was stored, so the partner never got its receipt. Slow
// senders stay bounded: headers by Node's headersTimeout, the body by requestTimeout and the
// upload spool's idle limit, idle keep-alive connections by keepAliveTimeout.
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
let agency: TestAgency;

beforeAll(async () => {
  gw = await createTestGateway();
  agency = await gw.addAgency('ES-PN');
});
afterAll(async () => {
  await gw?.close();
});

describe('connection timeouts', () => {
  it('REL-22 puts no inactivity timeout on a partner connection, and bounds slow senders and idle connections otherwise', async () => {
    const server = gw.app.fastify.server;
    // The inactivity timeout each connection has while its request is received and worked on
    // (after the answer, Node arms keepAliveTimeout on it for the next request).
    const whileWorking: number[] = [];
    server.on('request', (request: { socket: Socket }) => whileWorking.push(request.socket.timeout ?? 0));
    await gw.app.fastify.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await agency.token()}` },
      body: JSON.stringify({ query: '{ me { subject } }' }),
    });
    expect(response.status).toBe(200);
    await response.text();
    expect(whileWorking).toEqual([0]);
    expect(server.timeout).toBe(0);
    expect(server.requestTimeout).toBe(300_000);
    expect(server.headersTimeout).toBeGreaterThan(0);
    expect(server.headersTimeout).toBeLessThanOrEqual(server.requestTimeout);
    expect(server.keepAliveTimeout).toBeGreaterThan(0);
  });
});
