// The whole gateway for the match benchmark (bench/match/run.ts): api/app.ts's createApp wired
// as api/server.ts wires it (real token verification, replay cache, audit chain, matching), on
// the bench's PostgreSQL database. Production settings: no GraphiQL, introspection off, the
// info-level access log written to /dev/null.
import pino from 'pino';
import { createApp } from '../../api/app.ts';
import { createServices } from '../../api/services.ts';
import { loadConfig } from '../../kernel/config.ts';
import { openDatabase } from '../../kernel/db.ts';
import { createLogger } from '../../kernel/logger.ts';
import { listenOnLoopback, runBenchChild, requiredEnv } from '../lib/child.ts';
import { ENV } from '../lib/protocol.ts';

await runBenchChild(async () => {
  const pseudonymKey = requiredEnv(ENV.pseudonymKey);
  const config = loadConfig(
    {
      DATABASE_URL: requiredEnv(ENV.databaseUrl),
      LIAISON_PSEUDONYM_KEY: pseudonymKey,
      LIAISON_GRAPHIQL: 'false',
      LIAISON_METRICS_PORT: 'off',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
    },
    { host: '127.0.0.1', port: 0 },
  );
  const db = await openDatabase({ databaseUrl: config.databaseUrl, statementTimeoutMs: config.statementTimeoutMs, writerPoolSize: config.writerPoolSize });
  const logger = createLogger({ level: config.logLevel, pretty: false, destination: pino.destination({ dest: '/dev/null', sync: false }) });
  const services = await createServices({ config, db, pseudonymKey });
  const app = await createApp({ config, db, logger, verifier: services.verifier, audit: services.audit, ingest: services.ingest });
  return listenOnLoopback(app, db);
});
