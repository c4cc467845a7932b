// The operator's Prometheus metrics: one registry per process and every metric object the
// gateway updates, so that each place that counts does it with one line (docs/operations.md,
// "Metrics"; docs/monitoring/ holds the dashboard and alert rules that use these names). The
// registry is served only by the loopback listener of api/metrics-listener.ts, never to partners.
//
// Label values are bounded: routes are Fastify's route patterns, agencies the codes of verified
// viewers (at most MAX_AGENCY_LABELS distinct ones, then `other`), codes and kinds come from the
// gateway's own constants, formats from the adapter registry. Nothing a client chooses freely
// becomes a label, and no label carries personal data.
import type { Pool } from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const metricsRegistry = new Registry();
const registers = [metricsRegistry];

/** Distinct agency label values kept; more would be one series set per partner the operator never registered. */
export const MAX_AGENCY_LABELS = 500;
/** The agency label of a request without a verified viewer. */
export const NO_AGENCY = 'none';
const agencyLabels = new Set<string>();

/** The agency label for a verified viewer's code (`none` without one, `other` past the cap). */
export function agencyLabel(code: string | undefined): string {
  if (code === undefined) return NO_AGENCY;
  if (agencyLabels.has(code)) return code;
  if (agencyLabels.size >= MAX_AGENCY_LABELS) return 'other';
  agencyLabels.add(code);
  return code;
}

let processMetricsStarted = false;
/** Node's default process metrics (CPU, RSS, heap, event loop lag, GC), once per process. */
export function startProcessMetrics(): void {
  if (processMetricsStarted) return;
  processMetricsStarted = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

export const httpRequests = new Counter({
  name: 'liaison_http_requests_total',
  help: 'HTTP requests by route and status',
  labelNames: ['route', 'status'] as const,
  registers,
});

export const httpDuration = new Histogram({
  name: 'liaison_http_request_duration_seconds',
  help: 'HTTP request duration by route',
  labelNames: ['route'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const agencyRequests = new Counter({
  name: 'liaison_agency_requests_total',
  help: 'Requests by the verified agency (none: not authenticated) and route',
  labelNames: ['agency', 'route'] as const,
  registers,
});

export const agencyErrors = new Counter({
  name: 'liaison_agency_errors_total',
  help: 'Requests answered with HTTP 4xx or 5xx, by agency, route and status',
  labelNames: ['agency', 'route', 'status'] as const,
  registers,
});

export const agencyDuration = new Histogram({
  name: 'liaison_agency_request_duration_seconds',
  help: 'Request duration by agency',
  labelNames: ['agency'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const errorsAnswered = new Counter({
  name: 'liaison_errors_total',
  help: 'Coded errors answered (GraphQL and REST) by error code',
  labelNames: ['code'] as const,
  registers,
});

export const rateLimitRefusals = new Counter({
  name: 'liaison_rate_limit_refusals_total',
  help: 'Requests refused by a rate limit or quota (RATE_LIMITED), by kind',
  labelNames: ['kind'] as const,
  registers,
});

export const ingestRecords = new Counter({
  name: 'liaison_ingest_records_total',
  help: 'Records read from submitted files (replays excluded), by format; rate() gives records per second',
  labelNames: ['format'] as const,
  registers,
});

export const submissions = new Counter({
  name: 'liaison_submissions_total',
  help: 'Submissions completed, by format and outcome (accepted, partial, rejected, replayed, dry_run)',
  labelNames: ['format', 'outcome'] as const,
  registers,
});

export const auditAppendDuration = new Histogram({
  name: 'liaison_audit_append_duration_seconds',
  help: 'Time of one append statement to the hash-chained audit log (one event, or the events a process stored together), by outcome (ok, error)',
  labelNames: ['outcome'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  registers,
});

/** The PostgreSQL pools being watched, by name (several open databases in one process add up). */
const pools = new Map<Pool, string>();

/** Watches `pool` under `name` until it is forgotten with the returned function. */
export function watchPool(name: string, pool: Pool): () => void {
  pools.set(pool, name);
  return () => void pools.delete(pool);
}

new Gauge({
  name: 'liaison_db_pool_connections',
  help: 'PostgreSQL pool connections by pool (reads, writer, limits) and state (in_use, idle, waiting: requests queued for one)',
  labelNames: ['pool', 'state'] as const,
  registers,
  collect() {
    this.reset();
    for (const [pool, name] of pools) {
      this.inc({ pool: name, state: 'in_use' }, pool.totalCount - pool.idleCount);
      this.inc({ pool: name, state: 'idle' }, pool.idleCount);
      this.inc({ pool: name, state: 'waiting' }, pool.waitingCount);
    }
  },
});

/** Counts a finished submission: its records by format, and its outcome. */
export function countSubmission(
  format: string,
  report: { status: string; dryRun: boolean; counts: { received: number; rejected: number } },
  replayed: boolean,
): void {
  if (!replayed) ingestRecords.inc({ format }, report.counts.received);
  const outcome = replayed
    ? 'replayed'
    : report.dryRun
      ? 'dry_run'
      : report.status === 'REJECTED'
        ? 'rejected'
        : report.counts.rejected > 0
          ? 'partial'
          : 'accepted';
  submissions.inc({ format, outcome });
}

/** Counts one coded error as answered; a RATE_LIMITED one also by the kind of limit. */
export function countAnsweredError(error: { code: string; reason?: string | undefined; issues?: readonly { code?: string }[] | undefined }): void {
  errorsAnswered.inc({ code: error.code });
  if (error.code === 'RATE_LIMITED') rateLimitRefusals.inc({ kind: error.reason ?? error.issues?.[0]?.code ?? 'other' });
}

/** Counts one answered request under its route, status and agency. */
export function countRequest(route: string, status: number, agencyCode: string | undefined, seconds: number): void {
  const agency = agencyLabel(agencyCode);
  httpRequests.inc({ route, status: String(status) });
  httpDuration.observe({ route }, seconds);
  agencyRequests.inc({ agency, route });
  agencyDuration.observe({ agency }, seconds);
  if (status >= 400) agencyErrors.inc({ agency, route, status: String(status) });
}
