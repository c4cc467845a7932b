// The one table of error codes and the one error class that carries a code: every floor
// throws LiaisonError. What an outside caller sees of an error (GraphQL extensions, REST
// problem+json, HTTP status and headers, masking of everything else) is shaped in one module
// at the edge, api/error-response.ts. Programmer mistakes (bad options at boot) are plain
// Errors and crash early instead.
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
  /**
   * A stable word refining the code that the caller may read (`extensions.reason`, problem
   * `reason`), e.g. `token_reused` for UNAUTHENTICATED. Part of the public contract.
   */
  readonly reason: string | undefined;
  /** Internal detail for the server log and audit only (e.g. a jose error code): never sent. */
  readonly logReason: string | undefined;
  readonly status: number;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      issues?: ErrorIssue[];
      headers?: Record<string, string>;
      reason?: string;
      logReason?: string;
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
    this.logReason = options.logReason ?? options.reason;
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
