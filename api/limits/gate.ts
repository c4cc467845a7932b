// The rate limits as the HTTP edge applies them, the same for GraphQL (api/plugins/use-partner-auth.ts)
// and REST (api/rest/authenticate.ts): an address over its limit of failed authentications is
// refused before its token is verified; a failed verification is counted against the address;
// a verified caller's request is counted against its agency. Every answer that counted in a
// limit carries the IETF draft headers (draft-ietf-httpapi-ratelimit-headers):
//   RateLimit-Policy: "requests";q=1200;w=60, "cost";q=30000;w=60
//   RateLimit: "requests";r=1187;t=42, "cost";r=29204;t=42
// (`q` quota per window of `w` seconds, `r` what is left, `t` seconds until the window resets).
import type { FastifyInstance } from 'fastify';
import type { AuditSink } from '../../kernel/audit.ts';
import type { Config } from '../../kernel/config.ts';
import type { Database } from '../../kernel/db.ts';
import { ErrorCode } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { Viewer } from '../../kernel/viewer.ts';
import type { TokenRequest, TokenVerifier } from '../auth/verify-token.ts';
import type { EdgeContext, RateLimitState } from '../../schema/context.ts';
import { maskError } from '../error-response.ts';
import { createAgencyLimits, type AgencyLimits } from './agency-limits.ts';
import { createAuthFailureGuard, type AuthFailureGuard } from './auth-failures.ts';
import { createCounters, type CounterStore } from './counters.ts';

export type RateLimits = {
  readonly store: CounterStore;
  readonly agencies: AgencyLimits;
  readonly failures: AuthFailureGuard;
  close(): Promise<void>;
};

declare module 'fastify' {
  interface FastifyInstance {
    /** The gateway's rate limits, for REST routes registered in any plugin scope. */
    rateLimits: RateLimits;
  }
}

export function createRateLimits(deps: { config: Config; db: Database; audit: AuditSink; logger: Logger; now: () => Date }): RateLimits {
  const counters = createCounters(deps.config, deps.db);
  const failures = createAuthFailureGuard({
    counters,
    perMinute: deps.config.rateLimits.authFailuresPerMinute,
    audit: deps.audit,
    logger: deps.logger,
    now: deps.now,
  });
  return {
    store: counters.store,
    agencies: createAgencyLimits({ config: deps.config, prisma: deps.db.prisma, counters }),
    failures,
    async close() {
      await failures.close();
      await counters.close();
    },
  };
}

/**
 * Verifies the caller's `credentials` with `verifier` under the limits: the address's failures
 * first, then the token, whose verifier counts the request against the agency's requests per
 * minute once the signature and claims hold but before the token's jti is spent (so a refused
 * request costs no replay-cache write, ISO-17). Returns the viewer; throws the coded refusal. A
 * request counted and then refused as a replay is given back to the agency: a captured token
 * replayed does not use up its agency's allowance.
 *
 * ISO-35: a request of an agency this process already refuses in this window (ISO-34) is
 * refused before the agency is read from the database, once its token's signature and claims
 * hold against the keys last read for that agency (TokenVerifier.verifyKnown). A flood past the
 * limit then costs a signature check per request and no statement, which the other agencies'
 * requests were waiting behind. Any token that does not verify so goes the whole way and is
 * answered as ever; the shortcut can only refuse, never admit.
 */
export async function admitCaller(limits: RateLimits, edge: EdgeContext, verifier: TokenVerifier, credentials: TokenRequest): Promise<Viewer> {
  const ip = edge.clientIp ?? 'unknown';
  limits.failures.check(ip);
  const known = await verifier.verifyKnown?.(credentials, (agencyId) => limits.agencies.refusing(agencyId));
  // Held back first (ISO-36); a window that ended meanwhile lets the request go the whole way.
  if (known) await limits.agencies.holdRefusal(known.agencyId);
  const refusal = known && limits.agencies.knownRefusal(known, edge);
  if (refusal) {
    // The refusal is the agency's: the access log names it.
    edge.viewer = known;
    throw refusal;
  }
  let counted: Viewer | undefined;
  const admit = async (viewer: Viewer) => {
    try {
      counted = viewer;
      await limits.agencies.admitRequest(viewer, edge);
    } catch (error) {
      // The refusal is the agency's: the access log and the refusal audit name it.
      edge.viewer = viewer;
      throw error;
    }
  };
  let viewer: Viewer;
  try {
    viewer = await verifier.verify(credentials, admit);
  } catch (error) {
    const e = maskError(error);
    if (e.code === ErrorCode.UNAUTHENTICATED || e.code === ErrorCode.BAD_USER_INPUT) {
      if (counted) await limits.agencies.refundRequest(counted);
      await limits.failures.refused(ip, e.logReason ?? e.code);
    }
    throw error;
  }
  edge.viewer = viewer;
  // A verifier that did not call `admit` (none of ours) still gets the request counted.
  if (!counted) await limits.agencies.admitRequest(viewer, edge);
  return viewer;
}

/** The RateLimit-Policy and RateLimit header values for the limits a request counted in. */
export function rateLimitHeaders(states: readonly RateLimitState[]): { 'ratelimit-policy': string; ratelimit: string } {
  return {
    'ratelimit-policy': states.map((s) => `"${s.policy}";q=${s.quota};w=${s.windowSeconds}`).join(', '),
    ratelimit: states.map((s) => `"${s.policy}";r=${s.remaining};t=${s.resetSeconds}`).join(', '),
  };
}

/**
 * Adds the RateLimit headers to every answer (success or refusal) of a request that counted in
 * a limit, and gives back the slots a request still holds once its connection is done.
 */
export function registerRateLimitHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request, reply) => {
    reply.raw.once('close', () => {
      for (const release of request.edge?.releases ?? []) release();
    });
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    const states = request.edge?.rateLimits;
    if (states?.length) reply.headers(rateLimitHeaders(states));
    return payload;
  });
}
