// The one file that listens. Opens the database, applies migrations, seeds the demo data
// when asked, takes the data-directory lock (embedded database), and shuts down gracefully
// on SIGINT/SIGTERM: stop accepting (503), drain for up to 30 s, close the database.
// Webhook deliveries run here too, from start to shutdown (api/webhooks/deliverer.ts).
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import closeWithGrace from 'close-with-grace';
import { seedDemo } from './cli/seed/demo.ts';
import { createApp } from './app.ts';
import { defaultIssuer, type Config } from '../kernel/config.ts';
import { sharedParsePool } from '../ingest/parse-pool.ts';
import { acquireLock, explainDataDirError, loadPseudonymKey, updateLock } from '../kernel/data-dir.ts';
import { openDatabase } from '../kernel/db.ts';
import type { Logger } from '../kernel/logger.ts';
import { startMaintenance } from './maintenance.ts';
import { startMetricsListener } from './metrics-listener.ts';
import { createServices } from './services.ts';
import { createWebhookDeliverer } from './webhooks/deliverer.ts';

/** A free port of the host, so that the default OAuth issuer can name it before the app is built. */
export async function freePort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, host, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function startServer(options: { config: Config; logger: Logger; demo: boolean }) {
  const { logger } = options;
  let { config } = options;
  if (config.port === 0 && config.issuer === defaultIssuer(config.host, 0)) {
    const port = await freePort(config.host);
    config = { ...config, port, issuer: defaultIssuer(config.host, port) };
  }
  const embedded = !config.databaseUrl;
  // A read-only or full data directory is named as such, not as an errno of PGlite's file system.
  const explained = (error: unknown) => {
    throw embedded ? explainDataDirError(error, config.dataDir) : error;
  };
  const releaseLock = embedded ? await acquireLock(config.dataDir, { role: 'serve' }).catch(explained) : async () => {};
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    statementTimeoutMs: config.statementTimeoutMs,
    writerPoolSize: config.writerPoolSize,
  }).catch(async (error: unknown) => {
    await releaseLock();
    return explained(error);
  });
  const applied = await db.migrate().catch(async (error: unknown) => {
    await db.close().catch(() => undefined);
    await releaseLock();
    return explained(error);
  });
  if (applied.length) logger.info({ migrations: applied }, 'applied migrations');
  const pseudonymKey = await loadPseudonymKey(config);

  const demo = options.demo ? await seedDemo({ db, dataDir: config.dataDir, pseudonymKey }) : undefined;

  const operatorToken = randomBytes(32).toString('base64url');
  const services = await createServices({ config, db, pseudonymKey });
  const app = await createApp({
    config,
    db,
    logger,
    verifier: services.verifier,
    audit: services.audit,
    admin: { operatorToken, audit: services.audit },
    ingest: services.ingest,
    oauth: services.oauth,
    cursorKey: services.cursorKey,
  });

  // Replay-cache purge and overdue-disclosure sweep, every minute (api/maintenance.ts).
  const maintenance = startMaintenance({ prisma: db.prisma, logger });

  const webhooks = createWebhookDeliverer({
    db,
    signer: services.ingest.signer,
    notifier: app.notifier,
    log: logger,
    issuer: config.issuer,
    allowLoopback: config.webhookAllowLoopback,
  });
  await webhooks.start();

  // The ingest workers load their code now, not during the first upload.
  await sharedParsePool().warm();
  const address = await app.fastify.listen({ host: config.host, port: config.port });
  // Another gateway on this host may hold the metrics port: that is no reason not to serve.
  const metrics =
    config.metricsPort === undefined
      ? undefined
      : await startMetricsListener(app.metrics, { port: config.metricsPort }).catch((err: unknown) => {
          logger.warn({ err, port: config.metricsPort }, 'metrics listener not started (set LIAISON_METRICS_PORT)');
          return undefined;
        });
  const url = address.replace('0.0.0.0', '127.0.0.1');
  if (embedded) await updateLock(config.dataDir, { role: 'serve', url, operatorToken });

  closeWithGrace({ delay: 30_000, logger: { error: (m: unknown) => logger.error(m) } }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    maintenance.stop();
    await webhooks.stop();
    await metrics?.close();
    await app.close();
    await db.close();
    await releaseLock();
  });

  return { url, demo, app, db, webhooks, metricsUrl: metrics?.url };
}
