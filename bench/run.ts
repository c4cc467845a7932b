// `npm run bench`: throughput, latency and server CPU of the gateway against raw pg baselines
// and PostGraphile on one fresh PostgreSQL database (never part of `npm test`).
//
//   1. Creates a uniquely named database on DATABASE_URL's server (else the local one),
//      migrates it, fills it with the deterministic generator (20,000 dens, 100,000 suspects,
//      100,000 funds over 3 agencies in one operation) and runs VACUUM (ANALYZE) on it.
//   2. Starts each server under test in its own child process (bench/servers/*.ts via tsx) and
//      loads one at a time with autocannon on 127.0.0.1 from this process:
//        (b) raw — node:http + pg, PostgreSQL builds the JSON in one statement;
//        (b) raw — node:http + pg, three plain queries, the JSON built in JS;
//        (b) PostGraphile 4 on the same database, the same query in its schema, the sharing
//            rule as row-level security for its own role (bench/lib/postgraphile-setup.ts);
//        (b) gateway with real JWT verification, replay cache and audit log (one fresh
//            pre-minted token per request);
//        (b) right after it, the gateway with a fixed viewer and a no-op audit sink (their
//            difference is `auth+audit cost`: measured back to back, as it once was last of
//            all and swung 16-43% with the machine's state);
//        (a) the gateway with auth, operation summary (also with 1 connection: service time);
//        (me) the same gateway, `{ me { agency { code } } }`, and a raw node:http + pg + jose
//            handler doing the same authentication.
//      Before load, each variant's answer is checked (no errors; for (b) exactly the first raw
//      baseline's data); during the measured window the server's SQL statements are counted.
//      The variants of the (b) and (me) ratios are measured in --rounds rounds (default 3), each
//      round all of them one after the other, so that the machine's slow minutes fall on every
//      variant alike; (a) is measured once.
//   3. Prints each variant's median round (by req/s: req/s, p50, p99, server and PostgreSQL CPU
//      per request, statements per request), each round's ratios, and the median of every ratio
//      over the rounds: each (b) ratio against the best raw baseline of its round (`gateway /
//      best raw`, `gateway / PostGraphile`).
//   4. With --profile, samples the gateway's CPU during an extra measured window of (b), with
//      and without auth, and prints where the time went (bench/results/*.cpuprofile).
//   5. At the end prints one verdict per target of issue 11 (MET / MISSED with the figure, or
//      NOT MEASURED for a part not run) and writes bench/results/<timestamp>.json (git-ignored).
// The database is dropped and every child stopped at the end, also after a failure or Ctrl-C.
//
// --part read|ingest|all (default all): the read benchmark above, the ingest benchmark
// (bench/ingest/run.ts: pipeline vs COPY, PGlite, peak RSS, profile; --records, --formats,
// --no-profile), or the read part then the ingest part. --part isolation runs the isolation
// benchmark (bench/isolation/run.ts: one agency's reads while another trickles, floods, uploads
// 48 MiB and sends costly queries; --isolation-db, --isolation-seconds, --isolation-rate,
// --isolation-limit, --isolation-upload-mib); --part soak --minutes N runs the soak benchmark
// (bench/soak/run.ts: a mixed workload for N minutes, RSS and p99 per minute); --part match runs
// the match benchmark (bench/match/run.ts: --match-selectors, --match-seconds). `all` includes
// none of these three.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../kernel/config.ts';
import { killAllChildrenNow, startServerChild, stopAllChildren, type ServerChild } from './lib/children.ts';
import { benchServerUrl, createBenchDatabase, seedBenchDatabase, type SeededDatabase } from './lib/database.ts';
import { measure, TokenPool, type LoadSettings, type Measurement } from './lib/load.ts';
import { formatProfile, summarizeProfile, type ProfileSummary } from './lib/profile.ts';
import { ENV } from './lib/protocol.ts';
import { dropRole, preparePostgraphile } from './lib/postgraphile-setup.ts';
import { DENS_QUERY, graphqlBody, ME_QUERY, postgraphileBody, SUMMARY_QUERY } from './lib/queries.ts';
import { formatRatios, formatStatements, formatTable, ratiosOf, TARGETS, type Ratios, type VariantId } from './lib/report.ts';
import { formatVerdicts, ingestVerdicts, readVerdicts } from './lib/verdicts.ts';
import { checkDensAnswer, checkMeAnswer, checkSummaryAnswer, post, postgraphileAsGateway, type DensFacts } from './lib/verify.ts';
import { INGEST_ARG_OPTIONS, ingestOptionsFrom, killIngestChildrenNow, runIngestBench, type IngestBenchResult } from './ingest/run.ts';
import { ISOLATION_ARG_OPTIONS, isolationOptionsFrom, runIsolationBench } from './isolation/run.ts';
import { runSoakBench, SOAK_ARG_OPTIONS, soakOptionsFrom } from './soak/run.ts';
import { MATCH_ARG_OPTIONS, matchOptionsFrom, runMatchBench } from './match/run.ts';

const PARTS = ['read', 'ingest', 'all', 'isolation', 'soak', 'match'] as const;
const OPTIONS = {
  help: { type: 'boolean', short: 'h', default: false },
  dens: { type: 'string', default: '20000' },
  suspects: { type: 'string', default: '100000' },
  funds: { type: 'string', default: '100000' },
  seed: { type: 'string', default: '20220611' },
  connections: { type: 'string', default: '10' },
  warmup: { type: 'string', default: '3' },
  duration: { type: 'string', default: '10' },
  pool: { type: 'string', default: '10' },
  /** Each ratio's variants are measured this many times, interleaved; the report takes the medians. */
  rounds: { type: 'string', default: '3' },
  profile: { type: 'boolean', default: false },
  part: { type: 'string', default: 'all' },
  ...INGEST_ARG_OPTIONS,
  ...ISOLATION_ARG_OPTIONS,
  ...SOAK_ARG_OPTIONS,
  ...MATCH_ARG_OPTIONS,
} as const;
const { values: args } = parseArgs({ options: OPTIONS });
if (args.help) {
  // Every option with its default; what each part does is in the header of this file.
  const usage = Object.entries(OPTIONS)
    .filter(([name]) => name !== 'help')
    .map(([name, o]) => `  --${name}${o.type === 'string' ? ` <value>  (default ${o.default})` : ''}`);
  process.stdout.write(`usage: npm run bench -- [--part ${PARTS.join('|')}] [options]\n${usage.join('\n')}\n(bench/run.ts's header says what each part measures)\n`);
  process.exit(0);
}
if (!(PARTS as readonly string[]).includes(args.part)) throw new Error(`--part must be one of ${PARTS.join(', ')}`);

const positive = (name: keyof typeof args) => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
};

const roundCount = positive('rounds');
const shape = { dens: positive('dens'), suspects: positive('suspects'), funds: positive('funds'), seed: positive('seed') };
const settings: LoadSettings = {
  connections: positive('connections'),
  warmupSeconds: positive('warmup'),
  measureSeconds: positive('duration'),
};
/** Whole-run limit: everything is bounded, this only catches a hang. */
const RUN_DEADLINE_MS = 15 * 60_000;
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

const log = (message: string) => process.stdout.write(`${message}\n`);

/** The read part: returns its figures for the verdicts and the results file. */
async function main(): Promise<ReadFigures> {
  const serverUrl = benchServerUrl();
  const audience = loadConfig({}).audience;
  log(`bench: ${shape.dens} dens, ${shape.suspects} suspects, ${shape.funds} funds; ${settings.connections} connections, ` +
    `${settings.warmupSeconds} s warm-up + ${settings.measureSeconds} s measured per variant; PostgreSQL at ${new URL(serverUrl).host}`);

  const target = await createBenchDatabase(serverUrl);
  const roles: string[] = [];
  let cleanedUp = false;
  const cleanup = async () => {
    if (cleanedUp) return;
    cleanedUp = true;
    await stopAllChildren();
    await target.drop().catch((error: unknown) => log(`could not drop ${target.name}: ${String(error)}`));
    for (const role of roles) await dropRole(serverUrl, role).catch((error: unknown) => log(`could not drop role ${role}: ${String(error)}`));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`\n${signal}: stopping servers and dropping ${target.name}`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const deadline = setTimeout(() => {
    log(`bench exceeded ${RUN_DEADLINE_MS / 60_000} minutes; aborting`);
    void cleanup().finally(() => process.exit(1));
  }, RUN_DEADLINE_MS);
  deadline.unref();

  try {
    const seeded = await seedBenchDatabase(target, shape);
    log(`database ${seeded.name}: ${seeded.counts.dens} dens, ${seeded.counts.suspects} suspects, ${seeded.counts.funds} funds ` +
      `seeded in ${seeded.seedSeconds.toFixed(1)} s`);
    return await runVariants(seeded, audience, roles);
  } finally {
    clearTimeout(deadline);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
    log(`dropped ${target.name}`);
  }
}

type ReadFigures = {
  shape: typeof shape;
  counts: SeededDatabase['counts'];
  seedSeconds: number;
  settings: LoadSettings;
  /** How many times each ratio's variants were measured, interleaved. */
  rounds: number;
  /** Each variant's median round (by req/s). */
  results: Partial<Record<VariantId, Measurement>>;
  /** The ratios of each round, and their medians (what the verdicts read). */
  perRound: Ratios[];
  ratios: Ratios;
  profiles: Record<string, ProfileSummary & { requests: number }>;
};

async function runVariants(seeded: SeededDatabase, audience: string, roles: string[]): Promise<ReadFigures> {
  const viewer = seeded.agencies[0]!;
  const childEnv = {
    [ENV.databaseUrl]: seeded.url,
    [ENV.pseudonymKey]: seeded.pseudonymKey,
    [ENV.viewerCode]: viewer.code,
    [ENV.poolSize]: String(positive('pool')),
    [ENV.audience]: audience,
  };
  const densBody = graphqlBody(DENS_QUERY, seeded.operationCode);
  const summaryBody = graphqlBody(SUMMARY_QUERY, seeded.operationCode);
  const meBody = JSON.stringify({ query: ME_QUERY });
  const oneToken = async () => (await TokenPool.mint(viewer, audience, 1)).take()!;
  const profiles: Record<string, ProfileSummary & { requests: number }> = {};
  const base = { database: seeded.name, settings };

  type ServerFile = 'raw.ts' | 'raw-js.ts' | 'raw-auth.ts' | 'postgraphile.ts' | 'gateway.ts';
  const started: ServerChild[] = [];
  const start = async (name: string, file: ServerFile, env: Record<string, string>) => {
    const server = await startServerChild({ name, file, env: { ...childEnv, ...env } });
    started.push(server);
    log(`\n[${name}] pid ${server.pid} on ${server.url}`);
    return server;
  };
  const report = (id: VariantId, m: Measurement, round?: number) => {
    log(`  ${round === undefined ? '' : `round ${round}: `}${id}: ${m.rps.toFixed(1)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, ${m.serverCpuMs.toFixed(2)} ms server CPU/req` +
      (m.bad ? `, ${m.bad} BAD responses, the first: ${m.firstBad ?? '(no answer)'}` : ''));
    return m;
  };
  const profiled = async (server: ServerChild, key: string, expectedLength: number, auth?: Parameters<typeof measure>[0]['auth']) => {
    await mkdir(resultsDir, { recursive: true });
    const file = `${resultsDir}${key}.cpuprofile`;
    const m = await measure({ ...base, server, body: densBody, expectedLength, ...(auth ? { auth } : {}), around: (w) => server.profile(file, w) });
    profiles[key] = { ...(await summarizeProfile(file)), requests: m.requests };
    log(`  profiled ${key}: ${m.rps.toFixed(1)} req/s under the profiler; profile in ${file}`);
  };

  try {
    // Every server is started and its answer checked first; then each ratio's variants are
    // measured once per round, one after the other, so that a slow minute of the machine falls
    // on every variant of a round alike (a raw baseline measured minutes before the gateway moved
    // the ratio by a third between runs of the same code).
    // (b) raw baselines: the first one's answer is the reference every other variant must equal.
    const raw = await start('raw, PostgreSQL builds the JSON', 'raw.ts', {});
    const rawAnswer = await post(raw.url, densBody);
    const baseline: { facts: DensFacts; length: number } = { facts: checkDensAnswer('raw', rawAnswer), length: rawAnswer.length };
    log(`  verified: ${baseline.facts.dens} dens, ${baseline.facts.suspects} suspects, ${baseline.facts.funds} funds, ${rawAnswer.length} bytes`);

    const rawJs = await start('raw, 3 queries + JSON in JS', 'raw-js.ts', {});
    const rawJsAnswer = await post(rawJs.url, densBody);
    checkDensAnswer('raw-js', rawJsAnswer, baseline.facts);
    log(`  verified: the same data as the first raw baseline (${rawJsAnswer.length} bytes)`);

    const role = await preparePostgraphile(seeded.url);
    roles.push(role);
    const pgBody = postgraphileBody(seeded.operationId);
    const postgraphile = await start('PostGraphile 4', 'postgraphile.ts', { [ENV.postgraphileRole]: role });
    const pgAnswer = await post(postgraphile.url, pgBody);
    checkDensAnswer('PostGraphile', postgraphileAsGateway(pgAnswer), baseline.facts);
    log(`  verified: the same data as the raw baseline, in PostGraphile's schema (${pgAnswer.length} bytes)`);

    const gateway = await start('gateway (auth+audit)', 'gateway.ts', { [ENV.gatewayMode]: 'full' });
    const answer = await post(gateway.url, densBody, await oneToken());
    checkDensAnswer('gateway', answer, baseline.facts);
    if (answer.length !== baseline.length) log(`  note: gateway body ${answer.length} bytes, raw ${baseline.length} bytes (same data)`);
    const summary = await post(gateway.url, summaryBody, await oneToken());
    const summaryData = checkSummaryAnswer('gateway', summary, { dens: seeded.counts.dens, funds: seeded.counts.funds });
    const me = await post(gateway.url, meBody, await oneToken());
    checkMeAnswer('gateway', me, viewer.code);
    log(`  verified (b) equals the raw answer; (me) ${viewer.code}; (a) summary ${JSON.stringify(summaryData).slice(0, 160)}…`);

    const noauth = await start('gateway (no auth/audit)', 'gateway.ts', { [ENV.gatewayMode]: 'noauth' });
    const fixedAnswer = await post(noauth.url, densBody);
    checkDensAnswer('gateway no-auth', fixedAnswer, baseline.facts);
    log('  verified (b) equals the raw answer');

    const rawAuth = await start('raw auth handler (me)', 'raw-auth.ts', {});
    const token = await oneToken();
    const rawMe = await post(rawAuth.url, meBody, token);
    checkMeAnswer('raw auth', rawMe, viewer.code);
    const reused = await post(rawAuth.url, meBody, token);
    if (reused.status !== 401) throw new Error(`raw auth: a reused token answered ${reused.status}, expected 401`);
    log(`  verified: (me) ${viewer.code}; a reused token is refused`);

    // The tokens the gateway's (b) window needs are minted for a guess of its rate: the best raw's so far.
    let guessRps = 200;
    const auth = (rate: number) => ({ agency: viewer, audience, guessRps: rate });
    const variants: { id: VariantId; run: () => Promise<Measurement> }[] = [
      { id: 'raw-b', run: () => measure({ ...base, server: raw, body: densBody, expectedLength: baseline.length }) },
      { id: 'raw-js-b', run: () => measure({ ...base, server: rawJs, body: densBody, expectedLength: rawJsAnswer.length }) },
      { id: 'postgraphile-b', run: () => measure({ ...base, server: postgraphile, body: pgBody, expectedLength: pgAnswer.length }) },
      { id: 'gateway-b', run: () => measure({ ...base, server: gateway, body: densBody, expectedLength: answer.length, auth: auth(guessRps) }) },
      // Right after the gateway with auth: their difference is the auth+audit cost.
      { id: 'noauth-b', run: () => measure({ ...base, server: noauth, body: densBody, expectedLength: fixedAnswer.length }) },
      { id: 'gateway-me', run: () => measure({ ...base, server: gateway, body: meBody, expectedLength: me.length, auth: auth(1_000) }) },
      { id: 'raw-auth-me', run: () => measure({ ...base, server: rawAuth, body: meBody, expectedLength: rawMe.length, auth: auth(2_000) }) },
    ];
    const rounds: Partial<Record<VariantId, Measurement>>[] = [];
    for (let round = 1; round <= roundCount; round += 1) {
      log(`\nround ${round} of ${roundCount}`);
      const measured: Partial<Record<VariantId, Measurement>> = {};
      for (const variant of variants) {
        measured[variant.id] = report(variant.id, await variant.run(), round);
        if (variant.id === 'raw-js-b') guessRps = Math.max(guessRps, measured['raw-b']?.rps ?? 0, measured['raw-js-b']?.rps ?? 0);
      }
      rounds.push(measured);
    }

    // (a) the summary: its targets are latencies, not ratios, so one window each.
    const summaryAuth = auth(200);
    const once: Partial<Record<VariantId, Measurement>> = {};
    once['gateway-a'] = report('gateway-a', await measure({ ...base, server: gateway, body: summaryBody, expectedLength: summary.length, auth: summaryAuth }));
    const oneConnection = { ...base, settings: { ...settings, connections: 1 } };
    once['gateway-a1'] = report('gateway-a1', await measure({ ...oneConnection, server: gateway, body: summaryBody, expectedLength: summary.length, auth: summaryAuth }));
    if (args.profile) {
      await profiled(noauth, 'noauth-b', fixedAnswer.length);
      await profiled(gateway, 'gateway-b', answer.length, auth(guessRps));
    }

    // Each variant's row is its median round (by req/s); each ratio is the median of the rounds' ratios.
    const results: Partial<Record<VariantId, Measurement>> = { ...once };
    for (const { id } of variants) results[id] = medianBy(rounds.map((r) => r[id]!), (m) => m.rps);
    const perRound = rounds.map((r) => ratiosOf({ ...r, ...once }));
    const ratios = medianRatios(perRound, ratiosOf(results).bestRaw);
    log(`\n${formatTable(results)}\n\n${formatRoundRatios(perRound)}\n\n${formatRatios(ratios, results)}\n`);
    log(formatStatements(results));
    for (const [name, summary] of Object.entries(profiles)) log(`\nprofile ${name}: ${formatProfile(summary, summary.requests)}`);
    return { shape, counts: seeded.counts, seedSeconds: seeded.seedSeconds, settings, rounds: roundCount, results, perRound, ratios, profiles };
  } finally {
    for (const server of started.reverse()) await server.stop();
  }
}

/** The middle item by `key` (of an even count, the lower middle: a measured row, not a blend). */
function medianBy<T>(items: readonly T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Each ratio's median over the rounds (of an even count, the mean of the two middle ones). */
function medianRatios(perRound: readonly Ratios[], bestRaw: Ratios['bestRaw']): Ratios {
  const median = (key: Exclude<keyof Ratios, 'bestRaw'>): number | null => {
    const values = perRound.map((r) => r[key]).filter((v): v is number => v !== null).sort((a, b) => a - b);
    if (!values.length) return null;
    const mid = values.length / 2;
    return Number.isInteger(mid) ? (values[mid - 1]! + values[mid]!) / 2 : values[Math.floor(mid)]!;
  };
  const keys = Object.keys(ratiosOf({})).filter((key): key is Exclude<keyof Ratios, 'bestRaw'> => key !== 'bestRaw');
  return { ...(Object.fromEntries(keys.map((key) => [key, median(key)])) as Omit<Ratios, 'bestRaw'>), bestRaw };
}

/** One line per round: its ratios, so that the spread behind each median is in the output. */
function formatRoundRatios(perRound: readonly Ratios[]): string {
  const x = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(2)}x`);
  return perRound
    .map((r, i) =>
      `round ${i + 1}: gateway / best raw ${x(r.gatewayOverBestRaw)} (best raw ${r.bestRaw ?? 'n/a'}), gateway / PostGraphile ${x(r.gatewayOverPostgraphile)}, ` +
      `gateway CPU ${r.gatewayCpuMs?.toFixed(2) ?? 'n/a'} ms, p99 ${x(r.p99OverBestRaw)}, me ${x(r.meOverRaw)}, ` +
      `auth+audit ${r.authAuditCost === null ? 'n/a' : `${(r.authAuditCost * 100).toFixed(1)}%`}`,
    )
    .join('\n');
}

/** Writes bench/results/<timestamp>.json (git-ignored) with the figures of this run. */
async function writeResults(read: ReadFigures | null, ingest: IngestBenchResult | null, verdicts: ReturnType<typeof readVerdicts>): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const at = new Date();
  const file = `${resultsDir}${at.toISOString().replace(/[:.]/g, '-')}.json`;
  const figures = { at: at.toISOString(), node: process.version, part: args.part, targets: TARGETS, read, ingest, verdicts };
  await writeFile(file, `${JSON.stringify(figures, null, 2)}\n`);
  return file;
}

/** The parts chosen with --part, one after the other (each cleans up after itself). */
async function runParts(): Promise<void> {
  if (args.part === 'isolation' || args.part === 'soak' || args.part === 'match') {
    const run = { isolation: () => runIsolationBench(isolationOptionsFrom(args), log), soak: () => runSoakBench(soakOptionsFrom(args), log), match: () => runMatchBench(matchOptionsFrom(args), log) };
    await run[args.part]();
    await stopAllChildren();
    return;
  }
  const read = args.part !== 'ingest' ? await main() : null;
  const ingest = args.part !== 'read' ? await runIngestBench(ingestOptionsFrom(args), log) : null;
  const verdicts = [...readVerdicts(read?.ratios ?? null), ...ingestVerdicts(ingest)];
  log(`\nverdicts of this run (issue 11 targets):\n${formatVerdicts(verdicts)}`);
  log(`\nwrote ${await writeResults(read, ingest, verdicts)}`);
}

process.on('exit', killAllChildrenNow);
process.on('exit', killIngestChildrenNow);
runParts().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
