// Where the rate limits count: rate-limiter-flexible with one of three stores, chosen once per
// gateway. Redis when REDIS_URL is set; PostgreSQL (its own small pool, kernel/db.ts, and the
// table `rate_limit_counter` that our migration creates) when the database is PostgreSQL, so
// every gateway process on the database shares one count; this process's memory on the
// embedded database, which only one process can open anyway. A store that fails falls back to
// counting in memory (the library's insurance limiter) rather than refusing or admitting all.
import { Redis } from 'ioredis';
import type pg from 'pg';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Config } from '../../kernel/config.ts';
import { batched } from '../../kernel/batch.ts';
import type { Database } from '../../kernel/db.ts';

/** Every limit counts over one fixed window of a minute. */
export const WINDOW_SECONDS = 60;
const TABLE = 'rate_limit_counter';

export type CounterStore = 'memory' | 'postgres' | 'redis';

/**
 * The counters never refuse by themselves: each kind of count has one limiter, whose
 * allowance is out of reach, and the callers compare what was counted with the allowance of
 * the agency or address. So an agency's own limit, set or changed by the operator, reads the
 * same count as the default did (the stores keep one row or key per kind and key).
 */
const UNBOUNDED = 2_000_000_000;

/** The most callers whose counts one statement carries. */
const MAX_CALLERS_PER_STATEMENT = 200;

/** One count to add: `points` (negative gives back) to `key` in the counter of `kind`. */
export type Charge = { readonly kind: string; readonly key: string; readonly points: number };

export type Counters = {
  readonly store: CounterStore;
  /** The counter of one kind of count (`kind` keeps counts apart), one fixed window per key (a minute unless given). */
  counter(kind: string, windowSeconds?: number): RateLimiterAbstract;
  /**
   * Adds every charge at once, each in its own kind's counter (made first with `counter`), and
   * returns where each stands, in the order given. On PostgreSQL this is one statement for all
   * of them (a request's minute and second counts cost one round trip, not two), shared with the
   * callers that count while the previous statement runs (one statement of counts at a time per
   * process, kernel/batch.ts: under load the statements follow the time they take, not the
   * requests); the counts, windows and keys are exactly those `counter(kind).consume` keeps, so
   * both read one count.
   */
  consumeTogether(charges: readonly Charge[]): Promise<RateLimiterRes[]>;
  close(): Promise<void>;
};

/**
 * rate-limiter-flexible's own upsert (RateLimiterPostgres#_upsert) for several rows: a row whose
 * window has passed starts again at the points given, with a new window; any other adds them.
 */
const UPSERT_MANY = `
  INSERT INTO ${TABLE} AS c (key, points, expire)
  SELECT * FROM unnest($1::varchar[], $2::int[], $3::bigint[])
  ON CONFLICT (key) DO UPDATE SET
    points = CASE WHEN c.expire <= $4 THEN excluded.points ELSE c.points + excluded.points END,
    expire = CASE WHEN c.expire <= $4 THEN excluded.expire ELSE c.expire END
  RETURNING key, points, expire`;

/** The library's reading of an upserted row (RateLimiterPostgres#_getRateLimiterRes). */
function resOf(changedPoints: number, row: { points: number; expire: string | number | null }, now: number): RateLimiterRes {
  const isFirstInDuration = changedPoints === row.points;
  const consumed = isFirstInDuration ? changedPoints : row.points;
  const msBeforeNext = row.expire === null ? -1 : Math.max(Number(row.expire) - now, 0);
  return new RateLimiterRes(Math.max(UNBOUNDED - consumed, 0), msBeforeNext, consumed, isFirstInDuration);
}

export function createCounters(config: Pick<Config, 'redisUrl'>, db: Pick<Database, 'limitsPool'>): Counters {
  const redis = config.redisUrl ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }) : undefined;
  const store: CounterStore = redis ? 'redis' : db.limitsPool ? 'postgres' : 'memory';
  const counters = new Map<string, RateLimiterAbstract>();
  const insurance = new Map<string, RateLimiterMemory>();

  function build(kind: string, windowSeconds: number): RateLimiterAbstract {
    const options = { keyPrefix: `liaison-${kind}`, points: UNBOUNDED, duration: windowSeconds };
    const insuranceLimiter = new RateLimiterMemory(options);
    insurance.set(kind, insuranceLimiter);
    if (redis) return new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter });
    if (db.limitsPool) {
      return new RateLimiterPostgres({
        ...options,
        storeClient: db.limitsPool,
        storeType: 'pool',
        tableName: TABLE,
        tableCreated: true,
        // Only the first counter clears expired rows (every 5 minutes), not each one.
        clearExpiredByTimeout: counters.size === 0,
        insuranceLimiter,
      });
    }
    return insuranceLimiter;
  }

  function counterOf(kind: string): RateLimiterAbstract {
    const counter = counters.get(kind);
    if (!counter) throw new Error(`no counter of kind ${kind}`);
    return counter;
  }

  /**
   * One statement for the charges of several callers (each caller's list in arrival order): the
   * points of one key are added up and the row changed once; each charge then reads the count as
   * it stood after it, as if the callers had counted one after another. A failing store counts
   * them in memory, as each counter would.
   */
  async function upsertMany(pool: pg.Pool, callers: readonly (readonly Charge[])[]): Promise<RateLimiterRes[][]> {
    const now = Date.now();
    const totals = new Map<string, { points: number; expire: number }>();
    const keyed = callers.map((charges) =>
      charges.map((charge) => {
        const key = counterOf(charge.kind).getKey(charge.key);
        const total = totals.get(key) ?? { points: 0, expire: now + counterOf(charge.kind).duration * 1000 };
        total.points += charge.points;
        totals.set(key, total);
        return { charge, key, after: total.points };
      }),
    );
    let rows: { key: string; points: number; expire: string | null }[];
    try {
      const result = await pool.query({
        name: 'liaison-limits-upsert-many',
        text: UPSERT_MANY,
        values: [[...totals.keys()], [...totals.values()].map((t) => t.points), [...totals.values()].map((t) => t.expire), now],
      });
      rows = result.rows;
    } catch {
      return Promise.all(callers.map((charges) => Promise.all(charges.map((c) => insurance.get(c.kind)!.consume(c.key, c.points)))));
    }
    const byKey = new Map(rows.map((row) => [row.key, row]));
    // The row holds the count after every charge of the statement; a charge's own count is that
    // less what the charges after it in the statement added.
    return keyed.map((charges) =>
      charges.map(({ charge, key, after }) => {
        const row = byKey.get(key)!;
        return resOf(charge.points, { ...row, points: row.points - (totals.get(key)!.points - after) }, now);
      }),
    );
  }

  /** Callers that count while a statement runs go together in the next one (kernel/batch.ts). */
  const upsertTogether = db.limitsPool ? batched((callers: (readonly Charge[])[]) => upsertMany(db.limitsPool!, callers), MAX_CALLERS_PER_STATEMENT) : undefined;

  return {
    store,
    counter(kind, windowSeconds = WINDOW_SECONDS) {
      let counter = counters.get(kind);
      if (!counter) {
        counter = build(kind, windowSeconds);
        counters.set(kind, counter);
      }
      return counter;
    },
    consumeTogether(charges) {
      if (new Set(charges.map((c) => `${c.kind}\n${c.key}`)).size !== charges.length) throw new Error('consumeTogether: one charge per key');
      if (store === 'postgres' && upsertTogether) return upsertTogether(charges);
      return Promise.all(charges.map((c) => counterOf(c.kind).consume(c.key, c.points)));
    },
    async close() {
      await redis?.quit().catch(() => undefined);
    },
  };
}
