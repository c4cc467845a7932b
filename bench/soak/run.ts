// `npm run bench -- --part soak --minutes 10`: does the gateway creep? One gateway process on a
// fresh PostgreSQL database serves a mixed workload from three agencies for N minutes:
//   A (ES-PN) reads a page of dens with their suspects (open loop, --soak-rate req/s) and the
//   operation's summary (2 req/s); B (CN-MPS) submits a NEW 500-record liaison-json file every
//   5 s (the same source refs, new values each time: the record tables keep their size, every
//   file updates them) and every 6th turn sends the file again on purpose, which must come back
//   as an idempotent replay; B also holds the `events` subscription (server-sent events, one
//   stream a minute resumed with `after`); C (VN-MPS) matches 10 phones every 2 s, half of them
//   numbers of B's file, so each hit raises a MATCH_HIT event that B's stream must deliver.
// Every minute prints the gateway's RSS, heap and CPU, PostgreSQL's CPU, each load's p50/p99,
// the errors by kind (5xx, unexpected 4xx, GraphQL errors, network failures, a submission
// answered otherwise than expected), the load average, and the rows of the tables that grow.
// Verdict: from the end of the warm-up to the last minute, RSS and A's read p99 grow by less
// than 10%, no error, and every event raised for B reached its stream. Writes
// bench/results/soak-<timestamp>.json (git-ignored).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAgencyKeyPair, type AgencyKeyPair } from '../../api/auth/keys.ts';
import { seededRandom } from '../../api/cli/seed/generate.ts';
import { loadConfig } from '../../kernel/config.ts';
import { suspectValues } from '../ingest/generate.ts';
import { startServerChild, type ServerChild } from '../lib/children.ts';
import { benchServerUrl, createBenchDatabase } from '../lib/database.ts';
import { TokenPool } from '../lib/load.ts';
import { postgresCpu, postgresCpuDelta } from '../lib/pg-cpu.ts';
import { graphqlLoad } from '../isolation/pressure.ts';
import { READ_QUERY } from '../lib/queries.ts';
import { AGENCY_A, AGENCY_B, AGENCY_B_FLOOD, OPERATION_CODE, SETUP_ENV, type IsolationSetup } from '../isolation/setup.ts';
import { openDatabaseStats } from './database-stats.ts';
import { formatMinute, formatVerdict, TABLE_HEADER, verdictOf, writeSoakResults, type Minute } from './report.ts';
import { addKind, createSubmitter, createSubscriber, errorsOf, type Kinds } from './workload.ts';

export type SoakOptions = { minutes: number; warmupMinutes: number; rate: number; vacuum: 'auto' | 'off' };

export const SOAK_ARG_OPTIONS = {
  minutes: { type: 'string', default: '10' },
  'soak-warmup-minutes': { type: 'string', default: '2' },
  'soak-rate': { type: 'string', default: '20' },
  /** auto: when the server's autovacuum is off, the bench vacuums the updated tables once a minute in its place; off: never. */
  'soak-vacuum': { type: 'string', default: 'auto' },
} as const;

export function soakOptionsFrom(args: Record<string, unknown>): SoakOptions {
  const vacuum = args['soak-vacuum'];
  if (vacuum !== 'auto' && vacuum !== 'off') throw new Error('--soak-vacuum must be auto or off');
  const o = { minutes: Number(args.minutes), warmupMinutes: Number(args['soak-warmup-minutes']), rate: Number(args['soak-rate']), vacuum } as SoakOptions;
  if (!Number.isInteger(o.minutes) || o.minutes < 1 || o.minutes > 24 * 60) throw new Error('--minutes must be an integer in 1..1440');
  if (!Number.isInteger(o.warmupMinutes) || o.warmupMinutes < 0 || o.warmupMinutes >= o.minutes) throw new Error('--soak-warmup-minutes must be 0..minutes-1');
  if (!(o.rate > 0 && o.rate <= 500)) throw new Error('--soak-rate must be in (0, 500]');
  return o;
}

const SUMMARY = /* GraphQL */ `query SoakSummary($code: String!) { operation(code: $code) { summary { scamDens suspects suspectsArrested fundsInterceptedUsd } } }`;
const MATCH = /* GraphQL */ `query SoakMatch($input: MatchInput!) { match(input: $input) { results { index hit hits { owner { code } recordType own } } } }`;
const FILE_RECORDS = 500;
const SUBMIT_EVERY_S = 5;
const REPLAY_EVERY = 6;
const MATCH_RATE = 0.5;
const RECORDS = { dens: 2_000, suspects: 10_000, funds: 10_000, seed: 20220611 };
/** After the last minute, how long B's last stream may take at most to bring the events raised meanwhile. */
const DRAIN_MS = 30_000;
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

export async function runSoakBench(o: SoakOptions, log: (m: string) => void): Promise<void> {
  const agencies = { a: AGENCY_A, b: AGENCY_B, c: AGENCY_B_FLOOD };
  log(`soak bench: ${o.minutes} min (${o.warmupMinutes} warm-up); ${agencies.a.code} reads at ${o.rate} req/s + summaries at 2 req/s; ` +
    `${agencies.b.code} submits a new ${FILE_RECORDS}-record file every ${SUBMIT_EVERY_S} s (every ${REPLAY_EVERY}th sent twice: a replay) ` +
    `and subscribes to its events; ${agencies.c.code} matches 10 phones every ${1 / MATCH_RATE} s`);
  const audience = loadConfig({}).audience;
  const keys: Record<string, AgencyKeyPair> = {};
  for (const agency of Object.values(agencies)) keys[agency.code] = await generateAgencyKeyPair({ kid: `${agency.code.toLowerCase()}-soak` });
  const withKeys = (x: { code: string }) => ({ code: x.code, keys: keys[x.code]! });
  const [a, b, c] = [withKeys(agencies.a), withKeys(agencies.b), withKeys(agencies.c)];
  const dir = await mkdtemp(join(tmpdir(), 'liaison-soak-'));
  const pg = await createBenchDatabase(benchServerUrl());
  let server: ServerChild | undefined;
  let stats: Awaited<ReturnType<typeof openDatabaseStats>> | undefined;
  try {
    // Phones of B's files' suspects (hits once the first file is in) and of numbers beyond them (no-hits).
    const random = seededRandom(1);
    const phones = Array.from({ length: FILE_RECORDS * 2 }, (_, i) => suspectValues(i, random).phone);
    const setup: IsolationSetup = {
      database: { url: pg.url },
      agencies: [agencies.a, agencies.b, agencies.c],
      pseudonymKey: randomBytes(32).toString('hex'),
      jwks: Object.fromEntries(Object.entries(keys).map(([code, k]) => [code, k.jwks])),
      records: RECORDS,
      // A's steady reads (about 25 cost points each) fit a partner's defaults only just: give headroom.
      settings: { LIAISON_RATE_REQUESTS_PER_MINUTE: '6000', LIAISON_RATE_COST_PER_MINUTE: '1000000' },
      matchQuotaPerDay: 10_000_000,
    };
    server = await startServerChild({ name: 'gateway (soak)', file: 'service.ts', env: { [SETUP_ENV]: JSON.stringify(setup) } });
    const url = server.url;
    stats = await openDatabaseStats(pg.url);
    const standInVacuum = o.vacuum === 'auto' && !(await stats.autovacuum());
    if (standInVacuum) log(`autovacuum is off on this PostgreSQL server: the bench runs VACUUM (ANALYZE) on the updated tables once a minute in its place (--soak-vacuum off: never)`);
    log(`gateway pid ${server.pid} on ${url}; database ${pg.name}\n${TABLE_HEADER}`);

    const readBody = JSON.stringify({ query: READ_QUERY, variables: { code: OPERATION_CODE } });
    const summaryBody = JSON.stringify({ query: SUMMARY, variables: { code: OPERATION_CODE } });
    const matchBody = (m: number) => {
      const identifiers = Array.from({ length: 10 }, (_, i) => ({ type: 'PHONE', value: phones[(m * 10 + i) % phones.length]! }));
      return JSON.stringify({ query: MATCH, variables: { input: { identifiers, purpose: 'Soak benchmark: checking numbers of a fraud case' } } });
    };
    const submitter = createSubmitter({ url, dir, agencyCode: b.code, operationCode: OPERATION_CODE, records: FILE_RECORDS, everySeconds: SUBMIT_EVERY_S, replayEvery: REPLAY_EVERY });
    const subscriber = createSubscriber(url);
    // Events B had before its first stream (none are expected; a stream without `after` starts from now).
    const eventsBefore = await stats.eventsOf(b.code);
    const minutes: Minute[] = [];
    let before = await server.mark();
    let pgBefore = await postgresCpu(pg.name);
    for (let m = 1; m <= o.minutes; m++) {
      const [readTokens, summaryTokens, matchTokens, submitTokens, streamTokens] = await Promise.all([
        TokenPool.mint(a, audience, Math.ceil(o.rate * 60 * 1.1) + 20),
        TokenPool.mint(a, audience, 140),
        TokenPool.mint(c, audience, 40, 'match:query'),
        TokenPool.mint(b, audience, 2 * Math.ceil(60 / SUBMIT_EVERY_S) + 4, 'records:submit'),
        TokenPool.mint(b, audience, 1, 'records:read'),
      ]);
      const stream = await subscriber.open(streamTokens.take()!);
      const [reads, summaries, matches, submissions] = await Promise.all([
        graphqlLoad({ url, body: readBody, seconds: 60, rate: o.rate, tokens: readTokens }),
        graphqlLoad({ url, body: summaryBody, seconds: 60, rate: 2, tokens: summaryTokens }),
        graphqlLoad({ url, body: matchBody(m), seconds: 60, rate: MATCH_RATE, tokens: matchTokens }),
        submitter.run(submitTokens, 60),
      ]);
      if (m === o.minutes) {
        // The last stream stays open until every event raised for B has come, or DRAIN_MS (bounded).
        const raised = (await stats.eventsOf(b.code)) - eventsBefore;
        const until = performance.now() + DRAIN_MS;
        while (subscriber.total < raised && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const streamed = await stream.close();
      const mark = await server.mark();
      const pgNow = await postgresCpu(pg.name);
      const pgMs = postgresCpuDelta(pgBefore, pgNow);
      const cpuMs = (mark.cpu.user + mark.cpu.system - before.cpu.user - before.cpu.system) / 1000;
      const errors: Kinds = {};
      for (const [load, kinds] of Object.entries({ read: errorsOf(reads), summary: errorsOf(summaries), match: errorsOf(matches), submit: submissions.errors, stream: streamed.errors })) {
        for (const [kind, n] of Object.entries(kinds)) addKind(errors, `${load} ${kind}`, n);
      }
      const row: Minute = {
        minute: m,
        load1: loadavg()[0]!,
        rssMiB: mib(mark.memory.rss),
        heapUsedMiB: mib(mark.memory.heapUsed),
        gatewayCpuPct: Math.round(cpuMs / 600),
        postgresCpuPct: pgMs === null ? null : Math.round(pgMs / 600),
        reads,
        summaries,
        matches,
        submissions,
        stream: streamed,
        errors,
        database: await stats.read(),
        vacuumed: standInVacuum,
      };
      if (standInVacuum) await stats.vacuum();
      minutes.push(row);
      log(formatMinute(row, m <= o.warmupMinutes));
      before = mark;
      pgBefore = pgNow;
    }
    const events = { raised: (await stats.eventsOf(b.code)) - eventsBefore, received: subscriber.total };
    const verdict = verdictOf(minutes, o.warmupMinutes, events);
    log(`(* warm-up; CPU in % of one core over the minute; events: received by ${b.code}'s stream, p99 delay from the match)`);
    log(`\n${formatVerdict(verdict, minutes)}`);
    const file = await writeSoakResults(resultsDir, { part: 'soak', options: o, autovacuumStandIn: standInVacuum, records: RECORDS, fileRecords: FILE_RECORDS, minutes, verdict });
    log(`wrote ${file}`);
  } finally {
    await stats?.close().catch(() => undefined);
    await server?.stop();
    await pg.drop().catch((error: unknown) => log(`could not drop ${pg.name}: ${String(error)}`));
    await rm(dir, { recursive: true, force: true });
  }
}
