// Watches over REST: POST /v1/watches answers the watch (201, Location), GET /v1/watches lists
// only the caller's own, paged with `next`, DELETE /v1/watches/{id} cancels it for its agency
// and answers 404 to any other exactly like a missing id (MAT-29); 429 past the match quota.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
let watcher: TestAgency;
let other: TestAgency;

const create = (agency: TestAgency, value: string) =>
  gw.rest(agency, 'POST', '/v1/watches', { identifiers: [{ type: 'EMAIL', value }], purpose: 'REST case 9/2026', caseRef: 'R-9' });

beforeAll(async () => {
  gw = await createTestGateway();
  watcher = await gw.addAgency('ES-PN');
  other = await gw.addAgency('KH-NP');
});
afterAll(() => gw?.close());

describe('REST /v1/watches', () => {
  it('MAT-29 creates, lists (own only, paged) and cancels; another agency gets 404 as for a missing id', async () => {
    const made = [];
    for (const value of ['w1@example.org', 'w2@example.org', 'w3@example.org']) {
      const res = await create(watcher, value);
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toBe(`/v1/watches/${res.json.id}`);
      expect(res.json).toMatchObject({ status: 'ACTIVE', identifiers: 1, caseRef: 'R-9', cancelledAt: null });
      expect(JSON.stringify(res.json)).not.toContain('example.org');
      made.push(String(res.json.id));
    }
    const page = await gw.rest(watcher, 'GET', '/v1/watches?first=2');
    expect(page.status).toBe(200);
    expect(page.json.watches).toHaveLength(2);
    const rest = await gw.rest(watcher, 'GET', `/v1/watches?first=2&after=${encodeURIComponent(String(page.json.next))}`);
    expect(rest.json).toMatchObject({ next: null });
    expect([...(page.json.watches as { id: string }[]), ...(rest.json.watches as { id: string }[])].map((w) => w.id).sort()).toEqual([...made].sort());
    expect((await gw.rest(other, 'GET', '/v1/watches')).json).toEqual({ watches: [], next: null });

    const foreign = await gw.rest(other, 'DELETE', `/v1/watches/${made[0]}`);
    const missing = await gw.rest(other, 'DELETE', '/v1/watches/00000000-0000-4000-8000-000000000000');
    expect(foreign.status).toBe(404);
    expect({ ...foreign.json, instance: undefined }).toEqual({ ...missing.json, instance: undefined });
    const cancelled = await gw.rest(watcher, 'DELETE', `/v1/watches/${made[0]}`);
    expect(cancelled.json).toMatchObject({ id: made[0], status: 'CANCELLED' });
  });

  it('answers 429 with Retry-After past the daily match quota, and 400 for a watch over 90 days', async () => {
    const far = await gw.rest(watcher, 'POST', '/v1/watches', { identifiers: [{ type: 'EMAIL', value: 'far@example.org' }], purpose: 'p', until: '2027-01-01T00:00:00Z' });
    expect(far.status).toBe(400);
    await gw.db.prisma.agency.update({ where: { id: other.id }, data: { matchQuotaPerDay: 1 } });
    expect((await create(other, 'q1@example.org')).status).toBe(201);
    const refused = await create(other, 'q2@example.org');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
