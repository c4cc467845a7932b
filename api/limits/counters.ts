// Where the rate limits count: rate-limiter-flexible with one of three stores, chosen once per
// gateway. Redis when REDIS_URL is set; PostgreSQL (its own small pool, kernel/db.ts, and the
// table `rate_limit_counter` that our migration creates) when the database is PostgreSQL, so
// every gateway process on the database shares one count; this process's memory on the
// embedded database, which only one process can open anyway. A store that fails falls back to
// counting in memory (the library's insurance limiter) rather than refusing or admitting all.
import { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Config } from '../../kernel/config.ts';
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

export type Counters = {
  readonly store: CounterStore;
  /** The counter of one kind of count (`kind` keeps counts apart), one fixed window per key (a minute unless given). */
  counter(kind: string, windowSeconds?: number): RateLimiterAbstract;
  close(): Promise<void>;
};

export function createCounters(config: Pick<Config, 'redisUrl'>, db: Pick<Database, 'limitsPool'>): Counters {
  const redis = config.redisUrl ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }) : undefined;
  const store: CounterStore = redis ? 'redis' : db.limitsPool ? 'postgres' : 'memory';
  const counters = new Map<string, RateLimiterAbstract>();

  function build(kind: string, windowSeconds: number): RateLimiterAbstract {
    const options = { keyPrefix: `liaison-${kind}`, points: UNBOUNDED, duration: windowSeconds };
    const insuranceLimiter = new RateLimiterMemory(options);
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
    async close() {
      await redis?.quit().catch(() => undefined);
    },
  };
}
