// The only place that reads process.env: environment → zod → one frozen object.
// A bad setting stops the process at boot with a message naming the variable.
import { resolve } from 'node:path';
import { z } from 'zod';

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  LIAISON_DATA_DIR: z.string().min(1).default('./.liaison'),
  LIAISON_PSEUDONYM_KEY: z.string().min(32, 'must hold at least 32 characters of secret').optional(),
  LIAISON_AUDIENCE: z.string().min(1).default('liaison-gateway'),
  LIAISON_HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LIAISON_MAX_UPLOAD_MB: z.coerce.number().positive().max(1024).default(50),
  LIAISON_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  LIAISON_GRAPHIQL: z.enum(['true', 'false']).optional(),
  LIAISON_PERSISTED_ONLY: z.enum(['true', 'false']).default('false'),
  LIAISON_ISSUER: z
    .string()
    .url()
    .regex(/^https?:\/\/[^/?#]+(\/[^?#]*)?$/, 'must be an http(s) URL without query or fragment')
    .optional(),
  LIAISON_ACCESS_TOKEN_TTL: z.coerce.number().int().min(30).max(3600).default(300),
  LIAISON_SUBMISSIONS_PER_AGENCY: z.coerce.number().int().min(1).max(50).default(2),
  LIAISON_UPLOAD_IDLE_SECONDS: z.coerce.number().int().min(5).max(600).default(30),
  LIAISON_SPOOL_DIR: z.string().min(1).optional(),
  LIAISON_WRITER_POOL: z.coerce.number().int().min(1).max(50).default(4),
  LIAISON_CONSOLE: z.enum(['on', 'off']).default('on'),
  LIAISON_RATE_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(1_200),
  LIAISON_RATE_COST_PER_MINUTE: z.coerce.number().int().min(1).max(100_000_000).default(30_000),
  LIAISON_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(120),
  LIAISON_RATE_COST_PER_OPERATION: z.coerce.number().int().min(1).max(100_000_000).default(1_000),
  LIAISON_RATE_CONCURRENT_PER_AGENCY: z.coerce.number().int().min(1).max(1_000).default(4),
  LIAISON_RATE_REFUSAL_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(1_000),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  LIAISON_DISCLOSURE_DUE_HOURS: z.coerce.number().int().min(1).max(720).default(48),
  LIAISON_METRICS_PORT: z.union([z.literal('off'), z.coerce.number().int().min(0).max(65535)]).default(9464),
  LIAISON_EVENT_STREAMS_PER_AGENCY: z.coerce.number().int().min(1).max(100).default(5),
  LIAISON_WEBHOOK_ALLOW_LOOPBACK: z.enum(['true', 'false']).default('false'),
  NODE_ENV: z.string().optional(),
});

export type Config = Readonly<{
  databaseUrl: string | undefined;
  dataDir: string;
  pseudonymKey: string | undefined;
  audience: string;
  host: string;
  port: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  maxUploadBytes: number;
  statementTimeoutMs: number;
  graphiql: boolean;
  /** Only registered (persisted) GraphQL operations, for every agency (ignored while GraphiQL is on). */
  persistedOnly: boolean;
  prettyLogs: boolean;
  /**
   * The gateway's OAuth issuer identifier (RFC 8414): its public base URL, as partners reach
   * it. `LIAISON_ISSUER`, default `http://<host>:<port>`; the token endpoint is `<issuer>/oauth/token`.
   */
  issuer: string;
  /** Lifetime of the access tokens `POST /oauth/token` issues (`LIAISON_ACCESS_TOKEN_TTL`, 30..3600 s). */
  accessTokenTtlSeconds: number;
  /** Submissions one agency may have in progress at once in this process; more → 429. */
  submissionsPerAgency: number;
  /** An upload that sends nothing for this long is abandoned with 408. */
  uploadIdleMs: number;
  /** Where uploads are spooled (encrypted) while they arrive; undefined = the OS temp directory. */
  spoolDir: string | undefined;
  /** PostgreSQL connections reserved for submissions' write transactions. */
  writerPoolSize: number;
  /** Whether the web console is served at /console (`LIAISON_CONSOLE`, `on` or `off`). */
  console: boolean;
  /**
   * Per-agency limits per minute, shared by every gateway process (api/limits/): requests
   * (GraphQL and REST) and GraphQL cost points. An agency's own values, set by the operator
   * (`liaison agency limits`), replace these defaults.
   */
  rateLimits: Readonly<{
    requestsPerMinute: number;
    costPerMinute: number;
    authFailuresPerMinute: number;
    /** The most one GraphQL operation may cost, whatever is left of the minute's points. */
    costPerOperation: number;
    /** GraphQL operations of one agency executing at once in one process. */
    concurrentPerAgency: number;
    /**
     * How long the answer to a request is held back when its agency keeps sending after it was
     * refused for its request limit in this window (ISO-36); 0 answers at once.
     */
    refusalDelayMs: number;
  }>;
  /** Where the limits' counters live when set; otherwise PostgreSQL (DATABASE_URL) or this process's memory. */
  redisUrl: string | undefined;
  /** Hours an owner has to decide a disclosure request before it reads OVERDUE (`LIAISON_DISCLOSURE_DUE_HOURS`, default 48). */
  disclosureDueHours: number;
  /** Port of the loopback-only Prometheus listener (`LIAISON_METRICS_PORT`, `off` = none). */
  metricsPort: number | undefined;
  /** Event streams (GraphQL subscriptions) one agency may hold open at once in this process. */
  eventStreamsPerAgency: number;
  /** Webhook URLs may be http://127.0.0.1 or http://localhost (tests, local relays); otherwise HTTPS only. */
  webhookAllowLoopback: boolean;
  /** Token-verification limits (docs/security.md); not meant to be tuned. */
  tokens: Readonly<{
    maxLifetimeSeconds: number;
    clockToleranceSeconds: number;
    maxFutureSeconds: number;
    jwksTimeoutMs: number;
    jwksCooldownMs: number;
    jwksCacheMaxAgeMs: number;
  }>;
}>;

/** The issuer when LIAISON_ISSUER is not set: the loopback URL of the configured host and port. */
export const defaultIssuer = (host: string, port: number) => `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.DATABASE_URL && !e.LIAISON_PSEUDONYM_KEY) {
    throw new ConfigError(
      'invalid environment:\n  LIAISON_PSEUDONYM_KEY: required when DATABASE_URL is set (the embedded database generates its own)',
    );
  }
  const issuer = (e.LIAISON_ISSUER ?? defaultIssuer(overrides.host ?? e.LIAISON_HOST, overrides.port ?? e.PORT)).replace(/\/+$/, '');
  // Assertions for the token endpoint carry the issuer or the token endpoint as `aud`; were the
  // gateway audience one of them, an assertion would pass as a direct token and vice versa.
  if (e.LIAISON_AUDIENCE === issuer || e.LIAISON_AUDIENCE === `${issuer}/oauth/token`) {
    throw new ConfigError('invalid environment:\n  LIAISON_AUDIENCE: must differ from the OAuth issuer (LIAISON_ISSUER) and its token endpoint');
  }
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(e.LIAISON_DATA_DIR),
    pseudonymKey: e.LIAISON_PSEUDONYM_KEY,
    audience: e.LIAISON_AUDIENCE,
    host: e.LIAISON_HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    maxUploadBytes: Math.floor(e.LIAISON_MAX_UPLOAD_MB * 1024 * 1024),
    statementTimeoutMs: e.LIAISON_STATEMENT_TIMEOUT_MS,
    graphiql: e.LIAISON_GRAPHIQL ? e.LIAISON_GRAPHIQL === 'true' : e.NODE_ENV !== 'production',
    persistedOnly: e.LIAISON_PERSISTED_ONLY === 'true',
    prettyLogs: Boolean(process.stdout.isTTY) && e.NODE_ENV !== 'production',
    issuer,
    accessTokenTtlSeconds: e.LIAISON_ACCESS_TOKEN_TTL,
    submissionsPerAgency: e.LIAISON_SUBMISSIONS_PER_AGENCY,
    uploadIdleMs: e.LIAISON_UPLOAD_IDLE_SECONDS * 1000,
    spoolDir: e.LIAISON_SPOOL_DIR === undefined ? undefined : resolve(e.LIAISON_SPOOL_DIR),
    writerPoolSize: e.LIAISON_WRITER_POOL,
    console: e.LIAISON_CONSOLE === 'on',
    rateLimits: Object.freeze({
      requestsPerMinute: e.LIAISON_RATE_REQUESTS_PER_MINUTE,
      costPerMinute: e.LIAISON_RATE_COST_PER_MINUTE,
      authFailuresPerMinute: e.LIAISON_AUTH_FAILURES_PER_MINUTE,
      costPerOperation: e.LIAISON_RATE_COST_PER_OPERATION,
      concurrentPerAgency: e.LIAISON_RATE_CONCURRENT_PER_AGENCY,
      refusalDelayMs: e.LIAISON_RATE_REFUSAL_DELAY_MS,
    }),
    redisUrl: e.REDIS_URL,
    disclosureDueHours: e.LIAISON_DISCLOSURE_DUE_HOURS,
    metricsPort: e.LIAISON_METRICS_PORT === 'off' ? undefined : e.LIAISON_METRICS_PORT,
    eventStreamsPerAgency: e.LIAISON_EVENT_STREAMS_PER_AGENCY,
    webhookAllowLoopback: e.LIAISON_WEBHOOK_ALLOW_LOOPBACK === 'true',
    tokens: Object.freeze({
      maxLifetimeSeconds: 300,
      clockToleranceSeconds: 10,
      maxFutureSeconds: 60,
      jwksTimeoutMs: 5_000,
      jwksCooldownMs: 30_000,
      jwksCacheMaxAgeMs: 600_000,
    }),
    ...overrides,
  });
}
