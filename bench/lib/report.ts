// Turns the measurements of one run into the printed table, the ratios against the issue's
// targets (computed from this run only, never from stored figures), and the JSON written to
// bench/results/latest.json.
import type { Measurement } from './load.ts';

export type VariantId = 'raw-b' | 'gateway-b' | 'noauth-b' | 'gateway-a' | 'gateway-a1';

export const VARIANT_LABELS: Record<VariantId, string> = {
  'raw-b': '(b) raw pg baseline',
  'gateway-b': '(b) gateway, auth+audit',
  'noauth-b': '(b) gateway, no auth/audit',
  'gateway-a': '(a) gateway summary',
  'gateway-a1': '(a) gateway summary, 1 connection',
};

export const TARGETS = { gatewayOverRaw: 0.55, authCostMax: 0.1, summaryP50MaxMs: 50 } as const;

export type Ratios = {
  gatewayOverRaw: number | null;
  noauthOverRaw: number | null;
  authAuditCost: number | null;
  /** 1 − server CPU per request without auth / with it: steadier than req/s on a busy machine. */
  authAuditCpuShare: number | null;
  /** At the configured connections (the target's figure). */
  summaryP50Ms: number | null;
  /** Without queueing: the service time of one summary request. */
  summaryP50OneConnectionMs: number | null;
};

export function ratiosOf(results: Partial<Record<VariantId, Measurement>>): Ratios {
  const rps = (id: VariantId) => results[id]?.rps;
  const over = (a?: number, b?: number) => (a !== undefined && b ? a / b : null);
  const full = rps('gateway-b');
  const noauth = rps('noauth-b');
  return {
    gatewayOverRaw: over(full, rps('raw-b')),
    noauthOverRaw: over(noauth, rps('raw-b')),
    authAuditCost: full !== undefined && noauth ? 1 - full / noauth : null,
    authAuditCpuShare:
      results['gateway-b'] && results['noauth-b'] ? 1 - results['noauth-b'].serverCpuMs / results['gateway-b'].serverCpuMs : null,
    summaryP50Ms: results['gateway-a']?.p50 ?? null,
    summaryP50OneConnectionMs: results['gateway-a1']?.p50 ?? null,
  };
}

const fixed = (value: number | null | undefined, digits: number) => (value == null ? 'n/a' : value.toFixed(digits));

export function formatTable(results: Partial<Record<VariantId, Measurement>>): string {
  const header = ['variant', 'req/s', 'p50 ms', 'p99 ms', 'server CPU ms/req', 'PG CPU ms/req', 'SQL stmts/req', 'bad'];
  const rows = (Object.keys(VARIANT_LABELS) as VariantId[])
    .filter((id) => results[id])
    .map((id) => {
      const m = results[id]!;
      return [
        VARIANT_LABELS[id] + (m.tokensExhausted ? ' (tokens ran out)' : ''),
        fixed(m.rps, 1),
        fixed(m.p50, 1),
        fixed(m.p99, 1),
        fixed(m.serverCpuMs, 2),
        fixed(m.postgresCpuMs, 2),
        fixed(m.statementsPerRequest, 1),
        String(m.bad),
      ];
    });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function formatRatios(r: Ratios): string {
  const verdict = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'MET' : 'MISSED');
  return [
    `(b) gateway / raw        = ${fixed(r.gatewayOverRaw, 2)}x   target >= ${TARGETS.gatewayOverRaw}x   ${verdict(r.gatewayOverRaw === null ? null : r.gatewayOverRaw >= TARGETS.gatewayOverRaw)}`,
    `(b) no-auth / raw        = ${fixed(r.noauthOverRaw, 2)}x`,
    `auth+audit cost          = ${r.authAuditCost === null ? 'n/a' : `${(r.authAuditCost * 100).toFixed(1)}%`}   target <= ${TARGETS.authCostMax * 100}%   ${verdict(r.authAuditCost === null ? null : r.authAuditCost <= TARGETS.authCostMax)}`,
    `auth+audit CPU share     = ${r.authAuditCpuShare === null ? 'n/a' : `${(r.authAuditCpuShare * 100).toFixed(1)}%`} of the gateway's CPU per (b) request`,
    `(a) summary p50          = ${fixed(r.summaryP50Ms, 1)} ms   target < ${TARGETS.summaryP50MaxMs} ms   ${verdict(r.summaryP50Ms === null ? null : r.summaryP50Ms < TARGETS.summaryP50MaxMs)}`,
    `(a) summary p50, 1 conn. = ${fixed(r.summaryP50OneConnectionMs, 1)} ms   (service time without queueing)`,
  ].join('\n');
}

/** SQL statements per request of each variant during its measured window, by kind. */
export function formatStatements(results: Partial<Record<VariantId, Measurement>>): string {
  return (Object.keys(VARIANT_LABELS) as VariantId[])
    .filter((id) => results[id])
    .map((id) => {
      const m = results[id]!;
      const kinds = Object.entries(m.statementKinds).map(([kind, n]) => `${kind} ×${n}`);
      return `${VARIANT_LABELS[id]}: ${m.statementsPerRequest.toFixed(2)} SQL statements/request — ${kinds.join(', ')}`;
    })
    .join('\n');
}
