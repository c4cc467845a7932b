// The one place that decides what a caller sees of an error (Yoga's mask-error is the model):
// the HTTP status of each code, the safe message, and the members sent — GraphQL
// `extensions` (code, reason, issues), RFC 9457 problem+json for REST, and response headers
// (WWW-Authenticate, Retry-After). Everything that is not a LiaisonError, or a GraphQL error
// that only describes the query, leaves as INTERNAL without its message. The codes themselves
// and LiaisonError live in kernel/errors.ts, where every floor can throw them.
import { GraphQLError } from 'graphql';
import { messages as pgliteMessages } from '@electric-sql/pglite';
import pg from 'pg';
import { isDatabaseSocketError } from '../kernel/db.ts';
import { ErrorCode, errorTable, isLiaisonError, LiaisonError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import { countAnsweredError } from '../kernel/metrics.ts';

/** Codes that describe the whole request, so GraphQL answers carry their HTTP status too. */
const REQUEST_LEVEL_CODES = new Set<ErrorCode>([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.RATE_LIMITED,
  ErrorCode.SERVICE_UNAVAILABLE,
  ErrorCode.PAYLOAD_TOO_LARGE,
]);

/** What a resolver threw, inside the GraphQLError that execution wrapped it in. */
function thrownBy(error: unknown): { name?: string; code?: string } | null {
  return (error instanceof GraphQLError && error.originalError ? error.originalError : error) as { name?: string; code?: string } | null;
}

/**
 * A malformed id or cursor from the caller: Pothos refuses its shape (PothosValidationError), or
 * PostgreSQL refuses its value as a uuid (Prisma P2007). Either message quotes the input, so
 * neither is shown or logged.
 */
function isMalformedInput(error: unknown): boolean {
  const e = thrownBy(error);
  return e?.name === 'PothosValidationError' || (e?.name === 'PrismaClientKnownRequestError' && e.code === 'P2007');
}

/** Prisma's codes for work the database could not take now: unreachable, connection closed, pool or transaction wait exceeded. */
const DATABASE_UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024', 'P2028']);

/**
 * The driver adapter's view of a database error inside Prisma's (`meta.driverAdapterError.cause`):
 * its kind (`postgres`, `DatabaseNotReachable`, `ConnectionClosed`, ...) and the SQLSTATE.
 */
function driverCause(e: { meta?: unknown } | null): { kind?: string; sqlState?: string } {
  const cause = (e?.meta as { driverAdapterError?: { cause?: { kind?: string; code?: string; originalCode?: string } } } | undefined)?.driverAdapterError?.cause;
  return { kind: cause?.kind, sqlState: cause?.originalCode ?? cause?.code };
}

/** Driver kinds and SQLSTATEs of a server that is restarting, shutting down, full of connections or cut off. */
const UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
/** node-postgres's own errors, thrown past the driver adapter: no pooled connection in time, a connection cut. */
const PG_POOL_MESSAGES = new Set([
  'timeout exceeded when trying to connect',
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  // A pooled connection whose socket failed before the statement was sent on it.
  'Client has encountered a connection error and is not queryable',
]);
/**
 * Node's own error for a connection that could not be opened, which node-postgres passes on
 * unwrapped when a restarting server refuses a new connection (seen from the audit append during
 * a restart under load). Only a failed `connect`: the request paths open connections to the
 * database alone (a remote JWKS outage has its own answer), while a reset or broken pipe on an
 * open socket may be the client's and stays the gateway's own error unless pg names it or
 * `Database.statements` marked it as its own socket's (kernel/db.ts isDatabaseSocketError).
 */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const failedConnect = (e: Error & { code?: unknown; syscall?: unknown }) => e.syscall === 'connect' && CONNECT_CODES.has(e.code as string);

/**
 * What the caller reads, how long it should wait, and the operator's log line, for each of the
 * database's retry answers: warnings, except a full disk, an error someone must act on.
 */
const DATABASE_RETRY = {
  database_unavailable: { detail: 'The database is busy or restarting; retry after the time in Retry-After.', retryAfter: '5', level: 'warn', log: 'database unavailable' },
  database_timeout: {
    detail: 'The database did not finish this request within the statement timeout; retry after the time in Retry-After.',
    retryAfter: '5',
    level: 'warn',
    log: 'database statement timeout',
  },
  database_full: {
    detail: 'The database has no space left to store this; nothing of it was stored. Retry after the time in Retry-After.',
    retryAfter: '60',
    level: 'error',
    log: 'database disk full',
  },
} as const;

/**
 * The database is busy or restarting (a full pool, a transaction that could not start in time,
 * a closed connection, a server shutting down or starting up): `database_unavailable`. A
 * statement cancelled by the statement timeout (SQLSTATE 57014): `database_timeout`. The
 * database's disk is full (SQLSTATE 53100): `database_full`, which needs the operator. The
 * caller should retry each later, and nothing is wrong with its request (its transaction was
 * rolled back whole). Such an error quotes no input. Anything else: undefined.
 */
function databaseRetryReason(error: unknown): keyof typeof DATABASE_RETRY | undefined {
  const e = thrownBy(error) as ({ name?: string; code?: string; message?: string; meta?: unknown } & object) | null;
  let failure: { kind?: string | undefined; sqlState?: string | undefined; prismaCode?: string | undefined };
  if (e?.name === 'PrismaClientKnownRequestError') failure = { ...driverCause(e), prismaCode: e.code };
  // A statement sent on the transaction's own connection (ingest's batch statements, kernel/db.ts
  // connectionOf): node-postgres's error on PostgreSQL, PGlite's on the embedded database.
  else if (e instanceof pg.DatabaseError || e instanceof pgliteMessages.DatabaseError) failure = { sqlState: e.code };
  else if (!(e instanceof Error)) return undefined;
  else return PG_POOL_MESSAGES.has(e.message) || failedConnect(e) || isDatabaseSocketError(e) ? 'database_unavailable' : undefined;
  const { kind, sqlState, prismaCode } = failure;
  if (sqlState === '57014') return 'database_timeout';
  if (sqlState === '53100') return 'database_full';
  if (DATABASE_UNAVAILABLE_CODES.has(prismaCode ?? '') || UNAVAILABLE_KINDS.has(kind ?? '') || UNAVAILABLE_SQLSTATE.test(sqlState ?? '')) {
    return 'database_unavailable';
  }
  return undefined;
}

/** The log line (level and message) of a masked error that is one of the database's retry answers; undefined for any other. */
export function databaseLogLine(error: LiaisonError): { level: 'warn' | 'error'; msg: string } | undefined {
  const entry = error.reason && error.reason in DATABASE_RETRY ? DATABASE_RETRY[error.reason as keyof typeof DATABASE_RETRY] : undefined;
  return entry && { level: entry.level, msg: entry.log };
}

function databaseRetryError(reason: keyof typeof DATABASE_RETRY, cause?: unknown): LiaisonError {
  const { detail, retryAfter } = DATABASE_RETRY[reason];
  return new LiaisonError(ErrorCode.SERVICE_UNAVAILABLE, detail, {
    reason,
    headers: { 'Retry-After': retryAfter },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * A database failure in a step nothing can go on without (the token check: the agency, the
 * replay cache): the database's own retry answer (`database_timeout`, `database_full`), else
 * `database_unavailable`, 503 with Retry-After, as for any other outage. Never a bad token.
 */
export function databaseOutage(cause: unknown): LiaisonError {
  return databaseRetryError(databaseRetryReason(cause) ?? 'database_unavailable', cause);
}

/** The error an outside caller sees for anything that is not a LiaisonError. */
export function maskError(error: unknown): LiaisonError {
  if (isLiaisonError(error)) return error;
  if (error instanceof GraphQLError && isLiaisonError(error.originalError)) return error.originalError;
  const retry = databaseRetryReason(error);
  if (retry) return databaseRetryError(retry);
  if (isMalformedInput(error)) {
    return new LiaisonError(ErrorCode.BAD_USER_INPUT, 'An id or cursor is malformed: use only ids and cursors this gateway returned.', {
      issues: [{ code: 'MALFORMED_ID' }],
    });
  }
  return new LiaisonError(ErrorCode.INTERNAL, 'Unexpected error.');
}

/** Seconds to wait before retrying a RATE_LIMITED error, from its Retry-After header. */
function retryAfterOf(error: LiaisonError): number | undefined {
  const header = Object.entries(error.headers).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
  return error.code === ErrorCode.RATE_LIMITED && header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
}

/** The members of a coded error that a caller may read, in both GraphQL and REST. */
function publicMembers(error: LiaisonError) {
  const retryAfter = retryAfterOf(error);
  return {
    code: error.code,
    ...(error.reason ? { reason: error.reason } : {}),
    ...(error.issues ? { issues: error.issues } : {}),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
  };
}

/** RFC 9457 problem document for REST responses. */
export function problemDocument(error: LiaisonError, instance?: string) {
  const { code, ...rest } = publicMembers(error);
  return {
    type: `https://liaison.invalid/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: errorTable[code].title,
    status: error.status,
    code,
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...rest,
  };
}

/**
 * A whole GraphQL response for a request refused before Yoga ran it (authentication): the
 * same body and headers the mask below gives a request-level error.
 */
export function graphqlRefusal(error: unknown, fetchAPI: { Response: typeof Response }): Response {
  const e = maskError(error);
  countAnsweredError(e);
  const body = { errors: [{ message: e.message, extensions: publicMembers(e) }] };
  return new fetchAPI.Response(JSON.stringify(body), {
    status: e.status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...e.headers },
  });
}

type GraphQLErrorLike = GraphQLError & { name: 'GraphQLError' };
/** Parse and validation errors (also armor's, from graphql's CommonJS build, hence no instanceof). */
function isQueryError(error: unknown): error is GraphQLErrorLike {
  const e = error as { name?: string; originalError?: unknown } | null;
  return e?.name === 'GraphQLError' && !e.originalError;
}

/**
 * Yoga's `maskedErrors.maskError`. A refused query (parse, validation, limits, persisted
 * operations) is safe to show — it describes the query, not data — and this is the one place
 * that answers it with HTTP 400 (docs/security-tests.md, 400-VAL), also when the client accepts
 * plain application/json, where the GraphQL-over-HTTP rules would have Yoga answer 200.
 */
export function createGraphQLMask(logger: Logger): (error: unknown) => Error {
  return (error) => {
    if (isQueryError(error)) {
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
    countAnsweredError(masked);
    const database = databaseLogLine(masked);
    if (masked.code === ErrorCode.INTERNAL) logger.error({ err: error }, 'unexpected error in GraphQL');
    else if (database) logger[database.level]({ err: error }, database.msg);
    const original = error instanceof GraphQLError ? error : undefined;
    return new GraphQLError(masked.message, {
      ...(original?.nodes ? { nodes: original.nodes } : {}),
      ...(original?.path ? { path: original.path } : {}),
      extensions: {
        ...publicMembers(masked),
        ...(REQUEST_LEVEL_CODES.has(masked.code) ? { http: { status: masked.status, headers: masked.headers } } : {}),
      },
    });
  };
}

type ReplyLike = {
  status(code: number): ReplyLike;
  headers(values: Record<string, string>): ReplyLike;
  type(contentType: string): ReplyLike;
  send(payload: unknown): unknown;
};
type RequestLike = { url: string; id: string; log: Pick<Logger, 'error' | 'warn' | 'info'> };

/** Node's error for a request whose client closed the connection before the body was read. */
const clientWentAway = (error: unknown) =>
  error instanceof Error && error.message === 'aborted' && (error as { code?: unknown }).code === 'ECONNRESET';

/** Fastify's error handler: every REST error leaves as problem+json. */
export function sendProblem(error: unknown, request: RequestLike, reply: ReplyLike): void {
  const fastifyCode = (error as { code?: string }).code;
  const statusCode = (error as { statusCode?: number }).statusCode;
  let coded: LiaisonError;
  if (isLiaisonError(error)) coded = error;
  else if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    coded = new LiaisonError(ErrorCode.PAYLOAD_TOO_LARGE, 'The request body is over the size limit.');
  } else if (statusCode && statusCode >= 400 && statusCode < 500) {
    coded = new LiaisonError(ErrorCode.BAD_USER_INPUT, 'The request could not be read.', { status: statusCode });
  } else if (clientWentAway(error)) {
    // LOG-17: the client's doing, not the gateway's: no error line, no INTERNAL in the metrics.
    coded = new LiaisonError(ErrorCode.BAD_USER_INPUT, 'The request was not received whole.', { reason: 'client_aborted' });
    request.log.info({ requestId: request.id }, 'client went away before its request was read');
  } else {
    coded = maskError(error);
    const database = databaseLogLine(coded);
    request.log[database?.level ?? 'error']({ err: error, requestId: request.id }, database?.msg ?? 'unexpected error');
  }
  countAnsweredError(coded);
  void reply
    .status(coded.status)
    .headers(coded.headers)
    .type('application/problem+json')
    .send(problemDocument(coded, request.url.split('?')[0]));
}
