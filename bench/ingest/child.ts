// A gateway process for the ingest benchmark: started by bench/ingest/run.ts, compiled as
// deployed (bin/build.mjs --bench), with a job in BENCH_INGEST_JOB, it opens the database
// (PostgreSQL set up by the parent, or its own PGlite which it migrates and sets up), then runs each submission
// with the real ingestSubmission (file streamed from disk in 64 KiB chunks, receipts signed),
// timing each one with the CPU of this process and of the PostgreSQL backends of its database.
// It reports over IPC, with process.resourceUsage().maxRSS over the submissions, and exits.
// Optionally it samples its own CPU with the V8 profiler over the submissions only.
import { randomUUID } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDatabase, type Database } from '../../kernel/db.ts';
import { createLogger } from '../../kernel/logger.ts';
import { sharedParsePool } from '../../ingest/parse-pool.ts';
import { ingestSubmission } from '../../ingest/pipeline.ts';
import { createReceiptSigner } from '../../ingest/receipts.ts';
import { postgresCpu, postgresCpuDelta } from '../lib/pg-cpu.ts';
import { startCpuProfile } from '../lib/profile.ts';
import { JOB_ENV, OPERATION_CODE, setupIngestDatabase, type AgencyRef, type IngestChildResult, type IngestJob, type MemorySample, type SubmissionRun } from './setup.ts';

const mb = (bytes: number) => bytes / (1024 * 1024);

async function* fileChunks(path: string): AsyncIterable<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) yield chunk as Buffer;
}

function memorySample(): MemorySample {
  const m = process.memoryUsage();
  return {
    rssMb: mb(m.rss),
    heapTotalMb: mb(m.heapTotal),
    heapUsedMb: mb(m.heapUsed),
    externalMb: mb(m.external),
    otherMb: mb(m.rss - m.heapTotal - m.external),
  };
}

/** Samples the memory every 20 ms and keeps the sample of the highest RSS, to say what the peak was made of. */
function watchPeak(): () => MemorySample {
  let peak = memorySample();
  const timer = setInterval(() => {
    const now = memorySample();
    if (now.rssMb > peak.rssMb) peak = now;
  }, 20);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

/**
 * Resets the kernel's high-water mark of this process's RSS (Linux, /proc/self/clear_refs), so
 * that maxRSS is the peak of the submissions alone. Without it an embedded database's child
 * reported the peak of its own set-up (PGlite unpacking and migrating its cluster), whatever
 * the file. False where the mark cannot be reset: maxRSS is then the child's whole life.
 */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

async function openJobDatabase(job: IngestJob): Promise<{ db: Database; agencies: Record<string, AgencyRef>; pgName?: string }> {
  if ('url' in job.database) {
    // One connection: the pipeline holds one transaction per submission.
    const db = await openDatabase({ databaseUrl: job.database.url, poolSize: 2, statementTimeoutMs: 600_000 });
    return { db, agencies: job.database.agencies, pgName: job.database.name };
  }
  const db = await openDatabase({ dataDir: job.database.dataDir });
  return { db, agencies: await setupIngestDatabase(db, job.database.agencyCodes) };
}

async function run(job: IngestJob): Promise<IngestChildResult> {
  const { db, agencies, pgName } = await openJobDatabase(job);
  try {
    const signer = await createReceiptSigner(db.prisma, job.receiptSecret);
    // As the server does before it listens: the ingest workers are started outside the timings.
    await sharedParsePool().warm();
    const log = createLogger({ level: 'silent', pretty: false });
    const rssBeforeMb = mb(process.memoryUsage().rss);
    const peakFromHere = resetPeakRss();
    // The parse worker was started above, so its thread is profiled too: that is where files
    // are parsed, mapped, digested and pseudonymized.
    const stopWatching = watchPeak();
    const stopProfiler = job.profileFile ? await startCpuProfile({ workers: /\/ingest\/parse-worker\.[cm]?[jt]s$/ }) : undefined;
    const runs: SubmissionRun[] = [];
    for (const s of job.submissions) {
      const agency = agencies[s.agencyCode];
      if (!agency) throw new Error(`no agency ${s.agencyCode}`);
      const pgBefore = pgName ? await postgresCpu(pgName) : null;
      const cpuBefore = process.cpuUsage();
      // How long the thread that answers requests was kept from other work during the submission.
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const started = performance.now();
      const result = await ingestSubmission({
        db,
        pseudonymKey: job.pseudonymKey,
        agency,
        subject: 'bench-ingest',
        format: s.format,
        operationCode: OPERATION_CODE,
        mode: s.mode,
        dryRun: false,
        idempotencyKey: randomUUID(),
        body: fileChunks(s.file),
        maxBytes: job.maxBytes,
        now: () => new Date(),
        signer,
        log,
      });
      const seconds = (performance.now() - started) / 1000;
      loop.disable();
      const cpu = process.cpuUsage(cpuBefore);
      const pgMs = pgName ? postgresCpuDelta(pgBefore, await postgresCpu(pgName)) : null;
      const { received, accepted, updated, unchanged, rejected } = result.report.counts;
      runs.push({
        label: s.label,
        format: s.format,
        status: result.status,
        replayed: result.replayed,
        counts: { received, accepted, updated, unchanged, rejected },
        issues: result.report.issues.length,
        seconds,
        nodeCpuSeconds: (cpu.user + cpu.system) / 1e6,
        postgresCpuSeconds: pgMs === null ? null : pgMs / 1000,
        eventLoopDelayMs: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
      });
    }
    const atPeak = stopWatching();
    const profileFiles = stopProfiler && job.profileFile ? await stopProfiler(job.profileFile) : undefined;
    // maxRSS is in kilobytes.
    return { runs, rssBeforeMb, maxRssMb: process.resourceUsage().maxRSS / 1024, peakFromHere, atPeak, ...(profileFiles ? { profileFiles } : {}) };
  } finally {
    await db.close();
  }
}

const raw = process.env[JOB_ENV];
if (!raw || !process.send) throw new Error('bench/ingest/child.ts runs as a child of bench/ingest/run.ts');
// The child never outlives the bench.
process.on('disconnect', () => process.exit(1));
run(JSON.parse(raw) as IngestJob).then(
  (result) => process.send!({ type: 'result', result }, () => process.exit(0)),
  (error: unknown) => process.send!({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
);
