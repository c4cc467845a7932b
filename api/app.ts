// The gateway as a value: createApp(deps) builds Fastify with graphql-yoga mounted in it
// from injected dependencies and returns it without listening. api/server.ts is the one
// file that calls listen; tests drive `app.fetch(request)` (Fastify's inject) without a port.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { GraphQLError } from 'graphql';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { schema } from '../schema/index.ts';
import type { Config } from '../kernel/config.ts';
import type { AuditSink } from '../kernel/audit.ts';
import type { TokenVerifier } from './auth/verify-token.ts';
import type { IngestServices, RawRequestNotes, RequestContext, Viewer } from '../schema/context.ts';
import type { Database } from '../kernel/db.ts';
import { ErrorCode, LiaisonError, maskError, toGraphQLError, toProblem } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import { useArmor } from './plugins/use-armor.ts';
import { useAudit } from './plugins/use-audit.ts';
import { usePageLimits } from './plugins/use-page-limits.ts';
import { useRefusalStatus } from './plugins/use-refusal-status.ts';
import { usePartnerAuth } from './plugins/use-partner-auth.ts';
import { usePersistedOperations } from './plugins/use-persisted-operations.ts';
import { registerAdminRoutes, type AdminDeps } from './rest/admin.ts';
import { registerOAuthRoutes, type OAuthDeps } from './rest/oauth.ts';
import { registerOpenApiRoute } from './rest/openapi.ts';
import { registerSubmissionRoutes } from './rest/submissions.ts';
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
  /** Submissions (REST and GraphQL) and the receipt keys; without it the gateway is read-only. */
  ingest?: Omit<IngestServices, 'db' | 'maxUploadBytes'>;
};

export type App = {
  fastify: FastifyInstance;
  yoga: YogaServerInstance<ServerContext, RequestContext>;
  /** Serves one Fetch API request in-process (no port): for tests and tools. */
  fetch(request: Request): Promise<Response>;
  close(): Promise<void>;
};

type GraphQLErrorLike = GraphQLError & { name: 'GraphQLError' };
function isPlainGraphQLError(error: unknown): error is GraphQLErrorLike {
  const e = error as { name?: string; originalError?: unknown } | null;
  return e?.name === 'GraphQLError' && !e.originalError;
}

/** What the Node request carries for the one access-log line written when it ends. */
type ServerContext = { req: object; body?: unknown };

/** Codes that describe the whole request, so GraphQL answers carry their HTTP status too. */
const REQUEST_LEVEL_CODES = new Set<string>([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.RATE_LIMITED,
  ErrorCode.SERVICE_UNAVAILABLE,
  ErrorCode.PAYLOAD_TOO_LARGE,
]);

export async function createApp(deps: AppDeps): Promise<App> {
  const { config, db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const viewers = new WeakMap<Request, Viewer>();
  const production = !config.graphiql;
  const ingest: IngestServices | undefined = deps.ingest
    ? { ...deps.ingest, db, maxUploadBytes: config.maxUploadBytes }
    : undefined;

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const requests = new Counter({
    name: 'liaison_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'status'] as const,
    registers: [metrics],
  });
  const durations = new Histogram({
    name: 'liaison_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [metrics],
  });

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
    connectionTimeout: 60_000,
    return503OnClosing: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 200 },
  });

  const yoga = createYoga<ServerContext, RequestContext>({
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
    maskedErrors: {
      maskError: (error) => {
        // Parse and validation errors (also armor's, which come from graphql's CommonJS
        // build, hence no instanceof) are safe to show: they describe the query, not data.
        if (isPlainGraphQLError(error)) {
          // Always 400 for a refused query (SECURITY-MATRIX "400-VAL"), also when the client
          // accepts plain application/json, where Yoga would otherwise answer 200.
          const http = error.extensions?.http as { status?: number; headers?: Record<string, string> } | undefined;
          return new GraphQLError(error.message, {
            ...(error.nodes ? { nodes: error.nodes } : {}),
            extensions: {
              ...error.extensions,
              code: error.extensions?.code ?? 'GRAPHQL_VALIDATION_FAILED',
              http: { status: http?.status ?? 400, ...(http?.headers ? { headers: http.headers } : {}) },
            },
          });
        }
        const masked = maskError(error);
        if (masked.code === ErrorCode.INTERNAL) logger.error({ err: error }, 'unexpected error in GraphQL');
        const out = toGraphQLError(masked);
        const gqlError = error instanceof GraphQLError ? error : undefined;
        return new GraphQLError(out.message, {
          ...(gqlError?.nodes ? { nodes: gqlError.nodes } : {}),
          ...(gqlError?.path ? { path: gqlError.path } : {}),
          extensions: {
            code: masked.code,
            ...(masked.issues ? { issues: masked.issues } : {}),
            ...(REQUEST_LEVEL_CODES.has(masked.code) ? { http: { status: masked.status, headers: masked.headers } } : {}),
          },
        });
      },
    },
    context: ({ request, req }): RequestContext => ({
      prisma: db.prisma,
      viewer: viewers.get(request) ?? null,
      requestId: request.headers.get('x-request-id') ?? randomUUID(),
      log: logger,
      now,
      notes: req as RawRequestNotes,
      ingest,
    }),
    plugins: [
      usePartnerAuth({
        verifier: deps.verifier,
        audit: deps.audit,
        graphiqlEnabled: config.graphiql,
        onAuthenticated: (request, viewer, serverContext) => {
          viewers.set(request, viewer);
          (serverContext.req as RawRequestNotes).liaisonViewer = viewer;
        },
      }),
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      ...usePersistedOperations({
        prisma: db.prisma,
        viewerOf: (r) => viewers.get(r),
        persistedOnly: config.persistedOnly,
        graphiqlEnabled: config.graphiql,
      }),
      ...(production ? [useDisableIntrospection()] : []),
      ...useArmor(),
      useRefusalStatus(),
      usePageLimits(),
      useAudit(deps.audit),
    ],
  });

  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('cache-control', 'no-store');
  });

  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    requests.inc({ route, status: String(reply.statusCode) });
    durations.observe({ route }, seconds);
    const notes = request.raw as RawRequestNotes;
    request.log.info(
      {
        requestId: request.id,
        method: request.method,
        route,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        agency: notes.liaisonViewer?.agencyCode,
        subject: notes.liaisonViewer?.subject,
        operationName: notes.liaisonOperationName,
      },
      'request',
    );
  });

  fastify.setErrorHandler((error, request, reply) => {
    const fastifyCode = (error as { code?: string }).code;
    const statusCode = (error as { statusCode?: number }).statusCode;
    let liaison: LiaisonError;
    if (error instanceof LiaisonError) liaison = error;
    else if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      liaison = new LiaisonError(ErrorCode.PAYLOAD_TOO_LARGE, 'The request body is over the size limit.');
    } else if (statusCode && statusCode >= 400 && statusCode < 500) {
      liaison = new LiaisonError(ErrorCode.BAD_USER_INPUT, 'The request could not be read.', { status: statusCode });
    } else {
      request.log.error({ err: error, requestId: request.id }, 'unexpected error');
      liaison = maskError(error);
    }
    void reply
      .status(liaison.status)
      .headers(liaison.headers)
      .type('application/problem+json')
      .send(toProblem(liaison, request.url.split('?')[0]));
  });

  fastify.route({
    url: yoga.graphqlEndpoint,
    method: ['GET', 'POST', 'OPTIONS'],
    handler: async (request, reply) => {
      const response = await yoga.handleNodeRequestAndResponse(request, reply, { req: request.raw, body: request.body });
      for (const [name, value] of response.headers) reply.header(name, value);
      reply.status(response.status);
      return reply.send(response.body);
    },
  });

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
  fastify.get('/metrics', async (_request, reply) => {
    reply.type(metrics.contentType);
    return metrics.metrics();
  });

  if (deps.oauth) registerOAuthRoutes(fastify, { ...deps.oauth, config, prisma: db.prisma, audit: deps.audit, now });
  if (deps.admin) registerAdminRoutes(fastify, { ...deps.admin, db });
  if (ingest) {
    registerSubmissionRoutes(fastify, {
      ...ingest,
      verifier: deps.verifier,
      audit: deps.audit,
      logger,
      now,
      onViewer: (request, viewer) => {
        (request.raw as RawRequestNotes).liaisonViewer = viewer;
      },
    });
  }

  await fastify.ready();

  return {
    fastify,
    yoga,
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
    close: () => fastify.close(),
  };
}
