// ISO-31: other partners' answers before bulk work. A request being answered counts as
// foreground work until its answer is sent (or its connection closes); an upload or an event
// stream never does. Between its batches an ingestion waits while any foreground request is
// in flight, at most a bound per batch, so a large file runs in the gateway's spare time
// without ever being stalled for good by a steady stream of requests.
// ISO-33: while other partners are active (a request in flight or answered within the last
// second), bulk work also rests twice as long as its last step kept the database busy, and an
// ingestion's batches are 100 records instead of 1,000; alone it neither rests nor shrinks, and
// on the embedded database (one connection, held by the submission's transaction) it never does.
// ISO-41: the rest is also long enough for the write-ahead log the step added to stay within
// about 1.5 MiB a second, so a step that wrote much (full-page images after a checkpoint)
// rests longer than its time alone says.
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  enterForeground,
  foregroundActive,
  foregroundInFlight,
  MAX_REST_MS,
  paceBehindForeground,
  RECENT_FOREGROUND_MS,
  REST_PER_BUSY_MS,
  restAfter,
  restingForForeground,
  WAL_BYTES_PER_MS_WHILE_SHARED,
  yieldingToForeground,
  yieldToForeground,
} from '../../kernel/foreground.ts';
import { walMeter } from '../../ingest/pipeline.ts';
import { DEFAULT_BATCH_SIZE, FOREGROUND_BATCH_SIZE } from '../../ingest/writer.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { listening, openEventStream } from '../events/support.ts';
import { bigLiaisonJson, createIngestFixture, memoryLogger, type IngestFixture } from '../ingest/support.ts';

/** Resolves once no foreground request was answered within RECENT_FOREGROUND_MS (and none is in flight). */
async function quiet(): Promise<void> {
  await vi.waitFor(() => expect(foregroundInFlight()).toBe(0), { timeout: 30_000 });
  while (foregroundActive()) await sleep(RECENT_FOREGROUND_MS / 4);
}

/** Whether `promise` has settled after the microtasks queued now have run. */
async function settledAtOnce(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return settled;
}

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

describe('the pace of bulk work', () => {
  it('ISO-33 rests twice as long as its last step kept the database busy while others are active, within a bound, and not at all alone', async () => {
    expect(restAfter(40)).toBe(40 * REST_PER_BUSY_MS);
    expect(restAfter(60_000)).toBe(MAX_REST_MS);
    expect(restAfter(-5)).toBe(0);

    await quiet();
    // Alone: a step of any length is followed by the next at once.
    expect(await settledAtOnce(paceBehindForeground(60_000, 1_000))).toBe(true);
    expect(restingForForeground()).toBe(0);

    // A request answered just now still counts: the next step waits out its rest.
    enterForeground()();
    expect(foregroundActive()).toBe(true);
    const paced = paceBehindForeground(150, 1_000);
    expect(await settledAtOnce(paced)).toBe(false);
    expect(restingForForeground()).toBe(1);
    await paced;
    expect(restingForForeground()).toBe(0);

    // A bound of 0 never waits, whatever is going on.
    const answering = enterForeground();
    expect(await settledAtOnce(paceBehindForeground(60_000, 0))).toBe(true);
    answering();
  });

  it('ISO-41 rests long enough, while others are active, for the write-ahead log its last step added to stay within a rate', () => {
    // A step that wrote little rests by its time; one that wrote much, by its log.
    expect(restAfter(100, 10_000)).toBe(100 * REST_PER_BUSY_MS);
    expect(restAfter(25, 300 * 1024)).toBeCloseTo((300 * 1024) / WAL_BYTES_PER_MS_WHILE_SHARED - 25, 6);
    expect(restAfter(25, 300 * 1024)).toBeGreaterThan(25 * REST_PER_BUSY_MS);
    expect(restAfter(25, 3 * 1024 * 1024)).toBe(MAX_REST_MS);
    expect(restAfter(0, -1)).toBe(0);
  });

  describe('an ingestion', () => {
    let f: IngestFixture;
    beforeAll(async () => {
      f = await createIngestFixture(['ES-PN']);
    });
    afterAll(() => f?.close());

    /** Ingests 2,000 new records with the default pace; how many batches were written, and whether it ever rested or waited. */
    const ingestPaced = async (prefix: string) => {
      const { log, logs } = memoryLogger();
      let paused = false;
      const sampler = setInterval(() => (paused ||= restingForForeground() + yieldingToForeground() > 0), 2);
      try {
        const result = await f.ingest(f.agencies['ES-PN']!, 'liaison-json', bigLiaisonJson(2_000, prefix), { log });
        expect(result.report.counts.accepted).toBe(2_000);
      } finally {
        clearInterval(sampler);
      }
      return { batches: logs.filter((l) => l.msg === 'ingest batch written').length, paused };
    };

    it('ISO-41 reads how much the server\'s write-ahead log grew between its batches on PostgreSQL, and nothing on the embedded database', async () => {
      const wal = walMeter(f.db);
      expect(await wal.sinceLast()).toBe(0);
      const result = await f.ingest(f.agencies['ES-PN']!, 'liaison-json', bigLiaisonJson(200, 'WAL'));
      expect(result.report.counts.accepted).toBe(200);
      const grown = await wal.sinceLast();
      if (f.db.kind === 'postgres') expect(grown).toBeGreaterThan(50_000);
      else expect(grown).toBe(0);
      wal.forget();
      expect(await wal.sinceLast()).toBe(0);
    });

    it('ISO-33 writes shorter batches and rests while another partner is active on PostgreSQL, full ones alone; on the embedded database, whose one connection its transaction holds, never', async () => {
      const postgres = f.db.kind === 'postgres';
      const answering = enterForeground();
      try {
        expect(await ingestPaced('BUSY')).toEqual({ batches: 2_000 / (postgres ? FOREGROUND_BATCH_SIZE : DEFAULT_BATCH_SIZE), paused: postgres });
      } finally {
        answering();
      }
      await quiet();
      expect(await ingestPaced('ALONE')).toEqual({ batches: 2_000 / DEFAULT_BATCH_SIZE, paused: false });
    }, 60_000);
  });
});
