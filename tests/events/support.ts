// Helpers of the event tests: an owner with one RED suspect, a partner whose match hits it
// (which raises MATCH_HIT to the owner), and a reader of the GraphQL subscription over SSE
// against a listening gateway on 127.0.0.1, every wait bounded.
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { TestAgency, TestGateway } from '../helpers/app.ts';
import { submitLiaisonJson } from '../helpers/submit.ts';

export const PASSPORT = 'C7654321';
export const OPERATION = 'OP-EVENTS';

/** Long enough for a loaded machine; a wait that ends here fails the test instead of hanging it. */
export const WAIT_MS = 20_000;

/** The owner's one record: a RED suspect with PASSPORT. */
const RECORDS = [
  {
    kind: 'suspect', ref: 'S-RED', sharingLevel: 'RED', fullName: 'Tran Thi Mai', birthDate: '1995-03-04', nationality: 'VN',
    identifiers: [{ type: 'PASSPORT', country: 'VN', value: PASSPORT }], role: 'MEMBER', status: 'WANTED',
  },
];

/** The owner's operation and its RED suspect carrying PASSPORT. */
export async function seedOwnerRecord(gw: TestGateway, owner: TestAgency): Promise<void> {
  await gw.db.prisma.operation.create({
    data: { code: OPERATION, name: 'Events', leadId: owner.id, participants: { create: [{ agencyId: owner.id }] } },
  });
  await submitLiaisonJson(gw, owner, OPERATION, RECORDS);
}

/** `asker` matches PASSPORT: the owner gets one MATCH_HIT. */
export async function matchOwnerRecord(gw: TestGateway, asker: TestAgency, purpose = 'case 2026/7: pension fraud'): Promise<void> {
  const result = await gw.gql(asker, 'query($i: MatchInput!) { match(input: $i) { results { hit } } }', {
    i: { identifiers: [{ type: 'PASSPORT', value: PASSPORT, country: 'VN' }], purpose },
  });
  expect(result.errors).toBeUndefined();
}

/** The gateway listening on an ephemeral loopback port (once per gateway). */
export async function listening(gw: TestGateway): Promise<string> {
  const server = gw.app.fastify.server;
  if (!server.listening) await gw.app.fastify.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export type StreamedEvent = { id: string; type: string; occurredAt: string; payload: Record<string, unknown> };

/** One SSE message of the subscription: `next` with data, or `complete`. */
type SseMessage = { event: string; data: string };

/** The subscription `events` over SSE, read message by message. */
export async function openEventStream(baseUrl: string, token: string, after?: string) {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    signal: controller.signal,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({
      query: 'subscription($after: String) { events(after: $after) { id type occurredAt payload } }',
      variables: after === undefined ? {} : { after },
    }),
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';

  async function nextMessage(): Promise<SseMessage> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split('\n').filter((l) => !l.startsWith(':'));
        if (lines.length === 0) continue; // a keep-alive comment
        const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim() ?? 'message';
        const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
        return { event, data };
      }
      const chunk = await reader.read();
      if (chunk.done) return { event: 'closed', data: '' };
      buffer += chunk.value;
    }
  }

  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    /** The next SSE message, or a failure after WAIT_MS. */
    async next(): Promise<{ event: string; data: { data?: { events: StreamedEvent }; errors?: { message: string; extensions?: { code?: string } }[] } | undefined }> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no SSE message within ${WAIT_MS} ms`)), WAIT_MS);
      });
      try {
        const message = await Promise.race([nextMessage(), timeout]);
        return { event: message.event, data: message.data ? JSON.parse(message.data) : undefined };
      } finally {
        clearTimeout(timer);
      }
    },
    /** The next event of the stream (fails on anything else). */
    async nextEvent(): Promise<StreamedEvent> {
      const message = await this.next();
      expect(message.event).toBe('next');
      expect(message.data?.errors).toBeUndefined();
      return message.data!.data!.events;
    },
    close() {
      controller.abort();
    },
  };
}

/** Waits, bounded, until `check` holds (for effects in another process or connection). */
export async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
