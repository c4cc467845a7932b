// The one table of error codes, the one error class that carries a code, and the one
// masking function used at the edge (GraphQL and REST). Nothing else decides what an
// outside caller may learn about a failure: stack traces, SQL and raw input stay inside.
// Programmer mistakes (bad options at boot) are plain Errors and crash early instead.
import { GraphQLError } from 'graphql';
import type { z } from 'zod';

export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_FORMAT: 'UNSUPPORTED_FORMAT',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** HTTP status and problem title of each code. */
export const errorTable: Record<ErrorCode, { status: number; title: string }> = {
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  BAD_USER_INPUT: { status: 400, title: 'Bad input' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  CONFLICT: { status: 409, title: 'Conflict' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_FORMAT: { status: 415, title: 'Unsupported format' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  INTERNAL: { status: 500, title: 'Internal error' },
};

export type ErrorIssue = { path?: string; line?: number; field?: string; code: string; message?: string };

export class LiaisonError extends Error {
  readonly code: ErrorCode;
  /** Safe, structured detail for the caller (never raw input values). */
  readonly issues: ErrorIssue[] | undefined;
  /** Extra response headers (WWW-Authenticate, Retry-After). */
  readonly headers: Record<string, string>;
  /** Internal reason for the server log only (e.g. a jose error code). */
  readonly reason: string | undefined;
  readonly status: number;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      issues?: ErrorIssue[];
      headers?: Record<string, string>;
      reason?: string;
      status?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'LiaisonError';
    this.code = code;
    this.issues = options.issues;
    this.headers = options.headers ?? {};
    this.reason = options.reason;
    this.status = options.status ?? errorTable[code].status;
  }
}

export const isLiaisonError = (e: unknown): e is LiaisonError => e instanceof LiaisonError;

/** BAD_USER_INPUT naming each invalid field of a zod-checked input (never its value). */
export function badInput(error: z.ZodError): LiaisonError {
  const issues: ErrorIssue[] = error.issues.map((i) => ({
    field: i.path.join('.'),
    code: 'INVALID',
    message: i.message,
  }));
  const summary = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  return new LiaisonError(ErrorCode.BAD_USER_INPUT, `Invalid input — ${summary}`, { issues });
}

/** The error an outside caller sees for anything that is not a LiaisonError. */
export function maskError(error: unknown): LiaisonError {
  if (isLiaisonError(error)) return error;
  if (error instanceof GraphQLError && isLiaisonError(error.originalError)) return error.originalError;
  return new LiaisonError(ErrorCode.INTERNAL, 'Unexpected error.');
}

export function toGraphQLError(error: LiaisonError): GraphQLError {
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: {
      code: error.code,
      ...(error.issues ? { issues: error.issues } : {}),
      http: { status: error.status, headers: error.headers },
    },
  });
}

/** RFC 9457 problem document for REST responses. */
export function toProblem(error: LiaisonError, instance?: string) {
  return {
    type: `https://liaison.invalid/problems/${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: errorTable[error.code].title,
    status: error.status,
    code: error.code,
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...(error.issues ? { issues: error.issues } : {}),
  };
}
