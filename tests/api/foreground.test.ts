// ISO-31: other partners' answers before bulk work. A request being answered counts as
// foreground work until its answer is sent (or its connection closes); an upload or an event
// stream never does. Between its batches an ingestion waits while any foreground request is
// in flight, at most a bound per batch, so a large file runs in the gateway's spare time
// without ever being stalled for good by a steady stream of requests.
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { enterForeground, foregroundInFlight, yieldingToForeground, yieldToForeground } from '../../kernel/foreground.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { listening, openEventStream } from '../events/support.ts';
import { bigLiaisonJson, createIngestFixture, type IngestFixture } from '../ingest/support.ts';

describe('the foreground count', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ISO-31 lets bulk work through at once when nothing is answered, when the last answer ends, or at the bound', async () => {
    vi.useFakeTimers();
    const settled: string[] = [];
    await yieldToForeground(1_000).then(() => settled.push('idle'));
    expect(settled).toEqual(['idle']);

    const first = enterForeground();
    const second = enterForeground();
    void yieldToForeground(1_000).then(() => settled.push('after the last answer'));
    first();
    first(); // leaving twice counts once
    await vi.advanceTimersByTimeAsync(10);
    expect(settled).toEqual(['idle']);
    expect(yieldingToForeground()).toBe(1);
    second();
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toEqual(['idle', 'after the last answer']);

    const held = enterForeground();
    void yieldToForeground(1_000).then(() => settled.push('at the bound'));
    await vi.advanceTimersByTimeAsync(999);
    expect(settled).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled.at(-1)).toBe('at the bound');
    expect(yieldingToForeground()).toBe(0);
    held();
    expect(foregroundInFlight()).toBe(0);
  });
});

describe('requests at the edge', () => {
  let gw: TestGateway;
  let agency: TestAgency;
  beforeAll(async () => {
    gw = await createTestGateway();
    agency = await gw.addAgency('ES-PN');
  });
  afterAll(() => gw?.close());

  it('ISO-31 count while answered and never after, whether answered, refused or a submission; an event stream never counts', async () => {
    expect((await gw.gql(agency, '{ me { agency { code } } }')).status).toBe(200);
    expect((await gw.gql(null, '{ me { agency { code } } }')).status).toBe(401);
    await gw.rest(agency, 'GET', '/v1/nothing-here');
    await gw.rest(agency, 'POST', '/v1/submissions?format=liaison-json&operation=NO-SUCH-OP', { format: 'liaison-json', version: 1, operation: 'NO-SUCH-OP', records: [] });
    expect(foregroundInFlight()).toBe(0);

    // A query whose body is still arriving counts from its first byte until it is answered.
    const url = await listening(gw);
    const { hostname, port } = new URL(url);
    const token = await agency.token({ scope: 'records:read' });
    const body = JSON.stringify({ query: '{ me { agency { code } } }' });
    const answered = new Promise<number>((resolve, reject) => {
      const req = request({ host: hostname, port, method: 'POST', path: '/graphql', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      void vi.waitFor(() => expect(foregroundInFlight()).toBe(1)).then(() => req.end(body.slice(10)), reject);
    });
    expect(await answered).toBe(200);
    await vi.waitFor(() => expect(foregroundInFlight()).toBe(0));

    // An event stream stays open without counting.
    const stream = await openEventStream(url, await agency.token({ scope: 'records:read' }));
    expect(foregroundInFlight()).toBe(0);
    stream.close();
  });
});

describe('an ingestion', () => {
  let f: IngestFixture;
  beforeAll(async () => {
    f = await createIngestFixture(['ES-PN']);
  });
  afterAll(() => f?.close());

  it('ISO-31 waits between its batches while a request is answered, and goes on once it is', async () => {
    const answering = enterForeground();
    let done = false;
    const ingestion = f.ingest(f.agencies['ES-PN']!, 'liaison-json', bigLiaisonJson(2_500), { yieldToForegroundMs: 600_000 }).then((r) => {
      done = true;
      return r;
    });
    await vi.waitFor(() => expect(yieldingToForeground()).toBe(1), { timeout: 30_000 });
    expect(done).toBe(false);
    answering();
    const result = await ingestion;
    expect(result.status).toBe(201);
    expect(result.report.counts.accepted).toBe(2_500);
  }, 60_000);
});
