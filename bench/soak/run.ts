// `npm run bench -- --part soak --minutes 10`: does the gateway creep? One gateway process on a
// fresh PostgreSQL database serves a mixed workload from two agencies for N minutes:
//   A reads a page of dens with their suspects (open loop, --soak-rate req/s) and the operation's
//   summary (2 req/s); B submits a 500-record liaison-json file every 5 s (ten files in turn,
//   each changing the same records, so the tables stay the same size) and matches 10 phone
//   numbers every 2 s (some of them hits). Every minute prints the gateway's RSS and heap, each
//   load's p50/p99 and its failures. Verdict: from the end of the warm-up to the last minute,
//   RSS and A's read p99 grow by less than 10%, and nothing failed.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAgencyKeyPair, type AgencyKeyPair } from '../../api/auth/keys.ts';
import { seededRandom } from '../../api/cli/seed/generate.ts';
import { loadConfig } from '../../kernel/config.ts';
import { generateFile, suspectValues } from '../ingest/generate.ts';
import { startServerChild, type ServerChild } from '../lib/children.ts';
import { benchServerUrl, createBenchDatabase } from '../lib/database.ts';
import { TokenPool } from '../lib/load.ts';
import { uploadFile, graphqlLoad, type ReadSample } from '../isolation/pressure.ts';
import { READ_QUERY } from '../lib/queries.ts';
import { AGENCY_A, AGENCY_B, OPERATION_CODE, SETUP_ENV, type IsolationSetup } from '../isolation/setup.ts';

export type SoakOptions = { minutes: number; warmupMinutes: number; rate: number };

export const SOAK_ARG_OPTIONS = {
  minutes: { type: 'string', default: '10' },
  'soak-warmup-minutes': { type: 'string', default: '2' },
  'soak-rate': { type: 'string', default: '20' },
} as const;

export function soakOptionsFrom(args: Record<string, unknown>): SoakOptions {
  const o = { minutes: Number(args.minutes), warmupMinutes: Number(args['soak-warmup-minutes']), rate: Number(args['soak-rate']) };
  if (!Number.isInteger(o.minutes) || o.minutes < 1) throw new Error('--minutes must be a positive integer');
  if (!Number.isInteger(o.warmupMinutes) || o.warmupMinutes < 0 || o.warmupMinutes >= o.minutes) throw new Error('--soak-warmup-minutes must be 0..minutes-1');
  if (!(o.rate > 0)) throw new Error('--soak-rate must be positive');
  return o;
}

const SUMMARY = /* GraphQL */ `query SoakSummary($code: String!) { operation(code: $code) { summary { scamDens suspects suspectsArrested fundsInterceptedUsd } } }`;
const MATCH = /* GraphQL */ `query SoakMatch($input: MatchInput!) { match(input: $input) { results { index hit hits { owner { code } recordType own } } } }`;
const FILES = 10;
const FILE_RECORDS = 500;
const SUBMIT_EVERY_S = 5;
const MATCH_RATE = 0.5;
const RECORDS = { dens: 2_000, suspects: 10_000, funds: 10_000, seed: 20220611 };
const TARGET_GROWTH = 0.1;
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

type Minute = {
  minute: number;
  rssMiB: number;
  heapUsedMiB: number;
  reads: ReadSample;
  summaries: ReadSample;
  matches: ReadSample;
  submissions: { count: number; failed: number; statuses: Record<string, number>; p50Seconds: number; maxSeconds: number };
};

/** The submissions of one minute: one file every few seconds, in turn, each waited for. */
async function submitFor(url: string, tokens: TokenPool, files: { file: string; bytes: number }[], start: number, seconds: number) {
  const durations: number[] = [];
  const statuses: Record<string, number> = {};
  let failed = 0;
  const end = performance.now() + seconds * 1000;
  for (let i = start; performance.now() < end; i++) {
    const next = performance.now() + SUBMIT_EVERY_S * 1000;
    const file = files[i % files.length]!;
    const result = await uploadFile({ url, token: tokens.take()!, ...file, format: 'liaison-json', contentType: 'application/json', operation: OPERATION_CODE });
    if (result.status !== 201) failed++;
    const key = result.error ?? String(result.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
    durations.push(result.seconds);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(next, end) - performance.now())));
  }
  durations.sort((x, y) => x - y);
  return { count: durations.length, failed, statuses, p50Seconds: durations[Math.floor(durations.length / 2)] ?? 0, maxSeconds: durations.at(-1) ?? 0 };
}

const failures = (s: ReadSample) => s.requests - s.good;
/** What went wrong in a minute, by load and answer (e.g. `match 200 INTERNAL ×3`), or nothing. */
function failureList(loads: Record<string, Record<string, number>>): string {
  const items = Object.entries(loads).flatMap(([load, statuses]) =>
    Object.entries(statuses).filter(([status]) => status !== '200' && status !== '201').map(([status, n]) => `${load} ${status} ×${n}`));
  return items.length ? `\n             failures: ${items.join(', ')}` : '';
}

export async function runSoakBench(o: SoakOptions, log: (m: string) => void): Promise<void> {
  log(`soak bench: ${o.minutes} min (${o.warmupMinutes} warm-up); A reads at ${o.rate} req/s + summaries at 2 req/s; ` +
    `B submits ${FILE_RECORDS} records every ${SUBMIT_EVERY_S} s and matches 10 phones every ${1 / MATCH_RATE} s`);
  const audience = loadConfig({}).audience;
  const keys: Record<string, AgencyKeyPair> = {};
  for (const agency of [AGENCY_A, AGENCY_B]) keys[agency.code] = await generateAgencyKeyPair({ kid: `${agency.code.toLowerCase()}-soak` });
  const a = { code: AGENCY_A.code, keys: keys[AGENCY_A.code]! };
  const b = { code: AGENCY_B.code, keys: keys[AGENCY_B.code]! };
  const dir = await mkdtemp(join(tmpdir(), 'liaison-soak-'));
  const pg = await createBenchDatabase(benchServerUrl());
  let server: ServerChild | undefined;
  try {
    const files = [];
    for (let seed = 1; seed <= FILES; seed++) {
      const path = join(dir, `soak-${seed}.json`);
      await generateFile(path, { format: 'liaison-json', count: FILE_RECORDS, agencyCode: b.code, operationCode: OPERATION_CODE, seed });
      files.push({ file: path, bytes: (await stat(path)).size });
    }
    // Phones of the first file's suspects (hits once it is in) and of numbers beyond it (no-hits).
    const random = seededRandom(1);
    const phones = Array.from({ length: FILE_RECORDS * 2 }, (_, i) => suspectValues(i, random).phone);
    const setup: IsolationSetup = {
      database: { url: pg.url },
      agencies: [AGENCY_A, AGENCY_B],
      pseudonymKey: randomBytes(32).toString('hex'),
      jwks: Object.fromEntries(Object.entries(keys).map(([code, k]) => [code, k.jwks])),
      records: RECORDS,
      // A's steady reads (about 25 cost points each) fit a partner's defaults only just: give headroom.
      settings: { LIAISON_RATE_REQUESTS_PER_MINUTE: '6000', LIAISON_RATE_COST_PER_MINUTE: '1000000' },
      matchQuotaPerDay: 10_000_000,
    };
    server = await startServerChild({ name: 'gateway (soak)', file: 'service.ts', env: { [SETUP_ENV]: JSON.stringify(setup) } });
    const url = server.url;
    log(`gateway pid ${server.pid} on ${url}; database ${pg.name}`);

    const readBody = JSON.stringify({ query: READ_QUERY, variables: { code: OPERATION_CODE } });
    const summaryBody = JSON.stringify({ query: SUMMARY, variables: { code: OPERATION_CODE } });
    let matchIndex = 0;
    const matchBody = () => {
      const identifiers = Array.from({ length: 10 }, () => ({ type: 'PHONE', value: phones[matchIndex++ % phones.length]! }));
      return JSON.stringify({ query: MATCH, variables: { input: { identifiers, purpose: 'Soak benchmark: checking numbers of a fraud case' } } });
    };
    const minutes: Minute[] = [];
    for (let m = 1; m <= o.minutes; m++) {
      const [readTokens, summaryTokens, matchTokens, submitTokens] = await Promise.all([
        TokenPool.mint(a, audience, Math.ceil(o.rate * 60 * 1.1) + 20),
        TokenPool.mint(a, audience, 140),
        TokenPool.mint(b, audience, 40, 'match:query'),
        TokenPool.mint(b, audience, Math.ceil(60 / SUBMIT_EVERY_S) + 4, 'records:submit'),
      ]);
      const [reads, summaries, matches, submissions] = await Promise.all([
        graphqlLoad({ url, body: readBody, seconds: 60, rate: o.rate, tokens: readTokens }),
        graphqlLoad({ url, body: summaryBody, seconds: 60, rate: 2, tokens: summaryTokens }),
        graphqlLoad({ url, body: matchBody(), seconds: 60, rate: MATCH_RATE, tokens: matchTokens }),
        submitFor(url, submitTokens, files, (m - 1) * 12, 60),
      ]);
      matchIndex += 10;
      const { memory } = await server.mark();
      const row: Minute = { minute: m, rssMiB: mib(memory.rss), heapUsedMiB: mib(memory.heapUsed), reads, summaries, matches, submissions };
      minutes.push(row);
      log(`  min ${String(m).padStart(2)}${m <= o.warmupMinutes ? ' (warm-up)' : '          '} RSS ${row.rssMiB} MiB heap ${row.heapUsedMiB} MiB | ` +
        `reads p50 ${reads.p50} p99 ${reads.p99} ms, ${failures(reads)} failed of ${reads.requests} | summary p99 ${summaries.p99} ms, ${failures(summaries)} failed | ` +
        `match p99 ${matches.p99} ms, ${failures(matches)} failed | ${submissions.count} submissions, p50 ${submissions.p50Seconds.toFixed(2)} s, ${submissions.failed} failed` +
        failureList({ read: reads.statuses, summary: summaries.statuses, match: matches.statuses, submit: submissions.statuses }));
    }
    const first = minutes[o.warmupMinutes]!;
    const last = minutes.at(-1)!;
    const rssGrowth = last.rssMiB / first.rssMiB - 1;
    const p99Growth = last.reads.p99 / Math.max(1, first.reads.p99) - 1;
    const failed = minutes.reduce((n, r) => n + failures(r.reads) + failures(r.summaries) + failures(r.matches) + r.submissions.failed, 0);
    const met = rssGrowth < TARGET_GROWTH && p99Growth < TARGET_GROWTH && failed === 0;
    log(`\nsoak: minute ${first.minute} → ${last.minute}: RSS ${first.rssMiB} → ${last.rssMiB} MiB (${(rssGrowth * 100).toFixed(1)}%), ` +
      `read p99 ${first.reads.p99} → ${last.reads.p99} ms (${(p99Growth * 100).toFixed(1)}%), ${failed} failures; ` +
      `target < 10% growth and no failure: ${met ? 'MET' : 'MISSED'}`);
    await mkdir(resultsDir, { recursive: true });
    const file = `${resultsDir}soak.json`;
    await writeFile(file, `${JSON.stringify({ at: new Date().toISOString(), node: process.version, options: o, records: RECORDS, minutes, rssGrowth, p99Growth, failed, met }, null, 2)}\n`);
    log(`wrote ${file}`);
  } finally {
    await server?.stop();
    await pg.drop().catch((error: unknown) => log(`could not drop ${pg.name}: ${String(error)}`));
    await rm(dir, { recursive: true, force: true });
  }
}
