// The gateway under test: api/app.ts's createApp on Fastify, listening on 127.0.0.1, with the
// production settings (no GraphiQL, introspection off, info-level access log written to
// /dev/null so the log formatting cost stays in but no pipe is involved).
// Mode `full`: the real token verifier (jose + agency lookup + replay-cache insert) and the
// real hash-chained audit log, as api/server.ts wires them. Mode `noauth`: a verifier that
// returns a fixed Viewer (the same agency the tokens of `full` name) and a no-op audit sink,
// so the difference between the two isolates JWT verification + replay cache + audit.
// Submissions (ingest) are not wired: the bench measures the read path only.
import pino from 'pino';
import { createApp } from '../../api/app.ts';
import { loadConfig } from '../../kernel/config.ts';
import type { AuditSink } from '../../kernel/audit.ts';
import type { TokenVerifier } from '../../api/auth/verify-token.ts';
import type { Viewer } from '../../schema/context.ts';
import { openDatabase } from '../../kernel/db.ts';
import { createLogger } from '../../kernel/logger.ts';
import { createServices } from '../../api/services.ts';
import { listenOnLoopback, runBenchChild, requiredEnv } from '../lib/child.ts';
import { ENV, type GatewayMode } from '../lib/protocol.ts';

await runBenchChild(async () => {
  const mode = requiredEnv(ENV.gatewayMode) as GatewayMode;
  if (mode !== 'full' && mode !== 'noauth') throw new Error(`unknown gateway mode ${mode}`);
  const config = loadConfig(
    {
      DATABASE_URL: requiredEnv(ENV.databaseUrl),
      LIAISON_PSEUDONYM_KEY: requiredEnv(ENV.pseudonymKey),
      LIAISON_GRAPHIQL: 'false',
      // The read benchmark measures throughput: the per-agency budgets (1,200 requests a minute by
      // default) would refuse most of its load now that a request takes a few ms. Their own cost
      // is measured by the isolation benchmark; the check itself still runs on every request.
      LIAISON_RATE_REQUESTS_PER_MINUTE: '1000000',
      LIAISON_RATE_COST_PER_MINUTE: '100000000',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
    },
    { host: '127.0.0.1', port: 0 },
  );
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    statementTimeoutMs: config.statementTimeoutMs,
    poolSize: Number(process.env[ENV.poolSize] ?? 10),
  });
  const logger = createLogger({ level: config.logLevel, pretty: false, destination: pino.destination({ dest: '/dev/null', sync: false }) });

  // (A variable, not a literal: createServices takes the pseudonym key once submissions land.)
  const servicesOptions = { config, db, pseudonymKey: requiredEnv(ENV.pseudonymKey) };
  const { verifier, audit } = mode === 'full' ? await createServices(servicesOptions) : await fixedViewer();
  async function fixedViewer(): Promise<{ verifier: TokenVerifier; audit: AuditSink }> {
    const agency = await db.prisma.agency.findUniqueOrThrow({ where: { code: requiredEnv(ENV.viewerCode) } });
    const viewer: Viewer = {
      agencyId: agency.id,
      agencyCode: agency.code,
      agencyName: agency.name,
      subject: 'bench-officer',
      scopes: ['records:read'],
      jti: 'bench-fixed-viewer',
      expiresAt: new Date(Date.now() + 3_600_000),
    };
    return { verifier: { verify: async () => viewer, invalidate: () => {} }, audit: { append: async () => {} } };
  }

  const app = await createApp({ config, db, logger, verifier, audit });
  return listenOnLoopback(app, db);
});
