// The soak benchmark's own loads besides the GraphQL open loops of bench/isolation/pressure.ts:
//   - submissions: every one a NEW file (the same 500 source refs, values drawn from a seed that
//     is the submission's number, so the tables keep their size but every file updates them);
//     every REPLAY_EVERY-th turn the file before is sent again on purpose and must come back as
//     the idempotent replay it is (200, the first answer's submission id);
//   - the subscription: one agency's `events` over server-sent events, one stream per minute
//     (a fresh token, `after` = the last id received, as a reconnecting partner does), each
//     event's delay from the time the match that raised it stamped on it.
// Every answer is sorted into expected outcomes and errors by kind (`5xx 503`, `4xx 429
// RATE_LIMITED`, `graphql INTERNAL`, `network timeout`, `submit unexpected-replay`, …). Every
// loop ends with its window; only 127.0.0.1 is contacted.
import { request as httpRequest } from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { generateFile } from '../ingest/generate.ts';
import type { TokenPool } from '../lib/load.ts';
import type { ReadSample } from '../isolation/pressure.ts';

export type Kinds = Record<string, number>;

export const addKind = (into: Kinds, kind: string, n = 1) => {
  into[kind] = (into[kind] ?? 0) + n;
};

/**
 * The error kind of one answer of graphqlLoad (`200`, `200 CODE`, `503`, `429 CODE`, `timeout`,
 * `error`), or null when it is the expected `200` without errors.
 */
export function errorKindOf(status: string): string | null {
  if (status === '200') return null;
  const [http, code] = status.split(' ');
  if (http === 'timeout' || http === 'error') return `network ${http}`;
  if (http === '200') return `graphql ${code ?? 'ERROR'}`;
  return `${http!.slice(0, 1)}xx ${status}`;
}

/** The errors among a load's answers, by kind. */
export function errorsOf(sample: ReadSample): Kinds {
  const kinds: Kinds = {};
  for (const [status, n] of Object.entries(sample.statuses)) {
    const kind = errorKindOf(status);
    if (kind) addKind(kinds, kind, n);
  }
  return kinds;
}

type Answer = { status: number; body: Record<string, unknown> | undefined; seconds: number; network?: string };

function post(url: string, path: string, token: string, body: Buffer): Promise<Answer> {
  const started = performance.now();
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        method: 'POST',
        path,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(body.length) },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          let parsed: Record<string, unknown> | undefined;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, seconds: (performance.now() - started) / 1000 });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ status: 0, body: undefined, seconds: (performance.now() - started) / 1000, network: error.message === 'timeout' ? 'timeout' : 'error' }));
    req.end(body);
  });
}

export type SubmitMinute = {
  /** Files sent (new ones and deliberate replays). */
  count: number;
  created: number;
  replayed: number;
  errors: Kinds;
  p50Seconds: number;
  maxSeconds: number;
};

export type Submitter = {
  /** Submits every `everySeconds` for `seconds`, each waited for; the turn numbers carry on across calls. */
  run(tokens: TokenPool, seconds: number): Promise<SubmitMinute>;
};

/**
 * B's submissions: turn n sends a new file of `records` suspects generated with seed n; every
 * `replayEvery`-th turn then sends turn n's file once more, which must be answered as a replay.
 */
export function createSubmitter(o: { url: string; dir: string; agencyCode: string; operationCode: string; records: number; everySeconds: number; replayEvery: number }): Submitter {
  let turn = 0;
  const path = `/v1/submissions?${new URLSearchParams({ format: 'liaison-json', operation: o.operationCode })}`;

  async function fileOf(seed: number): Promise<Buffer> {
    const file = join(o.dir, `soak-${seed}.json`);
    await generateFile(file, { format: 'liaison-json', count: o.records, agencyCode: o.agencyCode, operationCode: o.operationCode, seed });
    const bytes = await readFile(file);
    await rm(file);
    return bytes;
  }

  /** The error kind of a submission's answer, or null when it is the one expected. */
  function check(answer: Answer, expect: 'created' | { replayOf: unknown }): string | null {
    if (answer.network) return `network ${answer.network}`;
    const code = typeof answer.body?.code === 'string' ? ` ${answer.body.code}` : '';
    if (expect === 'created') {
      if (answer.status === 201) return answer.body?.status === 'ACCEPTED' ? null : `submit 201 ${String(answer.body?.status)}`;
      if (answer.status === 200) return 'submit unexpected-replay';
    } else if (answer.status === 200) {
      return answer.body?.id === expect.replayOf ? null : 'submit replay-of-another';
    } else if (answer.status === 201) {
      return 'submit replay-stored-again';
    }
    return `${String(answer.status).slice(0, 1)}xx ${answer.status}${code}`;
  }

  return {
    async run(tokens, seconds) {
      const durations: number[] = [];
      const errors: Kinds = {};
      let created = 0;
      let replayed = 0;
      const end = performance.now() + seconds * 1000;
      while (performance.now() < end) {
        const next = performance.now() + o.everySeconds * 1000;
        turn++;
        const bytes = await fileOf(turn);
        const first = await post(o.url, path, tokens.take() ?? 'exhausted', bytes);
        durations.push(first.seconds);
        const firstError = check(first, 'created');
        if (firstError) addKind(errors, firstError);
        else created++;
        if (!firstError && turn % o.replayEvery === 0) {
          const again = await post(o.url, path, tokens.take() ?? 'exhausted', bytes);
          durations.push(again.seconds);
          const againError = check(again, { replayOf: first.body?.id });
          if (againError) addKind(errors, againError);
          else replayed++;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(next, end) - performance.now())));
      }
      durations.sort((x, y) => x - y);
      return {
        count: durations.length,
        created,
        replayed,
        errors,
        p50Seconds: durations[Math.floor(durations.length / 2)] ?? 0,
        maxSeconds: durations.at(-1) ?? 0,
      };
    },
  };
}

export type StreamMinute = { events: number; p50DelayMs: number; p99DelayMs: number; errors: Kinds };

const SUBSCRIPTION = /* GraphQL */ `subscription SoakEvents($after: String) { events(after: $after) { id type payload } }`;

/**
 * The subscriber's streams: one per call of `open`, read until `close`; `lastId` carries on so
 * the next stream starts where this one ended.
 */
export function createSubscriber(url: string) {
  let lastId: string | undefined;
  let total = 0;
  return {
    get total() {
      return total;
    },
    /** Opens a stream with `token`; close() ends it and sums up what it received. */
    async open(token: string) {
      const controller = new AbortController();
      const errors: Kinds = {};
      const delays: number[] = [];
      let events = 0;
      let closing = false;
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        signal: controller.signal,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: SUBSCRIPTION, variables: lastId === undefined ? {} : { after: lastId } }),
      }).catch(() => undefined);
      const reading = (async () => {
        if (!response) return addKind(errors, 'network subscribe');
        if (response.status !== 200 || !response.body) return addKind(errors, `${String(response.status).slice(0, 1)}xx ${response.status} subscribe`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        try {
          for (;;) {
            const chunk = await reader.read();
            if (chunk.done) break;
            buffer += chunk.value;
            for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
              const lines = buffer.slice(0, end).split('\n').filter((l) => !l.startsWith(':'));
              buffer = buffer.slice(end + 2);
              const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim() ?? 'message';
              const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
              if (event === 'complete' || !data) continue;
              const message = JSON.parse(data) as { data?: { events?: { id: string; payload: { at?: string } } }; errors?: { extensions?: { code?: string } }[] };
              const item = message.data?.events;
              if (message.errors?.length || !item) {
                addKind(errors, `graphql ${message.errors?.[0]?.extensions?.code ?? 'ERROR'} subscription`);
                continue;
              }
              lastId = item.id;
              total++;
              events++;
              if (item.payload.at) delays.push(Date.now() - Date.parse(item.payload.at));
            }
          }
          // The stream ended by itself before we closed it: a partner would see a drop.
          if (!closing) addKind(errors, 'subscription ended early');
        } catch (error) {
          if (!closing) addKind(errors, `network subscription ${(error as Error).name}`);
        }
      })();
      return {
        async close(): Promise<StreamMinute> {
          closing = true;
          controller.abort();
          await reading;
          delays.sort((x, y) => x - y);
          const at = (p: number) => (delays.length ? delays[Math.min(delays.length - 1, Math.ceil(p * delays.length) - 1)]! : 0);
          return { events, p50DelayMs: Math.round(at(0.5)), p99DelayMs: Math.round(at(0.99)), errors };
        },
      };
    },
  };
}
