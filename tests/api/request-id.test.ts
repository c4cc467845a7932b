// The request id is the gateway's own: a caller's x-request-id is logged for correlation, cut
// to 128 printable characters, and never becomes the id in the audit chain or the answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
let agency: TestAgency;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  gw = await createTestGateway();
  agency = await gw.addAgency('ES-PN');
});
afterAll(async () => {
  await gw?.close();
});

describe('request ids', () => {
  it("LOG-08 answers, logs and audits the gateway's own id; a caller's 8 KB id is only logged, cut to 128 characters", async () => {
    const clientId = `trace-${'x'.repeat(8 * 1024)}\u0007`;
    const response = await gw.app.fetch(
      new Request('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await agency.token()}`, 'x-request-id': clientId },
        body: JSON.stringify({ query: '{ me { subject } }' }),
      }),
    );
    expect(response.status).toBe(200);
    const id = response.headers.get('x-request-id')!;
    expect(id).toMatch(UUID);

    const audited = await gw.db.prisma.auditEvent.findMany({ where: { agencyCode: 'ES-PN' }, orderBy: { seq: 'desc' }, take: 1 });
    expect((audited[0]?.detail as { requestId?: string }).requestId).toBe(id);
    expect(JSON.stringify(audited.map((a) => a.detail))).not.toContain('trace-');

    const line = gw.logs.find((l) => l.msg === 'request' && l.requestId === id)!;
    expect(line).toBeDefined();
    expect(line.clientRequestId).toBe(`trace-${'x'.repeat(122)}`);
  });
});
