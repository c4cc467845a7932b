// The whole gateway as a partner reaches it, for the isolation and soak benchmarks: api/app.ts's createApp
// wired as api/server.ts wires it (real token verification, replay cache and its purge, audit chain,
// receipts, submissions), on PostgreSQL or on its own PGlite, with the operator's LIAISON_* settings given
// by the parent (bench/isolation/setup.ts's IsolationSetup). Production settings: no GraphiQL,
// introspection off, the info-level access log written to /dev/null.
import pino from 'pino';
import { createApp } from '../../api/app.ts';
import { startMaintenance } from '../../api/maintenance.ts';
import { createServices } from '../../api/services.ts';
import { loadConfig } from '../../kernel/config.ts';
import { openDatabase } from '../../kernel/db.ts';
import { createLogger } from '../../kernel/logger.ts';
import { listenOnLoopback, runBenchChild, requiredEnv } from '../lib/child.ts';
import { SETUP_ENV, setupIsolationDatabase, type IsolationSetup } from '../isolation/setup.ts';

await runBenchChild(async () => {
  const setup = JSON.parse(requiredEnv(SETUP_ENV)) as IsolationSetup;
  const config = loadConfig(
    {
      ...('url' in setup.database ? { DATABASE_URL: setup.database.url } : { LIAISON_DATA_DIR: setup.database.dataDir }),
      LIAISON_PSEUDONYM_KEY: setup.pseudonymKey,
      LIAISON_GRAPHIQL: 'false',
      LIAISON_METRICS_PORT: 'off',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      ...setup.settings,
    },
    { host: '127.0.0.1', port: 0 },
  );
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    statementTimeoutMs: config.statementTimeoutMs,
    writerPoolSize: config.writerPoolSize,
  });
  await setupIsolationDatabase(db, setup);
  const logger = createLogger({ level: config.logLevel, pretty: false, destination: pino.destination({ dest: process.env.BENCH_ACCESS_LOG ?? '/dev/null', sync: false }) });
  const services = await createServices({ config, db, pseudonymKey: setup.pseudonymKey });
  const app = await createApp({ config, db, logger, verifier: services.verifier, audit: services.audit, ingest: services.ingest });
  // The service's housekeeping too (replay-cache purge): without it the soak measures a gateway no one runs.
  startMaintenance({ prisma: db.prisma, logger });
  return listenOnLoopback(app, db);
});
