// `npx tsx bench/match/profile.ts [selectors] [calls]`: where a governed match's time goes.
// Seeds a fresh PostgreSQL database as bench/match/run.ts does (default 100,000 selectors),
// then runs schema/match.ts runMatch in this process `calls` times (default 200; 100
// identifiers, 10 hits each, one at a time) with every statement of its transaction timed by
// a proxy around the transaction client, and prints the mean and p50 ms per part: hashing
// (normalize + HMAC), BEGIN..COMMIT overhead, and each statement (quota, lookup, visibility,
// owners, hit rows, MATCH_HIT events, audit). The HTTP edge's share (token verification,
// replay cache, limits, GraphQL, audit plugin) is the gateway p50 of bench/match/run.ts minus
// this in-process total. Figures are smoke figures: print `uptime` beside them.
import { randomUUID } from 'node:crypto';
import { openDatabase } from '../../kernel/db.ts';
import type { Viewer } from '../../kernel/viewer.ts';
import { matchProbes, runMatch } from '../../schema/match.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { benchServerUrl, createBenchDatabase } from '../lib/database.ts';
import { callIdentifiers, mulberry32, seed } from './run.ts';

const selectors = Number(process.argv[2] ?? 100_000);
const calls = Number(process.argv[3] ?? 200);
if (!Number.isInteger(selectors) || selectors <= 0 || !Number.isInteger(calls) || calls <= 0 || calls > 5_000) {
  throw new Error('usage: profile.ts [selectors > 0] [calls 1..5000]');
}

const samples = new Map<string, number[]>();
const record = (part: string, ms: number) => {
  const list = samples.get(part) ?? [];
  list.push(ms);
  samples.set(part, list);
};

/** The statement a call stands for: a model method or the first words of a raw query. */
function labelOf(path: string[], args: unknown[]): string {
  if (path[0] === '$queryRaw' || path[0] === '$executeRaw') {
    const sql = Array.isArray(args[0]) ? (args[0] as string[]).join('?') : String(args[0]);
    return `raw: ${sql.replace(/\s+/g, ' ').trim().slice(0, 48)}`;
  }
  return path.join('.');
}

/** Times every awaited call made through `target` (model methods and raw queries). */
function timed<T extends object>(target: T, path: string[] = []): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value = Reflect.get(obj, key, receiver) as unknown;
      if (typeof key !== 'string') return value;
      if (typeof value === 'function') {
        return (...args: unknown[]) => {
          const t0 = performance.now();
          const out = (value as (...a: unknown[]) => unknown).apply(obj, args);
          if (out && typeof (out as Promise<unknown>).then === 'function') {
            return (out as Promise<unknown>).then((v) => {
              record(labelOf([...path, key], args), performance.now() - t0);
              return v;
            });
          }
          return out;
        };
      }
      return value && typeof value === 'object' && path.length === 0 ? timed(value as object, [key]) : value;
    },
  });
}

const database = await createBenchDatabase(benchServerUrl());
try {
  const seeded = await seed(database, selectors, (line) => console.log(line));
  const db = await openDatabase({ databaseUrl: seeded.url, poolSize: 4 });
  try {
    const prisma = db.prisma;
    const profiled = new Proxy(prisma, {
      get(obj, key, receiver) {
        if (key !== '$transaction') return Reflect.get(obj, key, receiver) as unknown;
        return async (fn: (tx: object) => Promise<unknown>) => {
          const t0 = performance.now();
          let inside = 0;
          const out = await obj.$transaction(async (tx) => {
            const t1 = performance.now();
            const r = await fn(timed(tx));
            inside = performance.now() - t1;
            return r;
          });
          record('transaction overhead (BEGIN, COMMIT, pool)', performance.now() - t0 - inside);
          return out;
        };
      },
    }) as PrismaClient;
    const viewer: Viewer = { agencyId: seeded.asker.id, agencyCode: seeded.asker.code, agencyName: 'bench', subject: 'bench', scopes: ['records:read', 'match:query'], jti: randomUUID(), expiresAt: new Date(Date.now() + 3_600_000) };
    const rand = mulberry32(20221106);
    const totals: number[] = [];
    for (let i = 0; i < calls + 20; i++) {
      const identifiers = callIdentifiers(selectors, rand);
      const request = { identifiers, purpose: 'bench: governed matching' };
      const h0 = performance.now();
      matchProbes(request, seeded.pseudonymKey);
      const hashing = performance.now() - h0;
      const t0 = performance.now();
      const answer = await runMatch(profiled, viewer, request, { pseudonymKey: seeded.pseudonymKey, now: () => new Date() });
      const total = performance.now() - t0;
      if (answer.results.filter((r) => r.hit).length !== 10) throw new Error('expected 10 hits');
      if (i < 20) {
        samples.clear();
        continue;
      }
      record('hashing (normalize + HMAC, 100 ids)', hashing);
      totals.push(total);
    }
    const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`\n[match profile] ${selectors} selectors, ${calls} in-process runMatch calls (100 ids, 10 hits)`);
    console.log(`  ${'part'.padEnd(62)} ${'calls'.padStart(6)} ${'mean ms'.padStart(8)} ${'p50 ms'.padStart(8)}`);
    for (const [part, xs] of [...samples.entries()].sort((a, b) => mean(b[1]) * b[1].length - mean(a[1]) * a[1].length)) {
      console.log(`  ${part.padEnd(62)} ${String(xs.length).padStart(6)} ${mean(xs).toFixed(2).padStart(8)} ${p50(xs).toFixed(2).padStart(8)}`);
    }
    console.log(`  ${'runMatch total'.padEnd(62)} ${String(totals.length).padStart(6)} ${mean(totals).toFixed(2).padStart(8)} ${p50(totals).toFixed(2).padStart(8)}`);
  } finally {
    await db.close();
  }
} finally {
  await database.drop();
}
