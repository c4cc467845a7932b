// Where the gateway's time goes on one nested read (the bench's request (b): first 50 dens of the
// operation, 10 suspects + 10 funds each), layer by layer, in one process on one seeded
// PostgreSQL database. Each layer is measured as this process's CPU time per request over a
// bounded sequential loop (PostgreSQL's own CPU is in its server process, so it is not counted):
//   app        the whole gateway (Fastify + Yoga + every plugin), fixed viewer, no-op audit
//   yoga       Yoga with the schema alone (no armor, limits, audit, auth plugin; Pothos's complexity check is in the schema)
//   +armor     the same with graphql-armor (depth, aliases, tokens, directives, cost)
//   +pages     the same with armor and the page-size limits
//   execute    graphql-js execute() of the parsed document (no HTTP, no Yoga)
//   direct     schema/compiled/direct.ts alone: the root resolver's statement and the answer written without execution
//   yoga+jit   Yoga with the schema alone and @envelop/graphql-jit (the document compiled once)
//   prisma     the Prisma queries execute() sends, alone (root page + nested pages, counts off)
//   cursors    encoding every edge's cursor (AES-GCM seal per edge)
//   auth+audit the app with the real token verifier and audit chain, on the read and on `{ me }`
//              (beside `me` with a fixed viewer): what auth and audit cost one request
// Each of app/yoga/execute/jit runs twice: with record reads compiled to SQL and without
// (the Prisma path), so before/after come from the same data in the same run.
// Usage: NODE_ENV=production tsx bench/profile-read/run.ts [--requests 200] [--dens 2000] [--only <layer text>] [--profile-dir DIR]
// (DATABASE_URL: a server to create the db on). NODE_ENV=production as deployed: graphql-js reads
// it once at load, so it must be set before the process starts (the bench's servers get it too).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { execute, parse, type DocumentNode } from 'graphql';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga } from 'graphql-yoga';
import { createApp } from '../../api/app.ts';
import { createServices } from '../../api/services.ts';
import { executeDirect } from '../../schema/compiled/direct.ts';
import { useArmor } from '../../api/plugins/use-armor.ts';
import { usePageLimits } from '../../api/plugins/use-page-limits.ts';
import { loadConfig } from '../../kernel/config.ts';
import { openDatabase, type Database } from '../../kernel/db.ts';
import { createLogger } from '../../kernel/logger.ts';
import type { RequestContext, Viewer } from '../../schema/context.ts';
import { schema } from '../../schema/index.ts';
import { encodeCursor, ephemeralCursorKey } from '../../schema/cursor.ts';
import { benchServerUrl, createBenchDatabase, seedBenchDatabase } from '../lib/database.ts';
import { TokenPool } from '../lib/load.ts';
import { CLOCK_TICKS_PER_SECOND, statTicks } from '../lib/pg-cpu.ts';
import { formatProfile, startCpuProfile, summarizeProfile } from '../lib/profile.ts';
import { DENS_QUERY, DENS_PAGE, ME_QUERY, NESTED_PAGE } from '../lib/queries.ts';

const { values: opts } = parseArgs({
  options: {
    requests: { type: 'string', default: '200' },
    dens: { type: 'string', default: '2000' },
    /** Only the layers whose name contains this (e.g. `execute (compiled)` under --cpu-prof). */
    only: { type: 'string', default: '' },
    /** Samples each measured loop alone (not the seeding) and prints where its CPU went. */
    'profile-dir': { type: 'string', default: '' },
  },
});
const REQUESTS = Math.min(Number(opts.requests), 2_000);
const DENS = Number(opts.dens);

/** CPU ms (user + system) of this process per call of `run`, after a warm-up of 20 calls. */
async function cpuPerCall(run: () => Promise<unknown>): Promise<{ cpuMs: number; wallMs: number; threads: string }> {
  for (let i = 0; i < 20; i += 1) await run();
  const cpu = process.cpuUsage();
  const threads = threadTicks();
  const wall = performance.now();
  for (let i = 0; i < REQUESTS; i += 1) await run();
  const used = process.cpuUsage(cpu);
  return {
    cpuMs: (used.user + used.system) / 1000 / REQUESTS,
    wallMs: (performance.now() - wall) / REQUESTS,
    threads: threadsSince(threads),
  };
}

/**
 * CPU ticks (user + system, 1/CLOCK_TICKS_PER_SECOND s) of each of this process's threads by thread name
 * (/proc/self/task): what the process's CPU is that its main thread's profile cannot show
 * (V8's compiler and GC helpers, libuv's pool where WebCrypto runs). Empty off Linux.
 */
function threadTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return ticks;
  }
  for (const task of tasks) {
    try {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      // The name is in parentheses and may hold spaces.
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '#');
      ticks.set(name, (ticks.get(name) ?? 0) + statTicks(stat));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ticks;
}

/** ms of CPU per request of each thread name since `before`, the largest first. */
function threadsSince(before: Map<string, number>): string {
  return [...threadTicks()]
    .map(([name, ticks]) => [name, ((ticks - (before.get(name) ?? 0)) * 1000) / CLOCK_TICKS_PER_SECOND / REQUESTS] as const)
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
    .join(', ');
}

/** Runs `work` under V8's sampling profiler; writes `<layer>.cpuprofile` and prints its summary. */
async function sampled<T>(layer: string, work: () => Promise<T>): Promise<T> {
  const stop = await startCpuProfile();
  try {
    return await work();
  } finally {
    const file = join(opts['profile-dir'], `${layer.replace(/[^\w+-]+/g, '_')}.cpuprofile`);
    await stop(file);
    console.log(`${formatProfile(await summarizeProfile(file), REQUESTS + 20)}\n(${file})`);
  }
}

function check(result: { errors?: readonly unknown[]; data?: unknown }, layer: string): void {
  if (result.errors?.length) throw new Error(`${layer}: ${JSON.stringify(result.errors)}`);
  const edges = (result.data as { scamDens: { edges: unknown[] } }).scamDens.edges;
  if (edges.length !== DENS_PAGE) throw new Error(`${layer}: ${edges.length} dens, expected ${DENS_PAGE}`);
}

if (process.env.NODE_ENV !== 'production') console.warn('NODE_ENV is not production: graphql-js runs its development checks, unlike the deployed gateway');
const server = benchServerUrl();
const target = await createBenchDatabase(server);
let db: Database | undefined;
try {
  const seeded = await seedBenchDatabase(target, { dens: DENS, suspects: DENS * 5, funds: DENS * 5, seed: 11 });
  db = await openDatabase({ databaseUrl: target.url, poolSize: 4 });
  const agency = await db.prisma.agency.findUniqueOrThrow({ where: { code: seeded.agencies[0]!.code } });
  const viewer: Viewer = {
    agencyId: agency.id,
    agencyCode: agency.code,
    agencyName: agency.name,
    subject: 'profile',
    scopes: ['records:read'],
    jti: 'profile',
    expiresAt: new Date(Date.now() + 3_600_000),
  };
  // The per-agency budgets as the read bench's gateway sets them (bench/servers/gateway.ts): with
  // the defaults, the app layer was refused RATE_LIMITED after a few hundred requests and
  // measured the refusal (about 2.5 ms) instead of the read.
  const config = loadConfig({
    DATABASE_URL: target.url,
    LIAISON_PSEUDONYM_KEY: seeded.pseudonymKey,
    LIAISON_GRAPHIQL: 'false',
    LIAISON_RATE_REQUESTS_PER_MINUTE: '1000000',
    LIAISON_RATE_COST_PER_MINUTE: '100000000',
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
  });
  const logger = createLogger({ level: 'info', pretty: false, destination: pino.destination({ dest: '/dev/null', sync: false }) });
  const cursorKey = ephemeralCursorKey();
  const variables = { code: seeded.operationCode };
  const document: DocumentNode = parse(DENS_QUERY);
  const body = JSON.stringify({ query: DENS_QUERY, variables });
  const verifier = { verify: async () => viewer, invalidate: () => {} };
  const audit = { append: async () => {} };
  const database = db;
  const context = (compiledReads: boolean): RequestContext => ({
    prisma: database.prisma,
    viewer: { ...viewer, at: new Date() },
    requestId: 'profile',
    log: logger,
    now: () => new Date(),
    edge: { viewer, requestId: 'profile' },
    ingest: undefined,
    cursorKey,
    compiledReads,
  });

  const rows: { layer: string; cpuMs: number; wallMs: number; threads: string }[] = [];
  const measure = async (layer: string, run: () => Promise<unknown>) => {
    if (!layer.includes(opts.only)) return;
    const figures = opts['profile-dir'] ? await sampled(layer, () => cpuPerCall(run)) : await cpuPerCall(run);
    rows.push({ layer, ...figures });
    console.log(`${layer.padEnd(28)} ${figures.cpuMs.toFixed(2).padStart(7)} ms CPU/req  ${figures.wallMs.toFixed(2).padStart(7)} ms wall/req  (threads, ms/req: ${figures.threads})`);
  };

  for (const compiledReads of [false, true]) {
    const tag = compiledReads ? 'compiled' : 'prisma';
    const app = await createApp({ config, db, logger, verifier, audit, cursorKey, compiledReads });
    const post = () =>
      app.fastify.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, payload: body });
    const first = await post();
    check(JSON.parse(first.body), `app/${tag}`);
    await measure(`app (${tag})`, post);
    // Every measured answer was the read, not a refusal.
    check(JSON.parse((await post()).body), `app/${tag} after the loop`);
    await app.close();

    const yoga = createYoga({ schema, logging: false, context: () => context(compiledReads) });
    await measure(`yoga, no plugins (${tag})`, async () => {
      const res = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.text();
    });

    const yogaWith = (plugins: Parameters<typeof createYoga>[0]['plugins']) =>
      createYoga({ schema, logging: false, plugins, context: () => context(compiledReads) });
    for (const [name, withPlugins] of [
      ['+armor', yogaWith(useArmor({ graphiqlEnabled: false }))],
      ['+armor +pages', yogaWith([...useArmor({ graphiqlEnabled: false }), usePageLimits()])],
    ] as const) {
      await measure(`yoga ${name} (${tag})`, async () => {
        const res = await withPlugins.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.text();
      });
    }

    const once = await execute({ schema, document, variableValues: variables, contextValue: context(compiledReads) });
    check(once, `execute/${tag}`);
    await measure(`execute (${tag})`, () => execute({ schema, document, variableValues: variables, contextValue: context(compiledReads) }) as Promise<unknown>);

    if (compiledReads) {
      const direct = () => executeDirect({ schema, document, variableValues: variables, contextValue: context(true) });
      check((await direct()) ?? { errors: ['the direct writer declined the bench read'] }, 'direct');
      await measure('direct (compiled)', direct);
    }

    const jitYoga = createYoga({ schema, logging: false, plugins: [useGraphQlJit()], context: () => context(compiledReads) });
    const jitPost = () => jitYoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    check(await (await jitPost()).json(), `yoga+jit/${tag}`);
    await measure(`yoga+jit, no plugins (${tag})`, async () => (await jitPost()).text());
  }

  // Auth and audit as deployed: the real token verifier (jose, the agency's row, the replay
  // cache) and the real audit chain, on the nested read and on `{ me }`, beside the same app with
  // a fixed viewer, so their difference is what auth and audit cost a request.
  const services = await createServices({ config, db, pseudonymKey: seeded.pseudonymKey });
  const authed = await createApp({ config, db, logger, verifier: services.verifier, audit: services.audit, cursorKey, compiledReads: true });
  const fixed = await createApp({ config, db, logger, verifier, audit, cursorKey, compiledReads: true });
  const meBody = JSON.stringify({ query: ME_QUERY });
  for (const [layer, app, payload] of [
    ['app, auth+audit (compiled)', authed, body],
    ['me, fixed viewer', fixed, meBody],
    ['me, auth+audit', authed, meBody],
  ] as const) {
    if (!layer.includes(opts.only)) continue;
    const tokens = await TokenPool.mint(seeded.agencies[0]!, config.audience, REQUESTS + 25);
    const post = async () => {
      const answer = await app.fastify.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.take()}` },
        payload,
      });
      if (answer.statusCode !== 200 || answer.body.includes('"errors"')) throw new Error(`${layer}: ${answer.statusCode} ${answer.body.slice(0, 200)}`);
    };
    await measure(layer, post);
  }
  await authed.close();
  await fixed.close();

  // The Prisma part alone: the queries the Prisma path sends for this document.
  const operation = await db.prisma.operation.findFirstOrThrow({ where: { code: seeded.operationCode }, select: { id: true } });
  const nodeSelect = (fields: Record<string, true>) => ({ select: { id: true, ...fields } });
  await measure('prisma queries alone', () =>
    database.prisma.scamDen.findMany({
      where: { operationId: operation.id, OR: [{ ownerId: viewer.agencyId }, { retractedAt: null, sharingLevel: { in: ['CLEAR', 'GREEN', 'AMBER'] } }] },
      orderBy: { id: 'asc' },
      take: DENS_PAGE + 1,
      select: {
        id: true, country: true, region: true, denType: true, status: true, raidedOn: true, devicesSeized: true,
        suspects: { orderBy: { id: 'asc' }, take: NESTED_PAGE + 1, ...nodeSelect({ personKey: true, role: true, status: true, statusOn: true }) },
        funds: { orderBy: { id: 'asc' }, take: NESTED_PAGE + 1, ...nodeSelect({ amount: true, currency: true, amountUsd: true, action: true }) },
      },
    }),
  );

  const edges = DENS_PAGE * (1 + 2 * NESTED_PAGE);
  await measure(`cursors (${edges} seals)`, async () => {
    for (let i = 0; i < edges; i += 1) encodeCursor(cursorKey, 'ScamDen.suspects', ['00000000-0000-4000-8000-000000000000']);
  });

  const cpu = (layer: string) => rows.find((r) => r.layer === layer)?.cpuMs ?? NaN;
  console.log(`\nprisma path / compiled path, whole app: ${(cpu('app (prisma)') / cpu('app (compiled)')).toFixed(2)}x CPU per request`);
} finally {
  await db?.close();
  await target.drop();
}
