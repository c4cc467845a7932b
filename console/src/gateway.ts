// The console's only way to the gateway: typed GraphQL documents (GraphQL Code Generator's
// client preset, src/gql/) and the REST routes through openapi-fetch over the gateway's
// generated OpenAPI types. Each request carries a token minted for it (session.ts). A refusal
// becomes a GatewayError whose message key says what the person should do next.
import createClient from 'openapi-fetch';
import type { components, paths } from '../../api/openapi-types.ts';
import type { TypedDocumentString } from './gql/graphql.ts';
import type { MessageKey } from './messages.ts';
import { authorization, currentSession, end, type Scope, type Session } from './session.ts';
import type { Values } from './i18n.tsx';

export type Paths = paths;
export type SubmissionReport = paths['/v1/submissions']['post']['responses'][201]['content']['application/json'];
export type ReportIssue = SubmissionReport['issues'][number];
export type Problem = components['schemas']['Problem'];
export type SubmitQuery = paths['/v1/submissions']['post']['parameters']['query'];
export type PartnerFormatName = SubmitQuery['format'];

/** What went wrong, as a catalogue message; `auth` is set when the token itself was refused. */
export class GatewayError extends Error {
  constructor(
    readonly messageKey: MessageKey,
    readonly values: Values = {},
    readonly auth?: string,
  ) {
    super(`${messageKey} ${JSON.stringify(values)}`);
  }
}

/** The 401 reasons of api/auth/auth-errors.ts that have a sentence in the catalogue. */
const AUTH_REASONS = new Set([
  'token_missing', 'multiple_transports', 'token_malformed', 'header_not_allowed', 'alg_not_allowed', 'unknown_key',
  'wrong_audience', 'token_expired', 'token_not_yet_valid', 'lifetime_too_long', 'claim_invalid', 'subject_not_allowed',
  'token_reused', 'agency_suspended', 'unknown_agency', 'key_withdrawn', 'dpop_required', 'dpop_invalid', 'verification_unavailable',
]);

export function authRefusal(reason: string | undefined): GatewayError {
  const known = reason !== undefined && AUTH_REASONS.has(reason);
  return new GatewayError(known ? (`auth.${reason}` as MessageKey) : 'auth.unknown', { reason: reason ?? '?' }, reason ?? 'unknown');
}

/** The error for a non-2xx answer that is not a report: by status, with the problem's own detail. */
export function problemError(status: number, problem: Partial<Problem> | undefined, requestId: string | null): GatewayError {
  if (status === 401) return authRefusal(problem?.reason);
  if (status === 403) return new GatewayError('error.forbidden', { detail: problem?.detail ?? '' });
  if (status === 429) return new GatewayError('error.rateLimited', { seconds: 30 });
  return new GatewayError('error.server', { status, detail: problem?.detail ?? problem?.title ?? '', requestId: requestId ?? '?' });
}

function requireSession(): Session {
  const session = currentSession();
  if (!session) throw new GatewayError('signIn.signedOut');
  return session;
}

/** A refused token ends the session (the sign-in screen then says why), except a busy verifier. */
function afterRefusal(error: GatewayError): never {
  if (error.auth && error.auth !== 'verification_unavailable') end('signedOut');
  throw error;
}

type GraphQLErrorBody = { message: string; extensions?: { code?: string; reason?: string } };

/** Runs one typed GraphQL document for the signed-in agency (or for a session being checked). */
export async function gql<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  { session = requireSession(), scope = 'records:read' }: { session?: Session; scope?: Scope } = {},
): Promise<TResult> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: await authorization(session, scope),
      },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
  } catch {
    throw new GatewayError('error.network');
  }
  const body = (await response.json().catch(() => ({}))) as { data?: TResult; errors?: GraphQLErrorBody[] };
  const first = body.errors?.[0];
  if (response.status === 401 || first?.extensions?.code === 'UNAUTHENTICATED') {
    const error = authRefusal(first?.extensions?.reason);
    if (session === currentSession()) afterRefusal(error);
    throw error;
  }
  if (first) {
    const code = first.extensions?.code ?? String(response.status);
    if (code === 'FORBIDDEN') throw new GatewayError('error.forbidden', { detail: first.message });
    if (code === 'RATE_LIMITED') throw new GatewayError('error.rateLimited', { seconds: Number(response.headers.get('retry-after') ?? 30) });
    throw new GatewayError('error.graphql', { code, detail: first.message });
  }
  if (!response.ok || body.data === undefined) {
    throw problemError(response.status, undefined, response.headers.get('x-request-id'));
  }
  return body.data;
}

/** The typed REST client of the gateway this page came from. */
export const rest = createClient<paths>({ baseUrl: window.location.origin });

/**
 * A fetch for openapi-fetch that sends through XMLHttpRequest, the one browser API that reports
 * upload progress, and answers a standard Response.
 */
export function fetchWithUploadProgress(onProgress: (sent: number, total: number) => void): (request: Request) => Promise<Response> {
  return async (request) => {
    const body = await request.arrayBuffer();
    return new Promise<Response>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(request.method, request.url);
      request.headers.forEach((value, name) => xhr.setRequestHeader(name, value));
      xhr.responseType = 'arraybuffer';
      xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : body.byteLength);
      xhr.onerror = () => reject(new TypeError('network error'));
      xhr.onload = () => {
        const headers = new Headers();
        for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
          const at = line.indexOf(':');
          if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
        }
        const empty = xhr.status === 204 || xhr.status === 304;
        resolve(new Response(empty ? null : (xhr.response as ArrayBuffer), { status: xhr.status, headers }));
      };
      xhr.send(body);
    });
  };
}

export type SubmitOutcome = { report: SubmissionReport; replay: boolean };

/**
 * POST /v1/submissions with the file as it is. A report comes back for 200/201 and for a
 * REJECTED file (422); anything else is a GatewayError.
 */
export async function submitFile(
  file: Blob,
  query: SubmitQuery,
  onProgress: (sent: number, total: number) => void,
  idempotencyKey?: string,
): Promise<SubmitOutcome> {
  const session = requireSession();
  let result;
  try {
    result = await rest.POST('/v1/submissions', {
      params: { query, ...(idempotencyKey ? { header: { 'Idempotency-Key': idempotencyKey } } : {}) },
      headers: { 'content-type': 'application/octet-stream', authorization: await authorization(session, 'records:submit') },
      body: file as unknown as string,
      // openapi-fetch would send the body as JSON: the file goes as it is.
      bodySerializer: (body: unknown) => body as string,
      fetch: fetchWithUploadProgress(onProgress),
    });
  } catch {
    throw new GatewayError('error.network');
  }
  const { response } = result;
  if (result.data) return { report: result.data, replay: response.status === 200 };
  const error = result.error as Partial<Problem> | SubmissionReport | undefined;
  if (error && 'receipt' in error) return { report: error, replay: false };
  const problem = error as Partial<Problem> | undefined;
  if (response.status === 404 || response.status === 413 || response.status === 415) {
    throw new GatewayError(`submit.problem.${response.status}` as MessageKey, {});
  }
  const refusal = problemError(response.status, problem, response.headers.get('x-request-id'));
  if (refusal.auth) afterRefusal(refusal);
  throw refusal;
}
