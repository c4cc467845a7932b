// What the ingest benchmark's databases hold before any file is submitted: the agencies that
// submit (one per format, plus one each for the RSS and profile runs, so that every measured
// submission inserts into an owner with no rows yet), one operation they all take part in,
// and the shipped reference rates. Used by the parent for PostgreSQL and by a child for its
// own PGlite. Also the job/result contract between bench/ingest/run.ts and child.ts.
import { registerAgency } from '../../api/agencies.ts';
import { generateAgencyKeyPair } from '../../api/auth/keys.ts';
import type { Database } from '../../kernel/db.ts';
import { createOperation } from '../../schema/operations.ts';
import { ensureReferenceRates } from '../../ingest/rates.ts';
import type { SubmissionMode } from '../../ingest/report.ts';
import type { BenchFormat } from './generate.ts';

export const OPERATION_CODE = 'BENCH-INGEST';
/** Environment variable that carries the child's IngestJob as JSON. */
export const JOB_ENV = 'BENCH_INGEST_JOB';

export type AgencyRef = { id: string; code: string };

/** Submitting agency of each format's throughput run (umf-xml's sender names it). */
const FORMAT_AGENCY: Readonly<Record<BenchFormat, string>> = {
  'liaison-json': 'GB-NCA',
  'es-pn-csv': 'ES-PN',
  'cn-mps-json': 'CN-MPS',
  'umf-xml': 'DE-BKA',
  'stix-2.1': 'PH-NBI',
};

/** The agency that submits `format` in the benchmark; a registered format without one is an error. */
export function formatAgency(format: BenchFormat): string {
  const code = FORMAT_AGENCY[format];
  if (code === undefined) throw new Error(`bench: no submitting agency for format ${format} (bench/ingest/setup.ts)`);
  return code;
}

/** Creates the agencies (codes as given; the country is the code's prefix) and the operation. */
export async function setupIngestDatabase(db: Database, codes: readonly string[]): Promise<Record<string, AgencyRef>> {
  await db.migrate();
  await ensureReferenceRates(db.prisma);
  const agencies: Record<string, AgencyRef> = {};
  const keys = await generateAgencyKeyPair({ kid: 'bench-ingest' });
  for (const code of codes) {
    const row = await registerAgency(db.prisma, {
      code,
      name: `${code} (ingest bench)`,
      country: code.slice(0, 2),
      jwks: keys.jwks,
      scopes: ['records:submit'],
    });
    agencies[code] = { id: row.id, code: row.code };
  }
  await createOperation(db.prisma, {
    code: OPERATION_CODE,
    name: 'Ingest bench operation',
    lead: codes[0]!,
    participants: codes.slice(1),
    startsOn: '2021-01-01',
  });
  return agencies;
}

/** One submission the child makes, timed on its own. */
export type SubmissionJob = {
  label: string;
  format: BenchFormat;
  file: string;
  agencyCode: string;
  mode: SubmissionMode;
};

export type IngestJob = {
  /** PostgreSQL (set up by the parent) or a PGlite directory the child creates and sets up. */
  database: { url: string; name: string; agencies: Record<string, AgencyRef> } | { dataDir: string; agencyCodes: string[] };
  pseudonymKey: string;
  receiptSecret: string;
  maxBytes: number;
  submissions: SubmissionJob[];
  /** V8 CPU profile of the submissions only (not of start-up), written here. */
  profileFile?: string;
};

export type SubmissionRun = {
  label: string;
  format: BenchFormat;
  status: number;
  replayed: boolean;
  counts: { received: number; accepted: number; updated: number; unchanged: number; rejected: number };
  issues: number;
  seconds: number;
  /** CPU of the child (the gateway's work) and of the PostgreSQL backends during this submission. */
  nodeCpuSeconds: number;
  postgresCpuSeconds: number | null;
  /** Event-loop delay of the gateway's main thread during the submission (perf_hooks, 10 ms resolution). */
  eventLoopDelayMs: { p99: number; max: number };
};

/** Parts of the child's memory at one moment, in MB (process.memoryUsage()). */
export type MemorySample = {
  rssMb: number;
  /** The main thread's V8 heap (the ingest worker's heap is in `otherMb`). */
  heapTotalMb: number;
  heapUsedMb: number;
  /** Memory outside V8's heap held by the main thread's objects (Buffers, transferred ArrayBuffers). */
  externalMb: number;
  /** The rest of the RSS: the worker threads' heaps, code, the native allocations of Node and its libraries. */
  otherMb: number;
};

export type IngestChildResult = {
  runs: SubmissionRun[];
  /** RSS of the child after start-up and database set-up, before the first submission. */
  rssBeforeMb: number;
  /** process.resourceUsage().maxRSS: the peak over the submissions (`peakFromHere`), else over the child's whole life. */
  maxRssMb: number;
  /** Whether the peak was reset before the first submission (Linux). */
  peakFromHere: boolean;
  /** The sample of process.memoryUsage() (every 20 ms during the submissions) whose RSS was highest. */
  atPeak: MemorySample;
  /** With `profileFile`: the profiles written, this thread's first, then each ingest worker's. */
  profileFiles?: string[];
};
