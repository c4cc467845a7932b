// Stores records the way partners do, for tests that need real selectors (matching,
// disclosure): a liaison-json file with the given records, sent by `agency` to
// POST /v1/submissions for `operation`, which must be accepted.
import { expect } from 'vitest';
import type { TestAgency, TestGateway } from './app.ts';

export async function submitLiaisonJson(gw: TestGateway, agency: TestAgency, operation: string, records: object[]): Promise<void> {
  const body = JSON.stringify({ format: 'liaison-json', version: 1, operation, records });
  const response = await gw.app.fetch(
    new Request(`http://gateway.test/v1/submissions?format=liaison-json&operation=${encodeURIComponent(operation)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await agency.token()}`, 'content-type': 'application/json' },
      body,
    }),
  );
  expect(response.status, await response.clone().text()).toBe(201);
}
