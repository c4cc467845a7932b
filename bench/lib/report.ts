// Turns the measurements of one run into the printed table and the ratios (every (b) ratio
// against the best raw baseline of the same run, never against stored figures); the verdicts
// per target are bench/lib/verdicts.ts's.
import type { Measurement } from './load.ts';

export type VariantId =
  | 'raw-b'
  | 'raw-js-b'
  | 'postgraphile-b'
  | 'gateway-b'
  | 'noauth-b'
  | 'gateway-a'
  | 'gateway-a1'
  | 'raw-auth-me'
  | 'gateway-me';

export const VARIANT_LABELS: Record<VariantId, string> = {
  'raw-b': '(b) raw, PostgreSQL builds the JSON',
  'raw-js-b': '(b) raw, 3 queries + JSON in JS',
  'postgraphile-b': '(b) PostGraphile 4',
  'gateway-b': '(b) gateway, auth+audit',
  'noauth-b': '(b) gateway, no auth/audit',
  'gateway-a': '(a) gateway summary',
  'gateway-a1': '(a) gateway summary, 1 connection',
  'raw-auth-me': '(me) raw http + pg + jose',
  'gateway-me': '(me) gateway, auth+audit',
};

/** The read targets of issue 11 (ratios in one run). */
export const TARGETS = {
  gatewayOverBestRaw: 0.55,
  gatewayOverPostgraphile: 1.05,
  serverCpuMsMax: 4,
  p99OverBestRawMax: 2,
  meOverRaw: 0.5,
  authCostMax: 0.1,
  summaryP50MaxMs: 50,
} as const;

export type Ratios = {
  /** The raw baseline with the higher req/s in this run: every (b) ratio is against it. */
  bestRaw: 'raw-b' | 'raw-js-b' | null;
  gatewayOverBestRaw: number | null;
  noauthOverBestRaw: number | null;
  postgraphileOverBestRaw: number | null;
  gatewayOverPostgraphile: number | null;
  /** Server CPU per (b) request of the gateway with auth + audit, ms. */
  gatewayCpuMs: number | null;
  /** Gateway (b) p99 over the best raw's p99. */
  p99OverBestRaw: number | null;
  /** `{ me { agency { code } } }`: gateway over the raw handler doing the same authentication. */
  meOverRaw: number | null;
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
  const raws = (['raw-b', 'raw-js-b'] as const).filter((id) => results[id]);
  const bestRaw = raws.length ? raws.reduce((a, b) => (rps(b)! > rps(a)! ? b : a)) : null;
  const best = bestRaw ? results[bestRaw] : undefined;
  const full = rps('gateway-b');
  const noauth = rps('noauth-b');
  return {
    bestRaw,
    gatewayOverBestRaw: over(full, best?.rps),
    noauthOverBestRaw: over(noauth, best?.rps),
    postgraphileOverBestRaw: over(rps('postgraphile-b'), best?.rps),
    gatewayOverPostgraphile: over(full, rps('postgraphile-b')),
    gatewayCpuMs: results['gateway-b']?.serverCpuMs ?? null,
    p99OverBestRaw: over(results['gateway-b']?.p99, best?.p99),
    meOverRaw: over(rps('gateway-me'), rps('raw-auth-me')),
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

export function formatRatios(r: Ratios, results: Partial<Record<VariantId, Measurement>>): string {
  const percent = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  const best = r.bestRaw ? results[r.bestRaw] : undefined;
  return [
    `best raw of this run     = ${r.bestRaw ? `${VARIANT_LABELS[r.bestRaw]}, ${fixed(best?.rps, 1)} req/s, p99 ${fixed(best?.p99, 1)} ms` : 'n/a'}`,
    `gateway / best raw = ${fixed(r.gatewayOverBestRaw, 2)}x`,
    `gateway / PostGraphile = ${fixed(r.gatewayOverPostgraphile, 2)}x`,
    `no-auth gateway / best raw = ${fixed(r.noauthOverBestRaw, 2)}x`,
    `PostGraphile / best raw = ${fixed(r.postgraphileOverBestRaw, 2)}x`,
    `gateway server CPU       = ${fixed(r.gatewayCpuMs, 2)} ms/req (best raw ${fixed(best?.serverCpuMs, 2)}, PostGraphile ${fixed(results['postgraphile-b']?.serverCpuMs, 2)})`,
    `gateway p99 / best raw p99 = ${fixed(r.p99OverBestRaw, 2)}x (${fixed(results['gateway-b']?.p99, 1)} ms / ${fixed(best?.p99, 1)} ms)`,
    `me: gateway / raw auth handler = ${fixed(r.meOverRaw, 2)}x`,
    `auth+audit cost          = ${percent(r.authAuditCost)}; CPU share ${percent(r.authAuditCpuShare)} of the gateway's CPU per (b) request`,
    `(a) summary p50          = ${fixed(r.summaryP50Ms, 1)} ms; with 1 connection ${fixed(r.summaryP50OneConnectionMs, 1)} ms (service time without queueing)`,
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
