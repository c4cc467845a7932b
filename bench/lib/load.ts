// One measured load phase against one server child: autocannon on 127.0.0.1 (loopback only),
// a fixed POST body, optionally a fresh single-use token per request from a pre-minted pool.
// A variant is warmed up first; its warm-up rate sizes the token pool of the measured window.
// The measured window is bracketed by marks of the child (its CPU time and SQL statements)
// and of the PostgreSQL backends of the bench database, so every per-request figure comes
// from the same requests: before each mark the server is given time to finish the requests
// autocannon abandoned when its phase ended, and per-request CPU and statements are divided by
// the requests sent (each of them is served completely inside the window). Each response's
// status and length are checked against the answer verified beforehand.
import autocannon from 'autocannon';
import { mintToken } from '../../api/auth/keys.ts';
import type { BenchAgency } from './database.ts';
import type { ServerChild } from './children.ts';
import { postgresCpu, postgresCpuDelta } from './pg-cpu.ts';

export type LoadSettings = { connections: number; warmupSeconds: number; measureSeconds: number };

export type Measurement = {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  /** Server process CPU (user + system) per request, ms. */
  serverCpuMs: number;
  /** CPU of the bench database's PostgreSQL backends per request, ms (null when not visible). */
  postgresCpuMs: number | null;
  statementsPerRequest: number;
  /** The same, by statement kind (e.g. `INSERT audit_event`). */
  statementKinds: Record<string, number>;
  /** Measured responses that were not 2xx, failed, or differed in length from the verified answer. */
  bad: number;
  tokensExhausted: boolean;
  /** The first bad answer of the measured window: status and the start of its body. */
  firstBad?: string;
};

/** Hands out pre-minted tokens; never mints during a measured window. */
export class TokenPool {
  private next = 0;
  constructor(private readonly tokens: string[]) {}
  take(): string | undefined {
    return this.tokens[this.next++];
  }
  /** Every token not yet taken (to hand them to another process), leaving none here. */
  drain(): string[] {
    const left = this.tokens.slice(this.next);
    this.next = this.tokens.length;
    return left;
  }
  static async mint(agency: Pick<BenchAgency, 'code' | 'keys'>, audience: string, count: number, scope = 'records:read'): Promise<TokenPool> {
    const tokens: string[] = [];
    for (let i = 0; i < count; i++) {
      tokens.push(
        await mintToken({
          privateJwk: agency.keys.privateJwk,
          iss: agency.code,
          sub: 'bench-officer',
          aud: audience,
          scope,
          now: new Date(),
        }),
      );
    }
    return new TokenPool(tokens);
  }
}

type Phase = {
  /** Good responses (2xx with the verified length). */
  requests: number;
  /** Requests written, including those still in flight when the phase ended. */
  sent: number;
  bad: number;
  seconds: number;
  p50: number;
  p99: number;
  tokensExhausted: boolean;
  /** The first bad answer's status and the start of its body, to say why answers were bad. */
  firstBad?: string;
};

async function runPhase(options: {
  url: string;
  body: string;
  seconds: number;
  connections: number;
  tokens?: TokenPool;
  expectedLength: number;
}): Promise<Phase> {
  let tokensExhausted = false;
  let lengthMismatches = 0;
  let firstBad: string | undefined;
  const started = performance.now();
  let instance: autocannon.Instance | undefined;
  const load: autocannon.Options = {
    url: `${options.url}/graphql`,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: options.body,
        setupRequest: (request) => {
          if (!options.tokens) return request;
          const token = options.tokens.take();
          if (token === undefined && !tokensExhausted) {
            tokensExhausted = true;
            instance?.stop();
          }
          return { ...request, headers: { ...request.headers, authorization: `Bearer ${token ?? 'exhausted'}` } };
        },
        onResponse: (status, body) => {
          const mismatch = status === 200 && Buffer.byteLength(body) !== options.expectedLength;
          if (mismatch) lengthMismatches++;
          if ((mismatch || status >= 300) && firstBad === undefined) firstBad = `${status} ${String(body).slice(0, 240)}`;
        },
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(load, (error, res) => (error ? reject(error) : resolve(res)));
  });
  const seconds = (performance.now() - started) / 1000;
  const ok = result['2xx'];
  return {
    requests: ok - lengthMismatches,
    sent: result.requests.sent,
    bad: result.non2xx + result.errors + result.timeouts + lengthMismatches,
    seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    tokensExhausted,
    ...(firstBad === undefined ? {} : { firstBad }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Time for the server to finish what a phase left in flight: twice its p99, 0.5–5 s. */
const drain = (phase: Phase) => sleep(Math.min(5_000, Math.max(500, 2 * phase.p99)));

/** Single-use tokens minted for one measured window, at most (about 40 MB of them). */
const MAX_TOKENS = 60_000;
/** The least rate a warm-up's tokens are minted for (the raw auth handler answers about 3,000 req/s). */
const WARMUP_RPS = 4_000;

/** Warm-up, then the measured window with its marks. */
export async function measure(options: {
  server: ServerChild;
  database: string;
  body: string;
  expectedLength: number;
  settings: LoadSettings;
  /** For the authenticated gateway: who mints the tokens, and a first guess of the rate. */
  auth?: { agency: BenchAgency; audience: string; guessRps: number };
  /** Wraps the measured window (e.g. to profile exactly those requests). */
  around?: <T>(work: () => Promise<T>) => Promise<T>;
}): Promise<Measurement> {
  const { server, settings, auth } = options;
  // At most MAX_TOKENS: 20,000 ran out under the raw auth handler (about 2,000 req/s), whose
  // refused requests then counted as fast answers and flattered the baseline.
  const pool = async (rps: number, seconds: number) =>
    auth ? TokenPool.mint(auth.agency, auth.audience, Math.min(MAX_TOKENS, Math.ceil(rps * seconds * 1.6) + 200)) : undefined;
  const phase = (seconds: number, tokens: TokenPool | undefined) =>
    runPhase({ url: server.url, body: options.body, seconds, connections: settings.connections, expectedLength: options.expectedLength, ...(tokens ? { tokens } : {}) });

  // The warm-up's pool is sized for at least WARMUP_RPS whatever the guess: a warm-up that ran out
  // sent placeholder tokens, and 120 refused tokens a minute close the gateway to the bench's
  // address (auth_failure_limit), so every later variant measured that refusal.
  const warm = await phase(settings.warmupSeconds, await pool(Math.max(auth?.guessRps ?? 0, WARMUP_RPS), settings.warmupSeconds));
  // For twice the warm-up's rate (the pool adds its own margin): a variant still warming up (the
  // operation summary) ran out at 1.6x the warm-up's rate and measured 62 refusals among its answers.
  const tokens = await pool(2 * Math.max(warm.requests / warm.seconds, auth?.guessRps ?? 0), settings.measureSeconds);
  await drain(warm);

  const pgBefore = await postgresCpu(options.database);
  const before = await server.mark();
  const around = options.around ?? (<T>(work: () => Promise<T>) => work());
  let run!: Phase;
  const kinds = await server.statementBreakdown(async () => {
    run = await around(() => phase(settings.measureSeconds, tokens));
    await drain(run);
  });
  const after = await server.mark();
  const pgAfter = await postgresCpu(options.database);

  const cpuMs = (after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system) / 1000;
  const n = Math.max(1, run.sent);
  const pgDelta = postgresCpuDelta(pgBefore, pgAfter);
  const pgMs = pgDelta === null ? null : pgDelta / n;
  return {
    requests: run.requests,
    seconds: run.seconds,
    rps: run.requests / run.seconds,
    p50: run.p50,
    p99: run.p99,
    serverCpuMs: cpuMs / n,
    postgresCpuMs: pgMs,
    statementsPerRequest: (after.statements - before.statements) / n,
    statementKinds: Object.fromEntries(
      Object.entries(kinds)
        .sort((a, b) => b[1] - a[1])
        .map(([kind, count]) => [kind, Math.round((count / n) * 100) / 100]),
    ),
    bad: run.bad,
    tokensExhausted: run.tokensExhausted,
    ...(run.firstBad === undefined ? {} : { firstBad: run.firstBad }),
  };
}
