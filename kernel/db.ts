// Storage: PostgreSQL through @prisma/adapter-pg when DATABASE_URL is set, otherwise the
// embedded PGlite persisted under LIAISON_DATA_DIR. Both get the same migrations and SQL.
// PGlite is PostgreSQL 18 compiled to WebAssembly with fsync off: fine for evaluation and
// small deployments, not a replacement for a PostgreSQL server in production. It runs on a
// thread of its own (kernel/pglite-thread.ts), not on the one that answers requests.
import { createHash } from 'node:crypto';
import { access, chmod, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { Prisma, PrismaClient } from '../prisma/generated/client/client.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { makePrivateDir } from './data-dir.ts';
import { ErrorCode, LiaisonError } from './errors.ts';
import { watchPool } from './metrics.ts';
import { listenPglite, listenPostgres, type NotificationHandlers, type StopListening } from './notifications.ts';
import { PGliteThread, type EmbeddedTransaction } from './pglite-thread.ts';

export type Database = {
  readonly kind: 'postgres' | 'pglite';
  /** Reads, auth, audit and everything else that answers requests. */
  readonly prisma: PrismaClient;
  /**
   * Submissions' write transactions. On PostgreSQL its own pool (`writerPoolSize`), so that
   * however many submissions run, they can never take the connections reads need; on the
   * embedded database the same client (PGlite has one connection).
   */
  readonly writer: PrismaClient;
  /**
   * The rate limits' counters (api/limits/) on PostgreSQL: a pool of its own, so that counting
   * requests never waits for, or takes, a connection that reads or writes need.
   */
  readonly limitsPool: pg.Pool | undefined;
  /**
   * The connection of `tx`, an interactive transaction of `writer`, on PostgreSQL: statements
   * sent on it run inside that transaction, without Prisma encoding and decoding their
   * parameters (ingest's batch statements send each batch as one large JSON text). Undefined
   * on the embedded database, and whenever the connection cannot be told for certain.
   */
  connectionOf(tx: Pick<PrismaClient, '$queryRaw'>): Promise<TransactionConnection | undefined>;
  /**
   * The statements every request sends (the token check, the audit append, compiled reads,
   * match lookups) without Prisma's runtime: on PostgreSQL straight on the reads pool, which
   * costs a quarter of the CPU of `$queryRaw` per statement (0.06 against 0.23 ms, measured
   * side by side); on the embedded database `prisma` itself (one connection either way).
   * Rows are as the driver parses them: int8 and numeric come back as strings on PostgreSQL
   * and as bigint or Decimal through Prisma, so a caller converts what it reads of them.
   */
  readonly statements: PlainStatements;
  /**
   * The same, on the writer's pool (PostgreSQL): ingest's statements outside a submission's
   * transaction, such as the lookup of unchanged records, whose parameters are a batch's refs
   * and digests. Through Prisma they cost its encoding and, worse, stayed in memory: Prisma's
   * driver adapter passes every statement to its debug log, which keeps the arguments of the
   * last 100 statements whether or not logging is on (about 30 MB of refs and digests during
   * a large submission, measured in a heap snapshot). `writer` itself on the embedded database.
   */
  readonly writerStatements: PlainStatements;
  /** The embedded database's own handle (its thread), only there: dumps, its thread's memory. */
  readonly pglite: PGliteThread | undefined;
  readonly adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  migrate(): Promise<string[]>;
  /** LISTENs on `channel`: on PostgreSQL through one connection of its own, outside the pools. */
  listen(channel: string, handlers: NotificationHandlers): Promise<StopListening>;
  close(): Promise<void>;
};

/** A statement sent on a write transaction's own connection (`Database.connectionOf`). */
export type TransactionConnection = {
  query<R extends pg.QueryResultRow>(statement: string | { text: string; values?: unknown[] }): Promise<{ rows: R[] }>;
  /**
   * Whether a Uint8Array parameter reaches the server as a binary value, so that a jsonb
   * parameter may be PostgreSQL's binary jsonb (node-postgres). PGlite sends one as bytea: a
   * jsonb parameter goes there as its text.
   */
  readonly binaryParameters: boolean;
};

/** The raw-statement subset of Prisma's client, which `Database.statements` implements outside it. */
export type PlainStatements = Pick<PrismaClient, '$queryRaw' | '$executeRaw' | '$queryRawUnsafe'>;

/**
 * Errors of the database's own sockets that are not PostgreSQL's answers: a connection reset
 * or cut while a statement was on it (a restarting server drops some connections so; seen as
 * `read ECONNRESET` from the audit append under load). Node's error names no peer, so it is
 * marked where it is known to come from the database, and only there.
 */
const connectionFailures = new WeakSet<object>();
const isSocketError = (e: unknown): e is Error =>
  e instanceof Error && !(e instanceof pg.DatabaseError) && typeof (e as { syscall?: unknown }).syscall === 'string';

/** Whether `error` is a failure of a database connection's socket, thrown by `Database.statements` or a `TransactionConnection`. */
export const isDatabaseSocketError = (error: unknown): boolean => typeof error === 'object' && error !== null && connectionFailures.has(error);

async function markingSocketErrors<T>(sent: Promise<T>): Promise<T> {
  try {
    return await sent;
  } catch (error) {
    if (isSocketError(error)) connectionFailures.add(error);
    throw error;
  }
}

/**
 * Prisma's raw-statement calls, sent by node-postgres on `pool`, each statement prepared once
 * per connection under the name Prisma's own statements get. Errors are pg's DatabaseError
 * (api/error-response.ts reads its SQLSTATE as it reads Prisma's).
 */
function plainStatements(pool: pg.Pool): PlainStatements {
  const run = (text: string, values: readonly unknown[]) => markingSocketErrors(pool.query({ name: statementName(text), text, values: values as unknown[] }));
  const sqlOf = (query: TemplateStringsArray | Prisma.Sql, values: unknown[]) => (query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values));
  const statements = {
    $queryRaw: async (query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => {
      const sql = sqlOf(query, values);
      return (await run(sql.text, sql.values)).rows;
    },
    $executeRaw: async (query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => {
      const sql = sqlOf(query, values);
      return (await run(sql.text, sql.values)).rowCount ?? 0;
    },
    $queryRawUnsafe: async (text: string, ...values: unknown[]) => (await run(text, values)).rows,
  };
  // Prisma types these as PrismaPromise (a lazily run promise for $transaction batches); a
  // plain statement is only ever awaited, which a promise of the same result satisfies.
  return statements as unknown as PlainStatements;
}

export type OpenDatabaseOptions = {
  databaseUrl?: string | undefined;
  /** Directory of the embedded database; `memory://` keeps it in memory. */
  dataDir?: string | undefined;
  /** A dump of a migrated PGlite (tests restore it instead of migrating each time). */
  pgliteDump?: Blob | undefined;
  statementTimeoutMs?: number;
  poolSize?: number;
  /** Connections for submissions' write transactions (PostgreSQL; default 4). */
  writerPoolSize?: number;
};

/** node-postgres keeps the server process id of a connection, untyped. */
const backendPid = (client: pg.ClientBase): number => (client as pg.ClientBase & { processID: number }).processID;

/** Each counter update is one short upsert; two connections serve many requests per second. */
const LIMITS_POOL_SIZE = 2;
const LIMITS_STATEMENT_TIMEOUT_MS = 2_000;
/**
 * The counters' commits do not wait for their WAL to reach the disk (each request makes two).
 * A count is soft state: the counters fall back to memory when the database is away, and what
 * a crash of the database can lose is the counting of the last fraction of a second
 * (wal_writer_delay), never a record, an audit event or a used token id, whose commits stay
 * synchronous on the other pools.
 */
const LIMITS_SESSION_SETTINGS = '-c synchronous_commit=off';

/**
 * Names prepared statements by the hash of their SQL so PostgreSQL parses and plans each
 * distinct statement once per connection (Prisma's queries repeat with other parameters).
 */
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `l_${createHash('sha1').update(sql).digest('base64url')}`;
    // Prisma's statements are a bounded set; ad-hoc SQL (ingest batches of varying size) is not.
    if (statementNames.size < 5_000) statementNames.set(sql, name);
  }
  return name;
}

/**
 * adapter-pg runs a migration script statement by statement, split at every `;`, which cuts a
 * function body (a trigger's) apart. PostgreSQL's simple query protocol runs the whole script
 * as sent, in one implicit transaction: the migrations get that instead.
 */
function wholeScripts(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  const whole = async (connecting: Promise<SqlDriverAdapter>): Promise<SqlDriverAdapter> => {
    const adapter = await connecting;
    // adapter-pg's adapter (not its declared interface) hands out its pool.
    const pool = (adapter as SqlDriverAdapter & { underlyingDriver(): pg.Pool }).underlyingDriver();
    adapter.executeScript = async (script) => {
      await pool.query(script);
    };
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => whole(factory.connect()),
    connectToShadowDb: () => whole(factory.connectToShadowDb()),
  };
}

/** Our own advisory lock key for migration runs: 'liaison-migrations' in eight bytes. */
export const MIGRATION_TURN_LOCK = 0x6c69616d69677274n;
/** How long a starting process waits for other processes' migration runs. */
const MIGRATION_TURN_WAIT = '180s';

/**
 * Several gateway processes starting together on one PostgreSQL take turns at migrating. The
 * schema engine's own lock gives up after 10 s, which a busy machine exceeded (CI: the second
 * of two processes failed to start); this outer lock is waited for much longer, so the engine
 * always finds its own lock free, and the processes after the first find nothing to apply.
 */
async function inMigrationTurn<T>(databaseUrl: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, options: `-c lock_timeout=${MIGRATION_TURN_WAIT}`, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_TURN_LOCK.toString()]);
    return await work();
  } finally {
    // Ending the session releases the lock, also when the unlock itself fails.
    await client.end().catch(() => undefined);
  }
}

/**
 * Set on every gateway session. JIT off: PostgreSQL compiles a statement whose estimated cost
 * passes jit_above_cost (100,000) with LLVM, and the gateway's statements are short but some
 * are estimated high (an operation summary over 100,000 suspects: 1.2 s, of which 0.6 s was
 * JIT compilation, measured with EXPLAIN ANALYZE); none of them runs long enough to repay it.
 */
const SESSION_SETTINGS = '-c jit=off';

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
  const databaseUrl = options.databaseUrl;
  if (databaseUrl) {
    // The pools are made here, not by adapter-pg, so that /metrics can watch their use.
    const pgPools: pg.Pool[] = [];
    const unwatch: (() => void)[] = [];
    const poolConfig = (max: number): pg.PoolConfig => ({
      connectionString: databaseUrl,
      max,
      options: `-c statement_timeout=${statementTimeoutMs} ${SESSION_SETTINGS}`,
      connectionTimeoutMillis: 5_000,
    });
    const pool = (name: string, max: number, byBackend?: Map<number, pg.ClientBase>) => {
      const made = new pg.Pool(poolConfig(max));
      pgPools.push(made);
      unwatch.push(watchPool(name, made));
      // Between Prisma's connect and disconnect adapter-pg listens too; outside them a dropped idle connection must not crash us.
      made.on('error', () => undefined);
      if (byBackend) {
        // The server process id of each connection (node-postgres has it from the start-up
        // message) names the connection a transaction runs on: see connectionOf.
        made.on('connect', (client) => byBackend.set(backendPid(client), client));
        made.on('remove', (client) => byBackend.delete(backendPid(client)));
      }
      return made;
    };
    const adapterOf = (made: pg.Pool) => new PrismaPg(made, { statementNameGenerator: (query) => statementName(query.sql) });
    const readsPool = pool('reads', options.poolSize ?? 10);
    const adapterFactory = adapterOf(readsPool);
    const prisma = new PrismaClient({ adapter: adapterFactory });
    const writerConnections = new Map<number, pg.ClientBase>();
    const writerPool = pool('writer', options.writerPoolSize ?? 4, writerConnections);
    const writer = new PrismaClient({ adapter: adapterOf(writerPool) });
    const limitsPool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: LIMITS_POOL_SIZE,
      options: `-c statement_timeout=${LIMITS_STATEMENT_TIMEOUT_MS} ${SESSION_SETTINGS} ${LIMITS_SESSION_SETTINGS}`,
      connectionTimeoutMillis: 2_000,
    });
    // An idle connection that drops (a database restart) is replaced at the next count; until
    // then the counters count in memory. Unlistened, pg would throw it as an uncaught error.
    limitsPool.on('error', () => undefined);
    unwatch.push(watchPool('limits', limitsPool));
    return {
      kind: 'postgres',
      prisma,
      writer,
      limitsPool,
      statements: plainStatements(readsPool),
      writerStatements: plainStatements(writerPool),
      connectionOf: async (tx) => {
        const [row] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
        const client = row ? writerConnections.get(row.pid) : undefined;
        // A statement given as text and values is prepared once per connection, as the reads'
        // are (statementName): an ingest batch statement, the same text for every batch of a
        // table, was parsed and planned again for each batch.
        return (
          client && {
            query: (statement) =>
              markingSocketErrors(client.query(typeof statement === 'string' ? statement : { name: statementName(statement.text), ...statement })),
            binaryParameters: true,
          }
        );
      },
      pglite: undefined,
      adapterFactory,
      // Migrations on a pool of their own, ended afterwards: Prisma's session advisory lock
      // must not stay behind on a pooled connection, where it would block every other process.
      // A pool of its own, ended as soon as the run is over: the engine leaves its session
      // advisory lock on the connection, which an idle pool kept for 10 s, so another process
      // starting meanwhile gave up waiting for it (CI). No statement timeout there (building
      // an index on a large table may rightly take longer than a query), a bounded lock wait.
      migrate: () =>
        inMigrationTurn(databaseUrl, async () => {
          const pool = new pg.Pool({ ...poolConfig(1), options: '-c statement_timeout=0 -c lock_timeout=30000' });
          pool.on('error', () => undefined);
          try {
            return await applyMigrations(wholeScripts(new PrismaPg(pool)));
          } finally {
            await pool.end();
          }
        }),
      listen: (channel, handlers) => listenPostgres(databaseUrl, channel, handlers),
      close: async () => {
        for (const forget of unwatch) forget();
        await Promise.all([prisma.$disconnect(), writer.$disconnect(), limitsPool.end()]);
        await Promise.all(pgPools.map((p) => p.end()));
      },
    };
  }

  const dataDir = options.dataDir ?? 'memory://';
  const onDisk = !dataDir.startsWith('memory://');
  const pgdata = onDisk ? join(dataDir, 'pgdata') : dataDir;
  // A new cluster is unpacked from PGlite's bundled archive with the archive's modes (0666),
  // bypassing the umask; files PostgreSQL creates later are 0600 on their own, except the
  // relcache files (pg_internal.init) that every start writes 0644 whatever the umask: the tree
  // is tightened each time the database's thread has started on it, silently (before, the next
  // start found them loose and warned about them, every start after a migration); a walk of
  // about 0.1 s over a migrated cluster's 1,156 entries.
  const unpacksCluster = onDisk && !(await access(join(pgdata, 'PG_VERSION')).then(() => true, () => false));
  if (onDisk) await makePrivate(dataDir);
  if (unpacksCluster) {
    // Unpacked on a thread that then ends, taking along the buffers PGlite unpacked with (its
    // archive, the WebAssembly memory that ran initdb), which nothing references afterwards
    // but which V8 frees only at some later full collection, even one forced at once left
    // about 190 MB of them: the thread that runs the database opens the unpacked cluster as a
    // restart would (its buffers 11 against 197-238 MB, the process 510-516 MB of RSS against
    // 882-885 MB, measured side by side). The cost is one more start, once per new cluster.
    await (await PGliteThread.open({ dataDir: pgdata, dump: options.pgliteDump })).close();
  }
  const pglite = await PGliteThread.open({ dataDir: pgdata, dump: unpacksCluster ? undefined : options.pgliteDump });
  if (onDisk) await tightenTree(pgdata);
  // PGlite has one connection, so one transaction is open at a time. Prisma's adapter opens
  // transactions through this proxy, which keeps PGlite's own transaction object while it is
  // open, for connectionOf; everything else reaches PGlite as it is.
  let openTransaction: EmbeddedTransaction | undefined;
  const client = new Proxy(pglite, {
    get(target, property) {
      if (property === 'transaction') {
        return async <T>(run: (tx: EmbeddedTransaction) => Promise<T>): Promise<T> =>
          target.transaction(async (tx) => {
            openTransaction = tx;
            try {
              return await run(tx);
            } finally {
              if (openTransaction === tx) openTransaction = undefined;
            }
          });
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  // The adapter calls query (with rowMode and parsers), exec and transaction (whose object it
  // calls query and rollback on), all of which the thread's handle offers as PGlite does.
  const adapterFactory = new PrismaPGlite(client as unknown as PGlite);
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return {
    kind: 'pglite',
    prisma,
    writer: prisma,
    limitsPool: undefined,
    statements: prisma,
    writerStatements: prisma,
    // The open transaction's own object, once it has shown to be `tx`'s (the same transaction
    // id seen through both): ingest's batch statements then skip Prisma, which JSON-encoded
    // their megabyte of text and decoded it again, and whose driver adapter kept the last 100
    // statements' arguments in memory (kernel/db.ts writerStatements says more).
    connectionOf: async (tx) => {
      const open = openTransaction;
      if (!open) return undefined;
      const [asked] = await tx.$queryRaw<{ id: string }[]>`SELECT txid_current()::text AS id`;
      const { rows: [own] } = await open.query<{ id: string }>('SELECT txid_current()::text AS id');
      if (!asked || asked.id !== own?.id) return undefined;
      return {
        query: async <R extends pg.QueryResultRow>(statement: string | { text: string; values?: unknown[] }) => {
          // Ended meanwhile (Prisma's transaction timeout): a retry, as Prisma answers a statement on a closed transaction.
          if (openTransaction !== open) {
            throw new LiaisonError(ErrorCode.SERVICE_UNAVAILABLE, 'The database transaction has ended; try again later.', {
              headers: { 'retry-after': '5' },
              reason: 'database_unavailable',
            });
          }
          const { rows } = typeof statement === 'string' ? await open.query<R>(statement) : await open.query<R>(statement.text, statement.values);
          return { rows };
        },
        binaryParameters: false,
      };
    },
    pglite,
    adapterFactory,
    migrate: () => applyMigrations(adapterFactory),
    listen: (channel, handlers) => listenPglite(pglite, channel, handlers),
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}

/**
 * The embedded database's files hold every record (and the WAL holds recent ones in the
 * clear), so no other local user may read them. The process holding an embedded database
 * narrows its umask to owner-only before PGlite writes anything; a data directory left
 * readable by an earlier version or by hand is tightened (directories 0700, files 0600) with a
 * warning naming how many entries changed.
 */
async function makePrivate(dataDir: string): Promise<void> {
  await makePrivateDir(dataDir);
  const loosened = await tightenTree(dataDir);
  if (loosened > 0) {
    process.emitWarning(`made ${loosened} entries of the data directory ${dataDir} private to their owner (they were readable or writable by others)`, {
      code: 'LIAISON_DATA_DIR_PERMISSIONS',
    });
  }
}

/** chmods every directory to 0700 and every file to 0600 below `path`; returns how many changed. */
async function tightenTree(path: string): Promise<number> {
  const info = await stat(path);
  const wanted = info.isDirectory() ? 0o700 : 0o600;
  let changed = 0;
  if ((info.mode & 0o077) !== 0) {
    await chmod(path, wanted);
    changed++;
  }
  if (info.isDirectory()) {
    for (const entry of await readdir(path)) changed += await tightenTree(join(path, entry));
  }
  return changed;
}
