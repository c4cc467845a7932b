// The gateway as a value: createApp(deps) builds Fastify with graphql-yoga mounted in it
// from injected dependencies and returns it without listening. api/server.ts is the one
// file that calls listen; tests drive `app.fetch(request)` (Fastify's inject) without a port.
import { randomUUID, type KeyObject } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { Registry } from 'prom-client';
import { schema } from '../schema/index.ts';
import { ephemeralCursorKey } from '../schema/cursor.ts';
import type { Config } from '../kernel/config.ts';
import type { AuditSink } from '../kernel/audit.ts';
import type { TokenVerifier } from './auth/verify-token.ts';
import type { IngestServices, RequestContext } from '../schema/context.ts';
import type { Database } from '../kernel/db.ts';
import type { Logger } from '../kernel/logger.ts';
import { countRequest, metricsRegistry, startProcessMetrics } from '../kernel/metrics.ts';
import { registerEdgeContext } from './edge-context.ts';
import { createGraphQLMask, sendProblem } from './error-response.ts';
import { registerHomeRoute } from './home.ts';
import { registerConsoleRoutes } from './console.ts';
import { ErrorCode, LiaisonError } from '../kernel/errors.ts';
import { useArmor } from './plugins/use-armor.ts';
import { useAudit } from './plugins/use-audit.ts';
import { useJit } from './plugins/use-jit.ts';
import { useDirectReads } from './plugins/use-direct-reads.ts';
import { usePageLimits } from './plugins/use-page-limits.ts';
import { usePartnerAuth, type EdgeServerContext } from './plugins/use-partner-auth.ts';
import { useRefusalStatus } from './plugins/use-refusal-status.ts';
import { usePersistedOperations } from './plugins/use-persisted-operations.ts';
import { useRateLimit } from './plugins/use-rate-limit.ts';
import { createRateLimits, registerRateLimitHeaders, type RateLimits } from './limits/gate.ts';
import { registerAdminRoutes, type AdminDeps } from './rest/admin.ts';
import { createEventHub } from './events/hub.ts';
import { createEventNotifier, type EventNotifier } from './events/notifier.ts';
import { registerEventRoutes } from './rest/events.ts';
import { registerOAuthRoutes, type OAuthDeps } from './rest/oauth.ts';
import { registerOpenApiRoute } from './rest/openapi.ts';
import { registerRefusalAudit } from './rest/refusal-audit.ts';
import { registerSubmissionRoutes } from './rest/submissions.ts';
import { registerMatchRoutes } from './rest/matches.ts';
import { registerDisclosureRoutes } from './rest/disclosures.ts';
import { registerRecordRoutes } from './rest/records.ts';
import { registerWatchRoutes } from './rest/watches.ts';
import { graphiqlOptions } from './graphiql.ts';

export type AppDeps = {
  config: Config;
  db: Database;
  logger: Logger;
  verifier: TokenVerifier;
  audit: AuditSink;
  now?: () => Date;
  /** Operator credential of the loopback admin API used by the CLI while the server runs. */
  admin?: AdminDeps;
  /** The OAuth token endpoint (POST /oauth/token) and its metadata; without it, direct partner tokens only. */
  oauth?: Pick<OAuthDeps, 'key' | 'assertions'>;
  /** Seals paging cursors; without it, a key of this process alone (its cursors open nowhere else). */
  cursorKey?: KeyObject;
  /** Record reads compiled to one SQL statement per root field (default); false keeps the Prisma path (profiling). */
  compiledReads?: boolean;
  /** Submissions (REST and GraphQL) and the receipt keys; without it the gateway is read-only. */
  ingest?: Omit<IngestServices, 'db' | 'maxUploadBytes' | 'uploadIdleMs' | 'submissionsPerAgency' | 'spoolDir'>;
};

export type App = {
  fastify: FastifyInstance;
  yoga: YogaServerInstance<EdgeServerContext, RequestContext>;
  /** The Prometheus registry, served only by the operator's loopback listener (api/metrics-listener.ts). */
  metrics: Registry;
  /** Per-agency and per-address rate limits (api/limits/), shared with the other gateway processes. */
  rateLimits: RateLimits;
  /** This process's one LISTEN for new events (the webhook deliverer hears them here too). */
  notifier: EventNotifier;
  /** Serves one Fetch API request in-process (no port): for tests and tools. */
  fetch(request: Request): Promise<Response>;
  close(): Promise<void>;
};

/** Content types of answers sent as they are produced (server-sent events, incremental delivery). */
const STREAMED = /^(text\/event-stream|multipart\/mixed)/i;

export async function createApp(deps: AppDeps): Promise<App> {
  const { config, db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const production = !config.graphiql;
  const cursorKey = deps.cursorKey ?? ephemeralCursorKey();
  const ingest: IngestServices | undefined = deps.ingest
    ? {
        ...deps.ingest,
        db,
        maxUploadBytes: config.maxUploadBytes,
        uploadIdleMs: config.uploadIdleMs,
        submissionsPerAgency: config.submissionsPerAgency,
        spoolDir: config.spoolDir,
      }
    : undefined;

  startProcessMetrics();

  const fastify = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One access line per request is written by the onResponse hook below instead.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    // Time to receive a whole request (slowloris bound). One server-wide value, sized for a
    // 50 MB upload on a slow link; GraphQL work is bounded by the statement timeout.
    requestTimeout: 300_000,
    // No socket inactivity timeout: a connection is silent while a large submission is
    // written, and the isolation bench's 31 MiB file on the embedded database took longer than
    // the 60 s this was, so the partner got a hung-up socket instead of its receipt while the
    // submission went on and was stored. Idle keep-alive connections close after
    // keepAliveTimeout, headers must arrive within Node's headersTimeout, a body within
    // requestTimeout and the upload spool's idle limit.
    connectionTimeout: 0,
    return503OnClosing: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 200 },
  });

  registerEdgeContext(fastify);
  const rateLimits = createRateLimits({ config, db, audit: deps.audit, logger, now });
  fastify.decorate('rateLimits', rateLimits);
  registerRateLimitHeaders(fastify);
  fastify.addHook('onClose', () => rateLimits.close());
  const notifier = createEventNotifier(db, logger);
  const events = createEventHub({ db, notifier, now, maxStreamsPerAgency: config.eventStreamsPerAgency });

  const yoga = createYoga<EdgeServerContext, RequestContext>({
    schema,
    logging: false,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: config.graphiql ? graphiqlOptions : false,
    // GraphiQL's scripts and styles come from the package, not a CDN: agency networks are
    // often closed to the internet.
    renderGraphiQL,
    batching: false,
    multipart: false,
    maskedErrors: { maskError: createGraphQLMask(logger) },
    context: ({ request, edge }): RequestContext => ({
      prisma: db.prisma,
      statements: db.statements,
      viewer: edge.viewer && { ...edge.viewer, at: now() },
      requestId: edge.requestId,
      log: logger,
      now,
      edge,
      ingest,
      events,
      cursorKey,
      disclosureDueHours: config.disclosureDueHours,
      compiledReads: deps.compiledReads ?? true,
    }),
    plugins: [
      usePartnerAuth({
        verifier: deps.verifier,
        limits: rateLimits,
        graphiqlEnabled: config.graphiql,
      }),
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      ...usePersistedOperations({
        prisma: db.prisma,
        persistedOnly: config.persistedOnly,
        graphiqlEnabled: config.graphiql,
      }),
      ...(production ? [useDisableIntrospection()] : []),
      ...useArmor({ graphiqlEnabled: config.graphiql }),
      useRefusalStatus(),
      usePageLimits(),
      useRateLimit(rateLimits.agencies, schema),
      useAudit(deps.audit),
      useJit(logger),
      useDirectReads(),
    ],
  });

  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('cache-control', 'no-store');
  });

  registerRefusalAudit(fastify, { audit: deps.audit, graphqlEndpoint: yoga.graphqlEndpoint });

  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    const { viewer, operationName } = request.edge;
    countRequest(route, reply.statusCode, viewer?.agencyCode, seconds);
    request.log.info(
      {
        requestId: request.id,
        ...(request.edge.clientRequestId ? { clientRequestId: request.edge.clientRequestId } : {}),
        method: request.method,
        route,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        agency: viewer?.agencyCode,
        subject: viewer?.subject,
        operationName,
      },
      'request',
    );
  });

  fastify.setErrorHandler((error, request, reply) => sendProblem(error, request, reply));
  fastify.setNotFoundHandler((request, reply) =>
    sendProblem(new LiaisonError(ErrorCode.NOT_FOUND, 'No such route; GET / lists what this gateway serves.'), request, reply),
  );

  fastify.route({
    url: yoga.graphqlEndpoint,
    method: ['GET', 'POST', 'OPTIONS'],
    handler: async (request, reply) => {
      const response = await yoga.handleNodeRequestAndResponse(request, reply, { edge: request.edge, body: request.body });
      for (const [name, value] of response.headers) reply.header(name, value);
      reply.status(response.status);
      // A query's or mutation's answer is complete once Yoga returns it: it goes out as one
      // buffer with its length. Handed over as Yoga's web stream, Fastify wrote it chunked
      // through a stream adapter: 0.4-0.7 ms more of this thread per bench read of 116 KB
      // (3.8-4.2 against 3.1-3.8 ms, three rounds side by side). The subscription's event
      // stream, which only a client asking for text/event-stream gets, stays a stream.
      if (STREAMED.test(response.headers.get('content-type') ?? '')) return reply.send(response.body);
      return reply.send(Buffer.from(await response.arrayBuffer()));
    },
  });

  registerHomeRoute(fastify, { graphiql: config.graphiql, receipts: ingest !== undefined });
  fastify.get('/healthz', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (_request, reply) => {
    try {
      await db.prisma.$queryRaw`SELECT 1`;
      return { status: 'ready', database: db.kind };
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      return reply.status(503).header('retry-after', '5').send({ status: 'unavailable' });
    }
  });
  registerOpenApiRoute(fastify);
  if (config.console) registerConsoleRoutes(fastify, { audience: config.audience });
  registerEventRoutes(fastify, { prisma: db.prisma, verifier: deps.verifier, audit: deps.audit });

  if (deps.oauth) registerOAuthRoutes(fastify, { ...deps.oauth, config, prisma: db.prisma, audit: deps.audit, now });
  if (deps.admin) registerAdminRoutes(fastify, { ...deps.admin, db, limits: rateLimits.agencies, webhookAllowLoopback: config.webhookAllowLoopback });
  registerDisclosureRoutes(fastify, { prisma: db.prisma, verifier: deps.verifier, audit: deps.audit, now, dueHours: config.disclosureDueHours });
  registerRecordRoutes(fastify, { prisma: db.prisma, verifier: deps.verifier, now });
  if (ingest) {
    registerMatchRoutes(fastify, { prisma: db.statements, pseudonymKey: ingest.pseudonymKey, verifier: deps.verifier, now });
    registerWatchRoutes(fastify, { prisma: db.prisma, pseudonymKey: ingest.pseudonymKey, verifier: deps.verifier, now, cursorKey });
    registerSubmissionRoutes(fastify, {
      ...ingest,
      verifier: deps.verifier,
      audit: deps.audit,
      logger,
      now,
    });
  }

  await fastify.ready();

  return {
    fastify,
    yoga,
    metrics: metricsRegistry,
    rateLimits,
    notifier,
    async fetch(request: Request) {
      const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
      const url = new URL(request.url);
      const res = await fastify.inject({
        method: request.method as 'GET',
        url: url.pathname + url.search,
        headers: Object.fromEntries(request.headers),
        ...(body ? { payload: body } : {}),
      });
      return new Response(res.rawPayload.length ? new Uint8Array(res.rawPayload) : null, {
        status: res.statusCode,
        headers: Object.entries(res.headers).flatMap(([k, v]) =>
          v === undefined ? [] : (Array.isArray(v) ? v : [String(v)]).map((x) => [k, x] as [string, string]),
        ),
      });
    },
    // Open event streams end first, or they would hold the graceful close to its deadline.
    close: async () => {
      await events.close();
      await notifier.close();
      await fastify.close();
    },
  };
}
