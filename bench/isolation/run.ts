// `npm run bench -- --part isolation`: can one partner harm another? Agency A reads at a fixed
// rate while agency B, in turn: (a) holds 10 slow uploads open, (b) floods at 10× its request
// limit, (c) uploads a 48 MiB umf-xml file, (d) sends costly nested queries back to back. Each
// case is measured against A alone in the same run, on PostgreSQL (a fresh database) and on
// the embedded PGlite (a fresh data directory). B acts under its own agency code in each case
// (CN-MPS uploads, VN-MPS floods, TH-RTP sends the costly queries), each with the same limits,
// so a case starts with B's whole allowance. Target: A's p99 within 1.5× of its solo p99,
// and no 5xx for A. Prints one table per database and writes bench/results/isolation.json.
// A window is 60 s by default (1,200 of A's requests): over 15 s, A's p99 was its 3rd slowest
// answer of 300, and one stall of this machine's disk landing in one window and not in the
// other decided a verdict. The big upload's window closes when the upload is answered.
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAgencyKeyPair, type AgencyKeyPair } from '../../api/auth/keys.ts';
import { loadConfig } from '../../kernel/config.ts';
import { MAX_RECORDS } from '../../ingest/pipeline.ts';
import { bytesPerRecord, generateFile } from '../ingest/generate.ts';
import { startServerChild, type ServerChild } from '../lib/children.ts';
import { benchServerUrl, createBenchDatabase } from '../lib/database.ts';
import { TokenPool } from '../lib/load.ts';
import { formatProfile, summarizeProfile } from '../lib/profile.ts';
import type { Pauses } from '../lib/protocol.ts';
import { formatServerActivity, sampleActivity, type ActivitySummary } from '../lib/pg-activity.ts';
import { READ_QUERY } from '../lib/queries.ts';
import { post } from '../lib/verify.ts';
import { AGENCY_A, AGENCY_B, AGENCY_B_COSTLY, AGENCY_B_FLOOD, OPERATION_CODE, SETUP_ENV, type IsolationSetup } from './setup.ts';

const AGENCIES = [AGENCY_A, AGENCY_B, AGENCY_B_FLOOD, AGENCY_B_COSTLY];
import { backgroundLoad, uploadFile, graphqlLoad, slowUploads, type ReadSample, type StatusCounts, type UploadResult } from './pressure.ts';

export type IsolationOptions = {
  databases: ('postgres' | 'pglite')[];
  /** A's measured window per case, seconds. */
  seconds: number;
  /** A's fixed rate, requests per second. */
  rate: number;
  /** B's request limit per minute, as the operator sets it for this run. */
  limitPerMinute: number;
  uploadMiB: number;
  /** The cases over whose A window the gateway's main thread is profiled (V8), each summarised after its row. */
  profile: PressureCase[];
  /** The pressure cases run (all by default); A alone is measured before and after them in any case. */
  cases: PressureCase[];
};

export const ISOLATION_ARG_OPTIONS = {
  'isolation-db': { type: 'string', default: 'postgres,pglite' },
  'isolation-seconds': { type: 'string', default: '60' },
  'isolation-rate': { type: 'string', default: '20' },
  'isolation-limit': { type: 'string', default: '600' },
  'isolation-upload-mib': { type: 'string', default: '48' },
  /** `--isolation-profile flood,costly-queries`: V8 profiles of the gateway over A's window of those cases. */
  'isolation-profile': { type: 'string', default: '' },
  /** `--isolation-cases flood`: only these pressure cases (to look at one closely; the report says which ran). */
  'isolation-cases': { type: 'string', default: 'slow-uploads,flood,big-upload,costly-queries' },
} as const;

export function isolationOptionsFrom(args: Record<string, unknown>): IsolationOptions {
  const positive = (name: keyof typeof ISOLATION_ARG_OPTIONS) => {
    const n = Number(args[name]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  const databases = String(args['isolation-db']).split(',').map((d) => d.trim());
  for (const d of databases) if (d !== 'postgres' && d !== 'pglite') throw new Error('--isolation-db: postgres, pglite or both');
  return {
    databases: databases as IsolationOptions['databases'],
    seconds: positive('isolation-seconds'),
    rate: positive('isolation-rate'),
    limitPerMinute: positive('isolation-limit'),
    uploadMiB: positive('isolation-upload-mib'),
    profile: caseList('isolation-profile', String(args['isolation-profile'] ?? '')),
    cases: caseList('isolation-cases', String(args['isolation-cases'] ?? PRESSURE_CASES.join(','))),
  };
}


const PRESSURE_CASES = ['slow-uploads', 'flood', 'big-upload', 'costly-queries'] as const;
type PressureCase = (typeof PRESSURE_CASES)[number];

function caseList(option: string, list: string): PressureCase[] {
  const names = list.split(',').map((n) => n.trim()).filter(Boolean);
  for (const n of names) {
    if (!(PRESSURE_CASES as readonly string[]).includes(n)) throw new Error(`--${option}: one or more of ${PRESSURE_CASES.join(', ')}`);
  }
  return names as PressureCase[];
}

/** The review's costly query: 10 aliases × 100 suspects × three per-item relations. */
const COSTLY = `{ ${Array.from({ length: 10 }, (_, i) =>
  `a${i}: suspects(first: 100) { edges { node { den { id } operation { code } alsoReportedBy { code } } } }`).join(' ')} }`;

type CaseId = 'solo' | 'slow-uploads' | 'flood' | 'big-upload' | 'costly-queries' | 'solo-after';
/** A's window: its answers, the gateway's pauses meanwhile and, on PostgreSQL, the backends' waits. */
type Window = { a: ReadSample; gateway: Pauses; database?: ActivitySummary };
type CaseResult = Window & { b: StatusCounts | UploadResult; note: string };
export type DatabaseResult = { database: 'postgres' | 'pglite'; cases: Partial<Record<CaseId, CaseResult>>; verdict: Verdict[] };
type Verdict = { case: CaseId; ratio: number; fiveXx: number; met: boolean };

const TARGET_RATIO = 1.5;
const RECORDS = { dens: 2_000, suspects: 10_000, funds: 10_000, seed: 20220611 };
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The limits as an operator would set them for this run: defaults high enough for A's steady
 * 20 req/s read (about 25 cost points each), and B held to `--isolation-limit` requests and the
 * shipped default of 30,000 cost points per minute by its own override (`liaison agency limits`).
 */
const GATEWAY_SETTINGS = { LIAISON_RATE_REQUESTS_PER_MINUTE: '6000', LIAISON_RATE_COST_PER_MINUTE: '1000000' };
const limitsOf = (o: IsolationOptions) =>
  Object.fromEntries(AGENCIES.slice(1).map((b) => [b.code, { requestsPerMinute: o.limitPerMinute, costPerMinute: 30_000 }]));

async function runOneDatabase(kind: 'postgres' | 'pglite', o: IsolationOptions, keys: Record<string, AgencyKeyPair>, bigFile: { path: string; bytes: number } | undefined, log: (m: string) => void): Promise<DatabaseResult> {
  const audience = loadConfig({}).audience;
  const pseudonymKey = randomBytes(32).toString('hex');
  const pg = kind === 'postgres' ? await createBenchDatabase(benchServerUrl()) : undefined;
  const dataDir = kind === 'pglite' ? await mkdtemp(join(tmpdir(), 'liaison-isolation-')) : undefined;
  const setup: IsolationSetup = {
    database: pg ? { url: pg.url } : { dataDir: join(dataDir!, 'data') },
    agencies: AGENCIES,
    pseudonymKey,
    jwks: Object.fromEntries(Object.entries(keys).map(([code, k]) => [code, k.jwks])),
    records: RECORDS,
    settings: GATEWAY_SETTINGS,
    limits: limitsOf(o),
  };
  const a = { code: AGENCY_A.code, keys: keys[AGENCY_A.code]! };
  const pressure = (agency: { code: string }) => ({ code: agency.code, keys: keys[agency.code]! });
  const b = pressure(AGENCY_B);
  let server: ServerChild | undefined;
  const cases: DatabaseResult['cases'] = {};
  try {
    server = await startServerChild({ name: `gateway (${kind})`, file: 'service.ts', env: { [SETUP_ENV]: JSON.stringify(setup) } });
    const url = server.url;
    log(`\n[isolation, ${kind}] gateway pid ${server.pid} on ${url}; ${RECORDS.dens} dens, ${RECORDS.suspects} suspects, ${RECORDS.funds} funds`);
    const readBody = JSON.stringify({ query: READ_QUERY, variables: { code: OPERATION_CODE } });
    const check = await post(url, readBody, (await TokenPool.mint(a, audience, 1)).take()!);
    if (check.status !== 200 || check.text.includes('"errors"') || !check.text.includes('"scamDens"')) {
      throw new Error(`A's read failed: ${check.status} ${check.text.slice(0, 300)}`);
    }

    // A's measured window, with the gateway's main-thread pauses over that window only and, on
    // PostgreSQL, what its backends waited on meanwhile.
    const measure = async (until?: Promise<unknown>): Promise<Window> => {
      const tokens = await TokenPool.mint(a, audience, Math.ceil(o.rate * o.seconds * 1.3) + 50);
      await server!.mark();
      const activity = pg ? await sampleActivity(benchServerUrl(), pg.name) : undefined;
      const sample = await graphqlLoad({ url, body: readBody, seconds: o.seconds, rate: o.rate, tokens, ...(until ? { until } : {}) });
      const database = await activity?.stop();
      return { a: sample, gateway: (await server!.mark()).pauses, ...(database ? { database } : {}) };
    };
    /** A's window under a case, with a V8 profile of the gateway over it when `--isolation-profile` names the case. */
    const profiles = new Map<CaseId, string>();
    const measureA = async (id?: PressureCase, until?: Promise<unknown>): Promise<Window> => {
      if (!id || !o.profile.includes(id)) return measure(until);
      const profileFile = join(resultsDir, `isolation-${id}-${kind}.cpuprofile`);
      const window = await server!.profile(profileFile, () => measure(until));
      profiles.set(id, `  gateway main thread over A's ${id} window (${profileFile}):\n${formatProfile(await summarizeProfile(profileFile), window.a.requests)}`);
      return window;
    };
    const record = (id: CaseId, window: Window, b: CaseResult['b'], note: string) => {
      const result: CaseResult = { ...window, b, note };
      cases[id] = result;
      const { gateway, database } = result;
      const s = result.a;
      const ms = (n: number) => n.toFixed(0);
      log(`  ${id.padEnd(15)} A: p50 ${s.p50} ms, p99 ${s.p99} ms, max ${s.max} ms, ${s.good}/${s.requests} good over ${s.windowS} s, statuses ${JSON.stringify(s.statuses)}` +
        `\n  ${''.padEnd(15)} A's slowest: ${s.slowest.map((x) => `${x.ms} ms at ${x.atS} s`).join(', ')}` +
        `\n  ${''.padEnd(15)} gateway main thread: event-loop delay p99 ${ms(gateway.loopDelayMs.p99)} ms, max ${ms(gateway.loopDelayMs.max)} ms; GC ${gateway.gc.count} pauses, ${ms(gateway.gc.totalMs)} ms in all, longest ${ms(gateway.gc.maxMs)} ms ${JSON.stringify(Object.fromEntries(Object.entries(gateway.gc.byKind).map(([k, v]) => [k, `${v.count}×, max ${ms(v.maxMs)} ms`])))}` +
        (database
          ? `\n  ${''.padEnd(15)} PostgreSQL (${database.samples} samples): ${Object.entries(database.waits).sort((x, y) => y[1] - x[1]).slice(0, 6).map(([k, n]) => `${k} ${n}`).join(', ')}` +
            database.longest.slice(0, 3).map((q) => `\n  ${''.padEnd(17)} ${q.ms} ms ${q.state} ${q.wait}: ${q.query}`).join('') +
            `\n  ${''.padEnd(15)} ${formatServerActivity(database)}`
          : '') +
        `\n  ${''.padEnd(15)} B: ${JSON.stringify(result.b)}${result.note ? ` (${result.note})` : ''}`);
      const profile = profiles.get(id);
      if (profile) log(profile);
    };
    const settle = () => sleep(2_000);

    await graphqlLoad({ url, body: readBody, seconds: 3, rate: o.rate, tokens: await TokenPool.mint(a, audience, o.rate * 4 + 20) }); // warm-up
    record('solo', await measureA(), {}, 'B idle');
    await settle();

    if (o.cases.includes('slow-uploads')) {
      const uploads = slowUploads({ url, tokens: await TokenPool.mint(b, audience, 10, 'records:submit'), n: 10, operation: OPERATION_CODE });
      await sleep(1_000);
      const duringUploads = await measureA('slow-uploads');
      record('slow-uploads', duringUploads, await uploads.stop(), '10 chunked uploads, 1 byte/s; statuses B got');
      await settle();
    }

    if (o.cases.includes('flood')) {
      const floodRate = Math.ceil((10 * o.limitPerMinute) / 60);
      const floodSeconds = o.seconds + 2;
      const flood = await backgroundLoad({ url, body: readBody, seconds: floodSeconds, rate: floodRate, tokens: await TokenPool.mint(pressure(AGENCY_B_FLOOD), audience, floodRate * floodSeconds + 50) });
      await sleep(1_000);
      const duringFlood = await measureA('flood');
      record('flood', duringFlood, await flood.stop(), `B at ${floodRate} req/s = 10× its limit of ${o.limitPerMinute}/min`);
      await settle();
    }

    if (bigFile) {
      const upload = uploadFile({ url, token: (await TokenPool.mint(b, audience, 1, 'records:submit')).take()!, file: bigFile.path, bytes: bigFile.bytes, format: 'umf-xml', contentType: 'application/xml', operation: OPERATION_CODE });
      await sleep(1_000);
      // A's window closes when the upload is answered: after that, A would be measured alone.
      const duringUpload = await measureA('big-upload', upload);
      const uploaded = await upload;
      record('big-upload', duringUpload, uploaded, `${(bigFile.bytes / 1048576).toFixed(1)} MiB umf-xml, answered after ${uploaded.seconds.toFixed(1)} s`);
      await settle();
    }

    // Refused and held (ISO-36), B's back-to-back workers sent 180 requests in 17 s: 400 tokens a
    // second last the window (3,000 once lasted 5 s of A's 15). B's note says how long it lasted.
    if (o.cases.includes('costly-queries')) {
      const costlySeconds = o.seconds + 2;
      const costly = await backgroundLoad({ url, body: JSON.stringify({ query: COSTLY }), seconds: costlySeconds, workers: 4, tokens: await TokenPool.mint(pressure(AGENCY_B_COSTLY), audience, 400 * costlySeconds) });
      await sleep(1_000);
      const duringCostly = await measureA('costly-queries');
      record('costly-queries', duringCostly, await costly.stop(), '4 workers back to back, 10 aliases × suspects(first:100){den operation alsoReportedBy}');
      await settle();
    }

    record('solo-after', await measureA(), {}, 'B idle again (drift check)');
  } finally {
    await server?.stop();
    await pg?.drop().catch((error: unknown) => log(`could not drop ${pg.name}: ${String(error)}`));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
  const soloP99 = cases.solo!.a.p99;
  const verdict: Verdict[] = PRESSURE_CASES
    .filter((id) => cases[id])
    .map((id) => {
      const s = cases[id]!.a;
      const fiveXx = Object.entries(s.statuses).filter(([code]) => code.startsWith('5')).reduce((n, [, c]) => n + c, 0);
      const ratio = s.p99 / Math.max(1, soloP99);
      return { case: id, ratio, fiveXx, met: ratio <= TARGET_RATIO && fiveXx === 0 && s.good === s.requests };
    });
  return { database: kind, cases, verdict };
}

function formatVerdicts(results: DatabaseResult[]): string {
  const lines = ['isolation: A\'s p99 under B\'s pressure / A\'s solo p99 in the same run (target ≤ 1.5×, no 5xx, every answer good)'];
  for (const r of results) {
    const solo = r.cases.solo!.a;
    lines.push(`  ${r.database}: solo p50 ${solo.p50} ms, p99 ${solo.p99} ms; after ${r.cases['solo-after']?.a.p99 ?? '?'} ms`);
    for (const v of r.verdict) {
      const s = r.cases[v.case]!.a;
      lines.push(`    ${v.case.padEnd(15)} p50 ${String(s.p50).padStart(5)} ms  p99 ${String(s.p99).padStart(5)} ms  = ${v.ratio.toFixed(2)}×  5xx ${v.fiveXx}  good ${s.good}/${s.requests}  ${v.met ? 'MET' : 'MISSED'}`);
    }
  }
  return lines.join('\n');
}

export async function runIsolationBench(o: IsolationOptions, log: (m: string) => void): Promise<void> {
  log(`isolation bench: A reads at ${o.rate} req/s for ${o.seconds} s per case; B's limit ${o.limitPerMinute} req/min; databases ${o.databases.join(', ')}`);
  const keys: Record<string, AgencyKeyPair> = {};
  for (const agency of AGENCIES) keys[agency.code] = await generateAgencyKeyPair({ kid: `${agency.code.toLowerCase()}-isolation` });
  const dir = await mkdtemp(join(tmpdir(), 'liaison-isolation-files-'));
  try {
    let bigFile: { path: string; bytes: number } | undefined;
    if (o.cases.includes('big-upload')) {
      const base = { format: 'umf-xml' as const, agencyCode: AGENCY_B.code, operationCode: OPERATION_CODE, seed: 7 };
      const perRecord = await bytesPerRecord(dir, base);
      const path = join(dir, 'big.xml');
      // As many records as fit the size, but no more than one submission may hold (else it is refused as too large).
      const bytes = await generateFile(path, { ...base, count: Math.min(MAX_RECORDS, Math.floor((o.uploadMiB * 1048576) / perRecord)) });
      log(`generated ${path}: ${(bytes / 1048576).toFixed(1)} MiB umf-xml`);
      bigFile = { path, bytes };
    }
    const results: DatabaseResult[] = [];
    for (const kind of o.databases) results.push(await runOneDatabase(kind, o, keys, bigFile, log));
    log(`\n${formatVerdicts(results)}`);
    await mkdir(resultsDir, { recursive: true });
    const file = `${resultsDir}isolation.json`;
    await writeFile(file, `${JSON.stringify({ at: new Date().toISOString(), node: process.version, options: o, records: RECORDS, results }, null, 2)}\n`);
    log(`wrote ${file}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
