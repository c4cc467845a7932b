// `npm run bench -- --part match`: governed matching (issue 10) against the raw lookup it rests
// on. On a fresh PostgreSQL database: --match-selectors selectors (default 1,000,000; half
// phones, half e-mails, two per RED suspect of one agency) hashed with the gateway's own keyed
// function (adapters/pseudonymize.ts selectorHash, values checked against normalizeIdentifier)
// and loaded with COPY, then ANALYZE. Then, one call at a time, for --match-seconds each:
//   (a) the gateway: GraphQL `match` over HTTP with 100 identifiers per call (10 seeded, 90
//       unknown) and a fresh real token per call (JWT verification, replay cache, quota, hit
//       refs, owner events and the audit chain all included);
//   (b) raw: `SELECT … FROM selector WHERE hash = ANY($1)` with the same 100 hashes.
// Reports p50/p99 per call and identifiers/s for both, and the ratio; targets: gateway ≥ 0.5×
// the raw identifiers/s and p50 < 20 ms. Writes bench/results/match.json.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { normalizeIdentifier, selectorHash } from '../../adapters/pseudonymize.ts';
import { registerAgency } from '../../api/agencies.ts';
import { generateAgencyKeyPair } from '../../api/auth/keys.ts';
import { loadConfig } from '../../kernel/config.ts';
import { openDatabase } from '../../kernel/db.ts';
import { startServerChild, type ServerChild } from '../lib/children.ts';
import { benchServerUrl, createBenchDatabase, type BenchAgency } from '../lib/database.ts';
import { TokenPool } from '../lib/load.ts';
import { ENV } from '../lib/protocol.ts';
import { post } from '../lib/verify.ts';

export type MatchOptions = { selectors: number; seconds: number };

export const MATCH_ARG_OPTIONS = {
  'match-selectors': { type: 'string', default: '1000000' },
  'match-seconds': { type: 'string', default: '20' },
} as const;

export function matchOptionsFrom(args: Record<string, unknown>): MatchOptions {
  const positive = (name: keyof typeof MATCH_ARG_OPTIONS) => {
    const n = Number(args[name]);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  return { selectors: positive('match-selectors'), seconds: positive('match-seconds') };
}

const IDENTIFIERS_PER_CALL = 100;
const HITS_PER_CALL = 10;
/** Calls are one at a time; this bounds the tokens minted (and so the calls) per second measured. */
const MAX_CALLS_PER_SECOND = 400;
const WARMUP_CALLS = 20;
const TARGETS = { ratio: 0.5, p50Ms: 20 };
const MATCH_QUERY = 'query($input: MatchInput!) { match(input: $input) { quotaRemaining results { index hit hits { hitRef recordType own } } } }';

/** The i-th seeded identifier: phones for even i, e-mails for odd i (unknown ones: i beyond the seeded count). */
function identifierOf(i: number): { type: 'PHONE' | 'EMAIL'; value: string } {
  const n = Math.floor(i / 2);
  return i % 2 === 0 ? { type: 'PHONE', value: `+8490${String(n).padStart(7, '0')}` } : { type: 'EMAIL', value: `suspect${n}@example.org` };
}

/** The normalized value of a seeded identifier, as ingestion normalizes it (checked in checkNormalization). */
const normalizedOf = (id: { type: 'PHONE' | 'EMAIL'; value: string }) => id.value.toLowerCase();

function checkNormalization(count: number): void {
  for (let i = 0; i < Math.min(count, 200); i++) {
    const id = identifierOf(Math.floor((i * count) / 200));
    const normalized = normalizeIdentifier(id);
    if (!normalized.ok || normalized.value !== normalizedOf(id)) throw new Error(`bench identifier ${id.type} does not normalize as assumed`);
  }
}

export type Seeded = { url: string; pseudonymKey: string; asker: BenchAgency; seedSeconds: number };

async function copyRows(client: pg.Client, sql: string, rows: () => Generator<string>): Promise<void> {
  const stream = client.query(copyFrom(sql));
  await pipeline(Readable.from(rows()), stream);
}

export async function seed(target: { url: string }, selectors: number, log: (line: string) => void): Promise<Seeded> {
  const started = performance.now();
  const pseudonymKey = randomBytes(32).toString('hex');
  checkNormalization(selectors);
  const db = await openDatabase({ databaseUrl: target.url, poolSize: 2, statementTimeoutMs: 600_000 });
  let asker: BenchAgency;
  let ownerId: string;
  try {
    await db.migrate();
    const ownerKeys = await generateAgencyKeyPair({ kid: 'cn-mps-bench' });
    const owner = await registerAgency(db.prisma, { code: 'CN-MPS', name: 'Ministry of Public Security (bench)', country: 'CN', jwks: ownerKeys.jwks, scopes: ['records:read'] });
    const askerKeys = await generateAgencyKeyPair({ kid: 'es-pn-bench' });
    const row = await registerAgency(db.prisma, { code: 'ES-PN', name: 'Policía Nacional (bench)', country: 'ES', jwks: askerKeys.jwks, scopes: ['records:read', 'match:query'] });
    // The bench measures matching, not the quota or the rate limits: the asker has room for every call.
    await db.prisma.agency.update({ where: { id: row.id }, data: { matchQuotaPerDay: 2_000_000_000, requestsPerMinute: 1_000_000, costPerMinute: 1_000_000_000 } });
    asker = { id: row.id, code: row.code, keys: askerKeys };
    ownerId = owner.id;
  } finally {
    await db.close();
  }

  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    const suspects = Math.ceil(selectors / 2);
    const ids: string[] = Array.from({ length: suspects }, () => randomUUID());
    await copyRows(client, 'COPY suspect (id, owner_id, source_ref, sharing_level, person_key, role, status) FROM STDIN', function* () {
      for (let s = 0; s < suspects; s++) yield `${ids[s]}\t${ownerId}\tS-${s}\tRED\t${selectorHash(pseudonymKey, 'PHONE', normalizedOf(identifierOf(2 * s)))}\tMEMBER\tWANTED\n`;
    });
    await copyRows(client, 'COPY selector (id, suspect_id, type, hash) FROM STDIN', function* () {
      for (let i = 0; i < selectors; i++) {
        const id = identifierOf(i);
        yield `${randomUUID()}\t${ids[Math.floor(i / 2)]}\t${id.type}\t${selectorHash(pseudonymKey, id.type, normalizedOf(id))}\n`;
      }
    });
    await client.query('VACUUM (ANALYZE) suspect, selector, agency');
  } finally {
    await client.end();
  }
  const seedSeconds = (performance.now() - started) / 1000;
  log(`[match] seeded ${selectors} selectors (${Math.ceil(selectors / 2)} suspects) in ${seedSeconds.toFixed(1)} s`);
  return { url: target.url, pseudonymKey, asker, seedSeconds };
}

/** One call's identifiers: HITS_PER_CALL seeded ones and the rest unknown, drawn from `rand`. */
export function callIdentifiers(selectors: number, rand: () => number) {
  return Array.from({ length: IDENTIFIERS_PER_CALL }, (_, k) =>
    identifierOf(k < HITS_PER_CALL ? Math.floor(rand() * selectors) : selectors + 2 + Math.floor(rand() * selectors)),
  );
}

/** A small deterministic generator, so both sides look up the same identifiers. */
export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Side = { calls: number; seconds: number; p50Ms: number; p99Ms: number; identifiersPerSecond: number; stoppedEarly?: string };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Runs `call` one at a time for `seconds` (after WARMUP_CALLS), at most `maxCalls` times. */
async function timed(seconds: number, maxCalls: number, call: (i: number) => Promise<string | undefined>): Promise<Side> {
  for (let i = 0; i < WARMUP_CALLS; i++) {
    const problem = await call(i);
    if (problem) throw new Error(problem);
  }
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  let stoppedEarly: string | undefined;
  for (let i = WARMUP_CALLS; performance.now() < end; i++) {
    if (latencies.length >= maxCalls) {
      stoppedEarly = `call budget of ${maxCalls} reached`;
      break;
    }
    const t0 = performance.now();
    const problem = await call(i);
    latencies.push(performance.now() - t0);
    if (problem) throw new Error(problem);
  }
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((x, y) => x - y);
  return {
    calls: latencies.length,
    seconds: elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    identifiersPerSecond: (latencies.length * IDENTIFIERS_PER_CALL) / elapsed,
    ...(stoppedEarly ? { stoppedEarly } : {}),
  };
}

export async function runMatchBench(options: MatchOptions, log: (line: string) => void): Promise<void> {
  const database = await createBenchDatabase(benchServerUrl());
  let server: ServerChild | undefined;
  let raw: pg.Client | undefined;
  try {
    const seeded = await seed(database, options.selectors, log);
    server = await startServerChild({
      name: 'gateway (match)',
      file: 'match.ts',
      env: { [ENV.databaseUrl]: seeded.url, [ENV.pseudonymKey]: seeded.pseudonymKey },
    });
    const audience = loadConfig({ DATABASE_URL: seeded.url, LIAISON_PSEUDONYM_KEY: seeded.pseudonymKey }, { host: '127.0.0.1', port: 0 }).audience;
    const maxCalls = options.seconds * MAX_CALLS_PER_SECOND;
    const tokens = await TokenPool.mint(seeded.asker, audience, maxCalls + WARMUP_CALLS, 'match:query');

    const gatewayRand = mulberry32(20221106);
    const gateway = await timed(options.seconds, maxCalls, async () => {
      const token = tokens.take();
      if (!token) return 'tokens exhausted';
      const identifiers = callIdentifiers(options.selectors, gatewayRand);
      const answer = await post(server!.url, JSON.stringify({ query: MATCH_QUERY, variables: { input: { identifiers, purpose: 'bench: governed matching' } } }), token);
      if (answer.status !== 200 || answer.text.includes('"errors"')) return `match failed: ${answer.status} ${answer.text.slice(0, 300)}`;
      const hits = (JSON.parse(answer.text) as { data: { match: { results: { hit: boolean }[] } } }).data.match.results.filter((r) => r.hit).length;
      return hits === HITS_PER_CALL ? undefined : `expected ${HITS_PER_CALL} hits, got ${hits}`;
    });

    raw = new pg.Client({ connectionString: seeded.url });
    await raw.connect();
    const rawRand = mulberry32(20221106);
    const rawSide = await timed(options.seconds, maxCalls, async () => {
      const hashes = callIdentifiers(options.selectors, rawRand).map((id) => selectorHash(seeded.pseudonymKey, id.type, normalizedOf(id)));
      const rows = await raw!.query({ name: 'match-raw', text: 'SELECT suspect_id, type, hash FROM selector WHERE hash = ANY($1::char(64)[])', values: [hashes] });
      // A seeded identifier drawn twice in one call is one row.
      const expected = new Set(hashes.slice(0, HITS_PER_CALL)).size;
      return rows.rowCount === expected ? undefined : `raw: expected ${expected} rows, got ${rows.rowCount}`;
    });

    const ratio = gateway.identifiersPerSecond / rawSide.identifiersPerSecond;
    const fmt = (name: string, s: Side) =>
      `  ${name.padEnd(8)} ${String(s.calls).padStart(6)} calls  p50 ${s.p50Ms.toFixed(2).padStart(7)} ms  p99 ${s.p99Ms.toFixed(2).padStart(7)} ms  ${Math.round(s.identifiersPerSecond).toString().padStart(8)} identifiers/s${s.stoppedEarly ? `  (${s.stoppedEarly})` : ''}`;
    log(`\n[match] ${options.selectors} selectors, ${IDENTIFIERS_PER_CALL} identifiers per call (${HITS_PER_CALL} hits), one call at a time, ${options.seconds} s each`);
    log(fmt('gateway', gateway));
    log(fmt('raw', rawSide));
    log(`  ratio    ${ratio.toFixed(2)}× of raw identifiers/s (target ≥ ${TARGETS.ratio}×: ${ratio >= TARGETS.ratio ? 'met' : 'MISSED'}); ` +
      `gateway p50 ${gateway.p50Ms.toFixed(2)} ms (target < ${TARGETS.p50Ms} ms: ${gateway.p50Ms < TARGETS.p50Ms ? 'met' : 'MISSED'})`);
    const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
    await mkdir(resultsDir, { recursive: true });
    await writeFile(
      `${resultsDir}match.json`,
      `${JSON.stringify({ at: new Date().toISOString(), selectors: options.selectors, seedSeconds: seeded.seedSeconds, identifiersPerCall: IDENTIFIERS_PER_CALL, hitsPerCall: HITS_PER_CALL, gateway, raw: rawSide, ratio, targets: TARGETS }, null, 2)}\n`,
    );
  } finally {
    await raw?.end().catch(() => {});
    await server?.stop();
    await database.drop();
  }
}
