// The ingest part of `npm run bench` (also `npx tsx bench/ingest/run.ts` alone): how fast the
// real ingestSubmission stores partner files, next to COPY of the same rows, and how much
// memory the gateway process needs for it.
//
//   1. Generates one file of N records (default 100,000) per format in a temp dir
//      (bench/ingest/generate.ts: one suspect with a passport and a phone each), plus two
//      liaison-json files of about 5 MB and 50 MB for the memory runs.
//   2. PostgreSQL (DATABASE_URL's server, else the local one): two fresh uniquely named
//      databases, A for the pipeline and B for COPY. A gateway child (bench/ingest/child.ts)
//      submits each file into A, then resubmits it unchanged (same records; the mode differs
//      so that the content is not answered as a replay and the unchanged rows are skipped
//      and committed). Then the rows the pipeline stored (suspect + 2 selectors each) are
//      exported from A and loaded with COPY … FROM STDIN into B's empty tables: the limit.
//   3. PGlite (a temp-dir database of a child of its own): liaison-json and es-pn-csv.
//   4. Peak RSS (process.resourceUsage().maxRSS, from the first submission on where the kernel
//      lets the child reset it) of a gateway child that ingests the 5 MB file and of one that
//      ingests the 50 MB file, on PostgreSQL and on PGlite.
//   5. V8 CPU profiles of the child over one liaison-json submission on PostgreSQL, its main
//      thread and its ingest worker (where the file is parsed, mapped and pseudonymized) each
//      split into pipeline stages (bench/ingest/profile.ts).
// Prints the tables with MET/MISSED per target and the load average, writes
// bench/results/ingest-latest.json. Children, databases and files are removed at the end,
// also after a failure or Ctrl-C.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../kernel/db.ts';
import { MAX_RECORDS } from '../../ingest/pipeline.ts';
import { benchServerUrl, createBenchDatabase } from '../lib/database.ts';
import { compiledBenchFile, DEPLOYED_ENV } from '../lib/children.ts';
import { copyReferencedTables, exportOwnerRows, timedCopy } from './copy.ts';
import { BENCH_FORMATS, bytesPerRecord, generateFile, selfCheck, type BenchFormat } from './generate.ts';
import { formatStages, summarizeStages, type StageSummary } from './profile.ts';
import {
  formatRss,
  formatThroughput,
  INGEST_TARGETS,
  rssVerdicts,
  throughputVerdict,
  type RssRow,
  type ThroughputRow,
} from './report.ts';
import { formatAgency, JOB_ENV, OPERATION_CODE, setupIngestDatabase, type IngestChildResult, type IngestJob, type SubmissionJob, type SubmissionRun } from './setup.ts';

export type IngestBenchOptions = {
  records: number;
  seed: number;
  formats: readonly BenchFormat[];
  pgliteFormats: readonly BenchFormat[];
  rssSizesMb: readonly number[];
  rssDatabases: readonly ('PostgreSQL' | 'PGlite')[];
  profile: boolean;
};

export const DEFAULT_INGEST_OPTIONS: IngestBenchOptions = {
  records: 100_000,
  seed: 20220611,
  formats: BENCH_FORMATS,
  pgliteFormats: ['liaison-json', 'es-pn-csv'],
  rssSizesMb: [5, 50],
  rssDatabases: ['PostgreSQL', 'PGlite'],
  profile: true,
};

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
/** One child's whole job (10 submissions of 100,000 records at most): only catches a hang. */
const CHILD_TIMEOUT_MS = 8 * 60_000;
const RSS_FORMAT: BenchFormat = 'liaison-json';
const MB = 1_000_000;

const live = new Set<ChildProcess>();

/** Last resort on a synchronous exit path: signal the ingest children still running. */
export function killIngestChildrenNow(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

async function runChild(name: string, job: IngestJob, log: (m: string) => void): Promise<IngestChildResult> {
  // Compiled, as deployed (bench/lib/children.ts).
  const child = fork(await compiledBenchFile('ingest/child.ts'), [], {
    execArgv: [],
    // As deployed (the allocator's arenas change its peak memory), plus the job.
    env: { ...process.env, ...DEPLOYED_ENV, [JOB_ENV]: JSON.stringify(job) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(child);
  log(`  [${name}] child pid ${child.pid}`);
  try {
    return await new Promise<IngestChildResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no result within ${CHILD_TIMEOUT_MS / 60_000} min`)), CHILD_TIMEOUT_MS);
      child.on('message', (raw) => {
        const message = raw as { type: 'result'; result: IngestChildResult } | { type: 'error'; message: string };
        clearTimeout(timer);
        if (message.type === 'result') resolve(message.result);
        else reject(new Error(`${name} failed: ${message.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited without a result (code ${code}, signal ${signal})`));
      });
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(kill);
    }
    live.delete(child);
  }
}

/** What a run must have stored for its numbers to mean anything; a failed check is printed in the row. */
function checkRun(run: SubmissionRun, records: number, resubmit: boolean): string {
  const c = run.counts;
  const problems: string[] = [];
  if (run.status !== 201 || run.replayed) problems.push(`status ${run.status}${run.replayed ? ' replayed' : ''}`);
  if (c.received !== records) problems.push(`received ${c.received}`);
  if (resubmit ? c.unchanged !== records : c.accepted !== records) problems.push(`accepted ${c.accepted}, unchanged ${c.unchanged}`);
  if (c.rejected > 0 || run.issues > 0) problems.push(`${c.rejected} rejected, ${run.issues} issues`);
  return problems.length ? `CHECK FAILED: ${problems.join('; ')}` : '';
}

const loadAverage = () => loadavg().map((l) => l.toFixed(2)).join(', ');

export type IngestBenchResult = {
  throughput: ThroughputRow[];
  rss: RssRow[];
  /** The profiled submission's main thread. */
  profile: StageSummary | null;
  /** The same submission's ingest workers. */
  workerProfiles: StageSummary[];
  loadAverage: { start: string; end: string };
};

export async function runIngestBench(options: IngestBenchOptions, log: (m: string) => void): Promise<IngestBenchResult> {
  const started = performance.now();
  const loadStart = loadAverage();
  log(`\ningest bench: ${options.records} records per format (${options.formats.join(', ')}); load average ${loadStart} on this machine`);
  if (options.records > MAX_RECORDS) throw new Error(`--records is at most ${MAX_RECORDS} (the pipeline's cap per submission)`);
  selfCheck();

  const dir = await mkdtemp(join(tmpdir(), 'liaison-ingest-bench-'));
  const serverUrl = benchServerUrl();
  const databases: { drop(): Promise<void> }[] = [];
  let cleanedUp = false;
  const cleanup = async () => {
    if (cleanedUp) return;
    cleanedUp = true;
    killIngestChildrenNow();
    for (const db of databases) await db.drop().catch((error: unknown) => log(`could not drop a bench database: ${String(error)}`));
    await rm(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`\n${signal}: stopping ingest children, dropping databases, removing ${dir}`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    // 1. Files.
    const generated = performance.now();
    const files = new Map<BenchFormat, string>();
    const sizes = new Map<BenchFormat, number>();
    for (const [n, format] of options.formats.entries()) {
      const file = join(dir, `${format}.data`);
      // Each format's identifiers are its own: the formats go into one pipeline database, and
      // shared passports would make every record of each later format link to (and raise an
      // event for) the same person in every earlier one, a cost COPY does not pay and that
      // grew with the format's place in the list (PostgreSQL CPU 18 s for the first, 51 s for
      // the fifth, in the run of 2026-12-07 01:07).
      const firstIndex = n * options.records;
      sizes.set(format, await generateFile(file, { format, count: options.records, agencyCode: formatAgency(format), operationCode: OPERATION_CODE, seed: options.seed, firstIndex }));
      files.set(format, file);
    }
    const rssAgency = (db: string, size: number) => `${formatAgency(RSS_FORMAT)}-${db}${size}`;
    const rssFiles: { sizeMb: number; file: string; records: number; bytes: number }[] = [];
    const perRecord = await bytesPerRecord(dir, { format: RSS_FORMAT, agencyCode: 'X', operationCode: OPERATION_CODE, seed: options.seed, pretty: true });
    for (const sizeMb of options.rssSizesMb) {
      const records = Math.round((sizeMb * MB) / perRecord);
      if (records > MAX_RECORDS) throw new Error(`a ${sizeMb} MB ${RSS_FORMAT} file would hold ${records} records, over the cap of ${MAX_RECORDS}`);
      const file = join(dir, `rss-${sizeMb}mb.data`);
      const bytes = await generateFile(file, { format: RSS_FORMAT, count: records, agencyCode: 'X', operationCode: OPERATION_CODE, seed: options.seed, pretty: true });
      rssFiles.push({ sizeMb, file, records, bytes });
    }
    log(
      `  generated in ${((performance.now() - generated) / 1000).toFixed(1)} s: ` +
        [...sizes].map(([f, s]) => `${f} ${(s / MB).toFixed(1)} MB`).join(', ') +
        `; RSS files ${rssFiles.map((r) => `${(r.bytes / MB).toFixed(1)} MB (${r.records} records)`).join(', ')}`,
    );

    // 2. PostgreSQL: A for the pipeline, B for COPY.
    const pipelineDb = await createBenchDatabase(serverUrl);
    databases.push(pipelineDb);
    const copyDb = await createBenchDatabase(serverUrl);
    databases.push(copyDb);
    const profileAgency = `${formatAgency(RSS_FORMAT)}-PROF`;
    const codes = [
      ...options.formats.map((f) => formatAgency(f)),
      ...rssFiles.map((r) => rssAgency('PG', r.sizeMb)),
      ...(options.profile ? [profileAgency] : []),
    ];
    const setupA = await openDatabase({ databaseUrl: pipelineDb.url, poolSize: 2, statementTimeoutMs: 600_000 });
    const agencies = await setupIngestDatabase(setupA, codes).finally(() => setupA.close());
    const setupB = await openDatabase({ databaseUrl: copyDb.url, poolSize: 2, statementTimeoutMs: 600_000 });
    await setupB.migrate().finally(() => setupB.close());
    log(`  PostgreSQL at ${new URL(serverUrl).host}: pipeline database ${pipelineDb.name}, COPY database ${copyDb.name}`);

    const secrets = { pseudonymKey: randomBytes(32).toString('hex'), receiptSecret: randomBytes(32).toString('hex'), maxBytes: 64 * 1024 * 1024 };
    const pgDatabase = { url: pipelineDb.url, name: pipelineDb.name, agencies };
    const submissions: SubmissionJob[] = options.formats.flatMap((format) => [
      { label: 'pipeline', format, file: files.get(format)!, agencyCode: formatAgency(format), mode: 'PARTIAL' as const },
      { label: 'resubmit unchanged', format, file: files.get(format)!, agencyCode: formatAgency(format), mode: 'ATOMIC' as const },
    ]);
    const pg = await runChild('PostgreSQL pipeline', { ...secrets, database: pgDatabase, submissions }, log);

    await copyReferencedTables(pipelineDb.url, copyDb.url);
    const throughput: ThroughputRow[] = [];
    for (const format of options.formats) {
      const rows = await exportOwnerRows(pipelineDb.url, agencies[formatAgency(format)]!.id);
      const copySeconds = await timedCopy(copyDb.url, rows);
      const copyRps = rows.suspectCount / copySeconds;
      const copyNote =
        rows.suspectCount === options.records && rows.selectorCount === 2 * options.records
          ? `${rows.selectorCount} selectors`
          : `CHECK FAILED: ${rows.suspectCount} suspects, ${rows.selectorCount} selectors`;
      for (const run of pg.runs.filter((r) => r.format === format)) {
        const row = {
          format,
          database: 'PostgreSQL' as const,
          run: run.label as ThroughputRow['run'],
          records: run.counts.received,
          seconds: run.seconds,
          nodeCpuSeconds: run.nodeCpuSeconds,
          postgresCpuSeconds: run.postgresCpuSeconds,
          overCopy: run.counts.received / run.seconds / copyRps,
          note: checkRun(run, options.records, run.label !== 'pipeline'),
        };
        throughput.push({ ...row, verdict: throughputVerdict(row) });
      }
      throughput.push({
        format, database: 'PostgreSQL', run: 'COPY', records: rows.suspectCount, seconds: copySeconds,
        nodeCpuSeconds: null, postgresCpuSeconds: null, overCopy: null, verdict: '', note: copyNote,
      });
      log(
        `  ${format}: pipeline, resubmit and COPY done; main-thread event-loop delay p99/max ` +
          pg.runs.filter((r) => r.format === format).map((r) => `${r.label} ${r.eventLoopDelayMs.p99.toFixed(0)}/${r.eventLoopDelayMs.max.toFixed(0)} ms`).join(', '),
      );
    }

    // 3. PGlite.
    if (options.pgliteFormats.length > 0) {
      const pgliteJob: IngestJob = {
        ...secrets,
        database: { dataDir: join(dir, 'pglite-throughput'), agencyCodes: options.pgliteFormats.map((f) => formatAgency(f)) },
        submissions: options.pgliteFormats.map((format) => ({ label: 'pipeline', format, file: files.get(format)!, agencyCode: formatAgency(format), mode: 'PARTIAL' as const })),
      };
      const lite = await runChild('PGlite pipeline', pgliteJob, log);
      for (const r of lite.runs) log(`  PGlite ${r.format}: main-thread event-loop delay p99/max ${r.eventLoopDelayMs.p99.toFixed(0)}/${r.eventLoopDelayMs.max.toFixed(0)} ms`);
      for (const run of lite.runs) {
        const row = {
          format: run.format, database: 'PGlite' as const, run: 'pipeline' as const, records: run.counts.received, seconds: run.seconds,
          nodeCpuSeconds: run.nodeCpuSeconds, postgresCpuSeconds: null, overCopy: null, note: checkRun(run, options.records, false),
        };
        throughput.push({ ...row, verdict: throughputVerdict(row) });
      }
    }

    // The throughput figures now, so that a run stopped during the memory runs still shows them.
    log(`\n${formatThroughput(throughput)}\nload average ${loadAverage()}\n`);

    // 4. Peak RSS, one child per file.
    const rss: RssRow[] = [];
    for (const database of options.rssDatabases) {
      for (const r of rssFiles) {
        const code = rssAgency(database === 'PostgreSQL' ? 'PG' : 'LITE', r.sizeMb);
        const submission = { label: 'pipeline', format: RSS_FORMAT, file: r.file, agencyCode: code, mode: 'PARTIAL' as const };
        const job: IngestJob =
          database === 'PostgreSQL'
            ? { ...secrets, database: pgDatabase, submissions: [submission] }
            : { ...secrets, database: { dataDir: join(dir, `pglite-rss-${r.sizeMb}`), agencyCodes: [code] }, submissions: [submission] };
        const result = await runChild(`${database} RSS ${r.sizeMb} MB`, job, log);
        const run = result.runs[0]!;
        const check = checkRun(run, r.records, false);
        if (check) log(`  RSS run ${database} ${r.sizeMb} MB: ${check}`);
        if (!result.peakFromHere) log(`  RSS run ${database} ${r.sizeMb} MB: the peak could not be reset, so it covers the child's set-up too`);
        rss.push({
          database, format: RSS_FORMAT, fileMb: r.bytes / MB, records: run.counts.received, seconds: run.seconds,
          rssBeforeMb: result.rssBeforeMb, peakRssMb: result.maxRssMb, atPeak: result.atPeak, verdict: check,
        });
      }
    }
    rssVerdicts(rss);

    // 5. Where the time goes: a profiled liaison-json submission on PostgreSQL.
    let profile: StageSummary | null = null;
    let workerProfiles: StageSummary[] = [];
    if (options.profile) {
      await mkdir(RESULTS_DIR, { recursive: true });
      const profileFile = join(RESULTS_DIR, 'ingest-liaison-json.cpuprofile');
      const submission = { label: 'pipeline', format: RSS_FORMAT, file: files.get(RSS_FORMAT) ?? rssFiles.at(-1)!.file, agencyCode: profileAgency, mode: 'PARTIAL' as const };
      const profiled = await runChild('PostgreSQL profile', { ...secrets, database: pgDatabase, submissions: [submission], profileFile }, log);
      const run = profiled.runs[0]!;
      profile = await summarizeStages(profileFile);
      const workerFiles = (profiled.profileFiles ?? []).slice(1);
      workerProfiles = await Promise.all(workerFiles.map((file) => summarizeStages(file)));
      log(
        `\nprofile of one ${RSS_FORMAT} submission on PostgreSQL (${run.counts.received} records in ${run.seconds.toFixed(2)} s under the profiler, ` +
          `${(run.counts.received / run.seconds).toFixed(0)} records/s; PG backend CPU ${run.postgresCpuSeconds?.toFixed(2) ?? 'n/a'} s; ${profileFile}):\n` +
          [
            formatStages(profile, run.counts.received),
            ...workerProfiles.map((w, i) => formatStages(w, run.counts.received, `ingest worker ${i + 1} (${workerFiles[i]})`, 'waiting for the main thread to take its batches')),
          ].join('\n'),
      );
    }

    const loadEnd = loadAverage();
    log(`\n${formatThroughput(throughput)}\n\n${formatRss(rss)}\n`);
    log(
      `targets: PostgreSQL liaison-json/es-pn-csv >= ${INGEST_TARGETS.postgresRecordsPerSecond} records/s and >= ${INGEST_TARGETS.postgresOverCopy}x COPY; ` +
        `unchanged resubmit >= ${INGEST_TARGETS.resubmitOverCopy}x COPY; PGlite >= ${INGEST_TARGETS.pgliteRecordsPerSecond} records/s; ` +
        `peak RSS flat and < ${INGEST_TARGETS.rssMaxMb} MB on PostgreSQL, flat on PGlite.`,
    );
    log(`load average (1, 5, 15 min): ${loadStart} at the start, ${loadEnd} at the end (2 cores); ingest part took ${((performance.now() - started) / 1000).toFixed(0)} s`);

    const result: IngestBenchResult = { throughput, rss, profile, workerProfiles, loadAverage: { start: loadStart, end: loadEnd } };
    await mkdir(RESULTS_DIR, { recursive: true });
    await writeFile(
      join(RESULTS_DIR, 'ingest-latest.json'),
      `${JSON.stringify({ at: new Date().toISOString(), node: process.version, options, targets: INGEST_TARGETS, ...result }, null, 2)}\n`,
    );
    log(`wrote ${join(RESULTS_DIR, 'ingest-latest.json')}`);
    return result;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
    log(`ingest bench: databases dropped, ${dir} removed`);
  }
}

/** `--records`, `--formats` and `--no-profile` of the ingest part (bench/run.ts passes them on). */
export const INGEST_ARG_OPTIONS = {
  records: { type: 'string', default: String(DEFAULT_INGEST_OPTIONS.records) },
  formats: { type: 'string', default: DEFAULT_INGEST_OPTIONS.formats.join(',') },
  'no-profile': { type: 'boolean', default: false },
  /** Sizes of the memory runs' files in MB (`--rss-mb 5,50`; `--rss-mb none` skips them, for smoke runs). */
  'rss-mb': { type: 'string', default: DEFAULT_INGEST_OPTIONS.rssSizesMb.join(',') },
  /** `--rss-pg-only`: the memory runs on PostgreSQL only (smoke runs). */
  'rss-pg-only': { type: 'boolean', default: false },
} as const;

export function ingestOptionsFrom(values: { records?: string; formats?: string; 'no-profile'?: boolean; seed?: string; 'rss-mb'?: string; 'rss-pg-only'?: boolean }): IngestBenchOptions {
  const records = Number(values.records ?? DEFAULT_INGEST_OPTIONS.records);
  if (!Number.isInteger(records) || records <= 0) throw new Error('--records must be a positive integer');
  const formats = (values.formats ?? DEFAULT_INGEST_OPTIONS.formats.join(',')).split(',').map((f) => f.trim());
  for (const f of formats) if (!(BENCH_FORMATS as readonly string[]).includes(f)) throw new Error(`unknown format ${f}`);
  const chosen = formats as BenchFormat[];
  const rssArg = values['rss-mb'] ?? DEFAULT_INGEST_OPTIONS.rssSizesMb.join(',');
  const rssSizesMb = rssArg === 'none' ? [] : rssArg.split(',').map(Number);
  if (rssSizesMb.some((mb) => !(mb > 0))) throw new Error('--rss-mb takes sizes in MB, comma-separated, or none');
  return {
    ...DEFAULT_INGEST_OPTIONS,
    records,
    seed: values.seed ? Number(values.seed) : DEFAULT_INGEST_OPTIONS.seed,
    formats: chosen,
    pgliteFormats: DEFAULT_INGEST_OPTIONS.pgliteFormats.filter((f) => chosen.includes(f)),
    rssSizesMb,
    rssDatabases: values['rss-pg-only'] ? ['PostgreSQL'] : DEFAULT_INGEST_OPTIONS.rssDatabases,
    profile: !values['no-profile'],
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { ...INGEST_ARG_OPTIONS, seed: { type: 'string' } } });
  process.on('exit', killIngestChildrenNow);
  runIngestBench(ingestOptionsFrom(values), (m) => process.stdout.write(`${m}\n`)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
