// The Grafana dashboard and the Prometheus alert rules of docs/monitoring/ name only metrics the
// gateway exports: after some traffic (reads, a submission, a refusal by a rate limit) every
// metric name in their expressions is declared by /metrics, and the gateway's own series have
// samples. Also: nothing in /metrics identifies a person or carries token material (LOG-16).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../kernel/config.ts';
import { startMetricsListener, type MetricsListener } from '../../api/metrics-listener.ts';
import { createTestGateway, TEST_PSEUDONYM_KEY, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { submitLiaisonJson } from '../helpers/submit.ts';
import { ROOT } from './repository-files.ts';

const PASSPORT = 'X9182736';
/** Requests one agency may send per minute here: the flooder's next one is refused. */
const REQUESTS_PER_MINUTE = 4;
/** Names the exporter defines; anything else in an expression (e.g. `up`) is Prometheus's own. */
const EXPORTED = /\b(?:liaison|process|nodejs)_[a-z0-9_]+\b/g;

let gw: TestGateway;
let owner: TestAgency;
let flooder: TestAgency;
let listener: MetricsListener;
let text: string;
const tokens: string[] = [];

function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'docs/monitoring/grafana-dashboard.json'), 'utf8')) as {
    panels: { targets: { expr: string }[] }[];
    templating: { list: { query?: unknown }[] };
  };
  return [
    ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
    ...dashboard.templating.list.flatMap((v) => (typeof v.query === 'string' ? [v.query] : [])),
  ];
}

function ruleExpressions(): string[] {
  const rules = parse(readFileSync(join(ROOT, 'docs/monitoring/alert-rules.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
  return rules.groups.flatMap((g) => g.rules.map((r) => r.expr));
}

/** The metric family a sample name belongs to: a histogram's _bucket/_sum/_count are its own. */
function familyOf(name: string, declared: Map<string, string>): string {
  if (declared.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return declared.get(base) === 'histogram' ? base : name;
}

beforeAll(async () => {
  const defaults = loadConfig({}).rateLimits;
  gw = await createTestGateway({ rateLimits: { ...defaults, requestsPerMinute: REQUESTS_PER_MINUTE } });
  owner = await gw.addAgency('VN-MPS');
  flooder = await gw.addAgency('ES-PN');
  listener = await startMetricsListener(gw.app.metrics, { port: 0 });
  await gw.db.prisma.operation.create({
    data: { code: 'OP-METRICS', name: 'Metrics', leadId: owner.id, participants: { create: [{ agencyId: owner.id }] } },
  });
  await submitLiaisonJson(gw, owner, 'OP-METRICS', [
    {
      kind: 'suspect', ref: 'S-1', sharingLevel: 'RED', fullName: 'Nguyen Van An', nationality: 'VN',
      identifiers: [{ type: 'PASSPORT', country: 'VN', value: PASSPORT }], role: 'MEMBER', status: 'WANTED',
    },
  ]);
  expect((await gw.gql(owner, '{ me { agency { code } } }')).errors).toBeUndefined();
  for (let i = 0; i <= REQUESTS_PER_MINUTE; i++) {
    const token = await flooder.token();
    tokens.push(token);
    const response = await gw.app.fetch(
      new Request('http://gateway.test/graphql', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ me { subject } }' }),
      }),
    );
    expect(response.status).toBe(i < REQUESTS_PER_MINUTE ? 200 : 429);
  }
  text = await (await fetch(listener.url)).text();
});
afterAll(async () => {
  await listener?.close();
  await gw?.close();
});

describe('monitoring docs', () => {
  it('name only metrics that /metrics declares, and the gateway series have samples after traffic', () => {
    const declared = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    const sampled = new Set([...text.matchAll(/^([a-z_:][a-z0-9_:]*)[{ ]/gm)].map((m) => familyOf(m[1]!, declared)));
    const expressions = [...dashboardExpressions(), ...ruleExpressions()];
    expect(expressions.length).toBeGreaterThan(20);
    const used = new Set(expressions.flatMap((e) => [...e.matchAll(EXPORTED)].map((m) => familyOf(m[0], declared))));
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) {
      expect(declared.has(name), `${name} is not exported`).toBe(true);
      // The pools are PostgreSQL's; the embedded database has one connection and no pool.
      if (name === 'liaison_db_pool_connections' && gw.db.kind === 'pglite') continue;
      expect(sampled.has(name), `${name} has no sample after traffic`).toBe(true);
    }
  });

  it('count per agency, submissions by outcome, records by format and refusals by kind', () => {
    expect(text).toMatch(/liaison_agency_requests_total\{agency="VN-MPS",route="\/v1\/submissions"\} 1\b/);
    expect(text).toMatch(/liaison_agency_errors_total\{agency="ES-PN",route="\/graphql",status="429"\} 1\b/);
    expect(text).toMatch(/liaison_rate_limit_refusals_total\{kind="request_limit"\} 1\b/);
    expect(text).toMatch(/liaison_submissions_total\{format="liaison-json",outcome="accepted"\} 1\b/);
    expect(text).toMatch(/liaison_ingest_records_total\{format="liaison-json"\} 1\b/);
    expect(text).toMatch(/liaison_audit_append_duration_seconds_count\{outcome="ok"\} [1-9]/);
  });

  it('LOG-16 /metrics holds no personal identifier, token, subject or key', () => {
    for (const token of tokens) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.split('.')[2]!);
    }
    expect(text).not.toContain(PASSPORT);
    expect(text).not.toContain('Nguyen');
    expect(text).not.toContain('officer-7');
    expect(text).not.toContain(TEST_PSEUDONYM_KEY);
  });
});
