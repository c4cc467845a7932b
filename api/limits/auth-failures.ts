// The limit on failed authentication per client address (bad, forged, expired or reused
// tokens: the 401s of GraphQL and REST). Each failure is counted in the shared counters; past
// LIAISON_AUTH_FAILURES_PER_MINUTE the address gets 429 for the rest of the minute, before its
// token is even verified, whatever it sends. The refusals are still audited, but summarized: one
// hash-chained event per address and window (how many, first and last time, how many of each
// reason) instead of one row each, so a flood of forged tokens cannot grow the audit chain
// faster than one row per address a minute. A window's event is written when the next failure
// of that address comes after the window, by a timer once a window, and when the gateway closes;
// each gateway process writes its own.
import type { AuditSink } from '../../kernel/audit.ts';
import type { Logger } from '../../kernel/logger.ts';
import { rateLimited } from './agency-limits.ts';
import { WINDOW_SECONDS, type Counters } from './counters.ts';

/** More addresses than this with failures in one window are summarized at once, to bound memory. */
const MAX_OPEN_SUMMARIES = 10_000;
/** The reason recorded for a request refused because its address is over the limit. */
export const OVER_LIMIT_REASON = 'too_many_failures';

type Summary = { firstAt: Date; lastAt: Date; count: number; reasons: Record<string, number> };

export type AuthFailureGuard = {
  /** RATE_LIMITED when `ip` is over its limit of failures this minute (checked before verifying). */
  check(ip: string): void;
  /** Counts one refused authentication of `ip` for `reason` (a log reason, never token material). */
  refused(ip: string, reason: string): Promise<void>;
  /** Writes the summary of every address with failures not yet written. */
  flush(): Promise<void>;
  close(): Promise<void>;
};

export function createAuthFailureGuard(deps: {
  counters: Counters;
  perMinute: number;
  audit: AuditSink;
  logger: Logger;
  now: () => Date;
}): AuthFailureGuard {
  const failures = deps.counters.counter('auth-failures');
  const windowMs = WINDOW_SECONDS * 1000;
  const blockedUntil = new Map<string, number>();
  const open = new Map<string, Summary>();

  async function write(ip: string, summary: Summary): Promise<void> {
    await deps.audit
      .append({
        action: 'authenticate',
        outcome: 'denied',
        detail: {
          ip,
          count: summary.count,
          firstAt: summary.firstAt.toISOString(),
          lastAt: summary.lastAt.toISOString(),
          reasons: summary.reasons,
          windowSeconds: WINDOW_SECONDS,
        },
      })
      .catch((error: unknown) => deps.logger.error({ err: error }, 'audit append of failed authentications failed'));
  }

  async function flushWhere(ended: (summary: Summary) => boolean): Promise<void> {
    const due = [...open].filter(([, summary]) => ended(summary));
    for (const [ip] of due) open.delete(ip);
    for (const [ip, summary] of due) await write(ip, summary);
  }

  async function note(ip: string, reason: string): Promise<void> {
    const at = deps.now();
    const current = open.get(ip);
    if (current && at.getTime() - current.firstAt.getTime() >= windowMs) {
      open.delete(ip);
      await write(ip, current);
    }
    if (open.size >= MAX_OPEN_SUMMARIES) await flushWhere(() => true);
    const summary = open.get(ip) ?? { firstAt: at, lastAt: at, count: 0, reasons: {} };
    summary.lastAt = at;
    summary.count += 1;
    summary.reasons[reason] = (summary.reasons[reason] ?? 0) + 1;
    open.set(ip, summary);
  }

  const timer = setInterval(() => {
    const now = deps.now().getTime();
    for (const [ip, until] of blockedUntil) if (until <= Date.now()) blockedUntil.delete(ip);
    void flushWhere((summary) => now - summary.firstAt.getTime() >= windowMs);
  }, windowMs);
  timer.unref();

  return {
    check(ip) {
      const until = blockedUntil.get(ip);
      if (until === undefined) return;
      if (until <= Date.now()) {
        blockedUntil.delete(ip);
        return;
      }
      void note(ip, OVER_LIMIT_REASON);
      throw rateLimited(
        'Too many failed authentications from your address; retry after the time in Retry-After.',
        'auth_failure_limit',
        until - Date.now(),
      );
    },

    async refused(ip, reason) {
      await note(ip, reason);
      const counted = await failures.consume(ip, 1);
      if (counted.consumedPoints > deps.perMinute) {
        if (blockedUntil.size >= MAX_OPEN_SUMMARIES) blockedUntil.clear();
        blockedUntil.set(ip, Date.now() + counted.msBeforeNext);
      }
    },

    flush: () => flushWhere(() => true),

    async close() {
      clearInterval(timer);
      await flushWhere(() => true);
    },
  };
}
