// Agency A's measured read and the pressure agency B puts on the gateway meanwhile, for the
// isolation benchmark. Every load is bounded (a duration, a count, a file) and aimed at the
// gateway child on 127.0.0.1 only.
//   - GraphQL loads (A's read, B's flood, B's costly queries) are sent by this file's own
//     client, not autocannon (B's from a process of its own, bench/isolation/pressure-child.ts): every request is scheduled (an open loop at a fixed rate, or a
//     fixed number of workers back to back), gets its own single-use token, and is waited for
//     after the window closes, so a request the gateway answers late or never still counts. In
//     the open loop, latency runs from the request's scheduled time, so time spent queued
//     behind a stalled gateway is not hidden (no coordinated omission).
//   - B's slow uploads: chunked submissions that send one byte a second and never finish.
//   - B's big upload: one partner file streamed as fast as the socket takes it.
import { fork } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Agent, request as httpRequest, type ClientRequest } from 'node:http';
import type { TokenPool } from '../lib/load.ts';

export type StatusCounts = Record<string, number>;

export type ReadSample = {
  requests: number;
  /** 200 with no GraphQL error. */
  good: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Answers by HTTP status, then by GraphQL error code (e.g. `200 RATE_LIMITED`); `error`/`timeout` without one. */
  statuses: StatusCounts;
  /** The window's length in seconds: `seconds`, or less when `until` settled first. */
  windowS: number;
  /** Seconds from the window's start to the last answer: shorter than the window when the minted tokens ran out. */
  spanS: number;
  /** The five slowest answers: when each was sent (seconds into the window) and how long it took. */
  slowest: { atS: number; ms: number; status: string }[];
};

export type Load = {
  url: string;
  body: string;
  seconds: number;
  tokens: TokenPool;
  /** Open loop: requests per second, scheduled whatever the answers. */
  rate?: number;
  /** Closed loop: this many workers, each sending its next request when the last is answered. */
  workers?: number;
  /** Ends the window early once it settles (B's upload answered), so that all of it is under the pressure. */
  until?: Promise<unknown>;
};

const REQUEST_TIMEOUT_MS = 30_000;

type Answer = { status: string; ms: number; from: number };

/** One GraphQL POST; its outcome as `200`, `200 RATE_LIMITED`, `503`, `timeout`, `error`. */
function postGraphql(agent: Agent, url: URL, body: string, token: string, from: number): Promise<Answer> {
  return new Promise((resolve) => {
    const done = (status: string) => resolve({ status, ms: performance.now() - from, from });
    const req = httpRequest(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = /"errors"/.test(text) ? (/"code"\s*:\s*"([A-Z_]+)"/.exec(text)?.[1] ?? 'ERROR') : '';
          done(code ? `${res.statusCode} ${code}` : String(res.statusCode));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => done(error.message === 'timeout' ? 'timeout' : 'error'));
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : 0);
const sleepUntil = (t: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - performance.now())));

/** Runs the load for its window, waits for every request it sent, and sums them up. */
export async function graphqlLoad(load: Load): Promise<ReadSample> {
  const url = new URL(load.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const started = performance.now();
  let end = started + load.seconds * 1000;
  const cut = () => {
    end = Math.min(end, performance.now());
  };
  load.until?.then(cut, cut);
  const pending: Promise<Answer>[] = [];
  const next = () => load.tokens.take() ?? 'exhausted';
  if (load.rate) {
    for (let i = 0; ; i++) {
      const at = started + (i * 1000) / load.rate;
      if (at >= end) break;
      await sleepUntil(at);
      if (at >= end) break;
      pending.push(postGraphql(agent, url, load.body, next(), at));
    }
  } else {
    const worker = async () => {
      const answers: Answer[] = [];
      // A worker stops when its window closes or the minted tokens run out (never a bad token).
      for (let token = load.tokens.take(); token !== undefined && performance.now() < end; token = load.tokens.take()) {
        answers.push(await postGraphql(agent, url, load.body, token, performance.now()));
      }
      return answers;
    };
    const all = await Promise.all(Array.from({ length: load.workers ?? 1 }, worker));
    for (const answer of all.flat()) pending.push(Promise.resolve(answer));
  }
  const answers = await Promise.all(pending);
  agent.destroy();
  const statuses: StatusCounts = {};
  for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  const sorted = answers.map((a) => a.ms).sort((x, y) => x - y);
  const good = statuses['200'] ?? 0;
  const round = (ms: number) => Math.round(ms);
  // `end` only ever moved earlier than the window's planned end.
  const windowS = (end - started) / 1000;
  return {
    requests: answers.length,
    good,
    rps: good / windowS,
    windowS: Math.round(windowS * 10) / 10,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? 0),
    statuses,
    spanS: Math.round(answers.reduce((last, a) => Math.max(last, a.from + a.ms - started), 0) / 100) / 10,
    slowest: [...answers]
      .sort((x, y) => y.ms - x.ms)
      .slice(0, 5)
      .map((a) => ({ atS: Math.round((a.from - started) / 100) / 10, ms: round(a.ms), status: a.status })),
  };
}

/** Requests started now and ended by stop(); what each got (an HTTP status, or `held`). */
export type Pressure = { stop(): Promise<StatusCounts> };

const count = (into: StatusCounts, key: string) => {
  into[key] = (into[key] ?? 0) + 1;
};

function submissionPath(query: { format: string; operation: string; dryRun: boolean }): string {
  const q = new URLSearchParams({ format: query.format, operation: query.operation, dryRun: String(query.dryRun) });
  return `/v1/submissions?${q}`;
}

/** `n` chunked uploads of B that send their first bytes, then one byte a second, forever. */
export function slowUploads(options: { url: string; tokens: TokenPool; n: number; operation: string }): Pressure {
  const statuses: StatusCounts = {};
  const open: { req: ClientRequest; answered: boolean; timer: NodeJS.Timeout }[] = [];
  const { hostname, port } = new URL(options.url);
  for (let i = 0; i < options.n; i++) {
    const req = httpRequest({
      host: hostname,
      port,
      method: 'POST',
      path: submissionPath({ format: 'liaison-json', operation: options.operation, dryRun: true }),
      headers: {
        authorization: `Bearer ${options.tokens.take() ?? 'exhausted'}`,
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      },
    });
    const entry = { req, answered: false, timer: setInterval(() => req.write(' '), 1_000) };
    req.on('response', (res) => {
      entry.answered = true;
      clearInterval(entry.timer);
      count(statuses, String(res.statusCode));
      res.resume();
    });
    req.on('error', () => {
      if (!entry.answered) count(statuses, 'reset');
      entry.answered = true;
      clearInterval(entry.timer);
    });
    req.write('{"records":[');
    open.push(entry);
  }
  return {
    async stop() {
      for (const entry of open) {
        clearInterval(entry.timer);
        if (!entry.answered) {
          entry.answered = true;
          count(statuses, 'held');
        }
        entry.req.destroy();
      }
      return statuses;
    },
  };
}

export type UploadResult = { status: number; seconds: number; bytes: number; counts?: Record<string, number>; error?: string };

/** One real submission of `file`, streamed at full speed; resolves when it is answered (B's big upload, the soak's submissions). */
export async function uploadFile(options: { url: string; token: string; file: string; bytes: number; format: string; contentType: string; operation: string }): Promise<UploadResult> {
  const started = performance.now();
  const { hostname, port } = new URL(options.url);
  return new Promise<UploadResult>((resolve) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        method: 'POST',
        path: submissionPath({ format: options.format, operation: options.operation, dryRun: false }),
        headers: {
          authorization: `Bearer ${options.token}`,
          'content-type': options.contentType,
          'content-length': String(options.bytes),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const seconds = (performance.now() - started) / 1000;
          let counts: Record<string, number> | undefined;
          try {
            counts = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { counts?: Record<string, number> }).counts;
          } catch {
            counts = undefined;
          }
          resolve({ status: res.statusCode ?? 0, seconds, bytes: options.bytes, ...(counts ? { counts } : {}) });
        });
      },
    );
    req.on('error', (error) => resolve({ status: 0, seconds: (performance.now() - started) / 1000, bytes: options.bytes, error: error.message }));
    createReadStream(options.file, { highWaterMark: 256 * 1024 }).pipe(req);
  });
}

/**
 * A load that runs in the background, for B's flood and costly queries; stop() waits for its
 * end. Started in a process of its own (bench/isolation/pressure-child.ts), so that B's
 * answers never hold up A's requests in this one; resolves once it has started.
 */
export async function backgroundLoad(load: Load): Promise<Pressure> {
  const child = fork(fileURLToPath(new URL('./pressure-child.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const started = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`B's load exited (${code}) before it started`)));
  });
  await started;
  const running = new Promise<ReadSample>((resolve, reject) => {
    child.once('message', (reply: { sample?: ReadSample; error?: string }) => (reply.sample ? resolve(reply.sample) : reject(new Error(`B's load failed: ${reply.error}`))));
    child.once('exit', (code) => reject(new Error(`B's load exited (${code}) before answering`)));
  });
  child.send({ url: load.url, body: load.body, seconds: load.seconds, rate: load.rate, workers: load.workers, tokens: load.tokens.drain() });
  return {
    stop: async () => {
      const sample = await running;
      return { ...sample.statuses, 'over seconds': sample.spanS };
    },
  };
}
