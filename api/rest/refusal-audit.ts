// Every refused REST request of a known partner leaves a row in the audit chain (LOG-10…12 in
// docs/security-tests.md): 403, 404 (an operation the agency is not in, another agency's
// submission), 408, 413, 415, 429, and an upload the client abandoned. Probing over REST is
// then as visible to the auditor as probing over GraphQL, whose calls use-audit records.
//
// A row names the route by its pattern (`POST /v1/submissions`, never the URL with its id or
// query), the status, the error code and its reason word, what the gateway found when that
// differs from what it answered (`finding`, e.g. that a 404 submission belongs to another
// agency), the agency, subject and token id, and the gateway's request id. Never the body,
// never an identifier or any other text the client sent. The row is written before the answer
// leaves; the answer itself is the same whatever the row says.
// Requests without a viewer (no or a bad token) are the partner-authentication side's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditOutcome, AuditSink } from '../../kernel/audit.ts';
import { isLiaisonError } from '../../kernel/errors.ts';

/** What a refusal is recorded as, from the error that caused it. */
type Refusal = { code?: string; reason: string; finding?: string };

/** Fastify's own error codes are constants of the server, safe to record; anything else is not. */
const FASTIFY_CODE = /^FST_ERR_[A-Z0-9_]+$/;

function refusalOf(error: unknown): Refusal {
  if (isLiaisonError(error)) {
    return {
      code: error.code,
      reason: error.reason ?? error.issues?.[0]?.code ?? error.code,
      ...(error.logReason ? { finding: error.logReason } : {}),
    };
  }
  const code = (error as { code?: unknown } | null)?.code;
  return { reason: typeof code === 'string' && FASTIFY_CODE.test(code) ? code : 'unexpected' };
}

/** The client went away before the request was answered (an abandoned upload). */
function abandoned(request: FastifyRequest, reply: FastifyReply): boolean {
  return request.raw.aborted || (reply.raw.destroyed && !reply.raw.writableFinished);
}

export function registerRefusalAudit(fastify: FastifyInstance, options: { audit: AuditSink; graphqlEndpoint: string }): void {
  /** The error of each refused request, from the error hook to the send hook; one row per request. */
  const refusals = new WeakMap<FastifyRequest, Refusal>();
  const recorded = new WeakSet<FastifyRequest>();

  async function record(request: FastifyRequest, action: string, outcome: AuditOutcome, detail: Record<string, unknown>) {
    const viewer = request.edge.viewer;
    if (!viewer || recorded.has(request)) return;
    recorded.add(request);
    try {
      await options.audit.append({
        agencyCode: viewer.agencyCode,
        subject: viewer.subject,
        action,
        target: `${request.method} ${request.routeOptions.url}`,
        outcome,
        detail: { ...detail, requestId: request.id, jti: viewer.jti },
      });
    } catch (err) {
      // The refusal still goes out: it discloses nothing, and the failure is for the operator.
      request.log.error({ err, requestId: request.id }, 'audit append of a REST refusal failed');
    }
  }

  const isRest = (request: FastifyRequest) => request.routeOptions.url !== undefined && request.routeOptions.url !== options.graphqlEndpoint;

  fastify.addHook('onError', async (request, _reply, error) => {
    if (isRest(request)) refusals.set(request, refusalOf(error));
  });

  fastify.addHook('onSend', async (request, reply, payload) => {
    const refusal = refusals.get(request);
    if (!refusal) return payload;
    if (abandoned(request, reply)) await record(request, 'rest.aborted', 'denied', { reason: 'client_aborted' });
    else {
      const outcome: AuditOutcome = reply.statusCode >= 500 ? 'error' : 'denied';
      await record(request, 'rest.refused', outcome, { status: reply.statusCode, ...refusal });
    }
    return payload;
  });

  fastify.addHook('onRequestAbort', async (request) => {
    if (isRest(request)) await record(request, 'rest.aborted', 'denied', { reason: 'client_aborted' });
  });
}
