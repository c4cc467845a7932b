// Per-agency limits per minute (docs/operations.md, "Limits"): requests, over GraphQL and REST,
// and GraphQL cost points. Counted by the verified viewer's agency, never by anything the
// client chooses, in the shared counters of ./counters.ts, so one agency's flood uses up only
// its own allowance. An agency's allowance is the gateway default (config) unless the operator
// set its own (`agency.requests_per_minute`, `agency.cost_per_minute`); the overrides are read
// from the database and kept for a few seconds, so a change made by another process shows
// within that time and one made through this process's admin API at once.
//
// Three rules keep one agency's allowed use from crowding out the others, which a per-minute
// count alone does not: (1) a minute's requests cannot all come at once: at most twice the
// minute's average per second (10 at least), so a flood spends its allowance at the rate it was
// sized for; (2) no single operation may cost more than `costPerOperation`, whatever is left of
// the minute; (3) an agency runs at most `concurrentPerAgency` GraphQL operations at once in a
// process; more wait in the agency's own queue (so they delay only that agency), and past a
// full queue or a 10 s wait they are refused with RATE_LIMITED and a Retry-After of 1 s; (4) its
// operations start at an even pace: at its burst rate while it has the process to itself, at its
// minute's average while another agency is active (ISO-37, ISO-38).
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import type { Config } from '../../kernel/config.ts';
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import type { Viewer } from '../../kernel/viewer.ts';
import type { EdgeContext, RateLimitState } from '../../schema/context.ts';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import { setTimeout as sleep } from 'node:timers/promises';
import { WINDOW_SECONDS, type Counters } from './counters.ts';

const OVERRIDES_TTL_MS = 10_000;

export type Allowance = { requestsPerMinute: number; costPerMinute: number };

export type AgencyLimits = {
  /** Counts one request of the viewer's agency; RATE_LIMITED (429) once its allowance is used. */
  admitRequest(viewer: Viewer, edge: EdgeContext): Promise<void>;
  /** Whether this process already knows the agency to be over its requests in this window (ISO-34). */
  refusing(agencyId: string): boolean;
  /**
   * The refusal of a request of `viewer` that this process already knows to be over its limit in
   * this window (ISO-34), with its RateLimit state noted on `edge`; undefined otherwise. Counts
   * nothing and reads nothing from the database.
   */
  knownRefusal(viewer: Viewer, edge: EdgeContext): LiaisonError | undefined;
  /**
   * ISO-36: waits between half and all of `refusalDelayMs` before a request of an agency already
   * refused in this window is looked at again, while fewer than HELD_REFUSALS_PER_AGENCY of the
   * agency's are held; resolves at once in any other case. The caller then refuses the request
   * if the agency is still refused, or goes on as for any request if its window ended meanwhile.
   */
  holdRefusal(agencyId: string): Promise<void>;
  /** Gives back a request admitted and then refused as a replay (api/limits/gate.ts). */
  refundRequest(viewer: Viewer): Promise<void>;
  /**
   * Charges a GraphQL operation's cost before it runs. An operation that costs more than is
   * left is refused (RATE_LIMITED) and charged nothing; one that costs more than the whole
   * allowance could never run and is refused as bad input.
   */
  chargeCost(viewer: Viewer, points: number, edge: EdgeContext): Promise<void>;
  /**
   * Takes one of the agency's slots for an executing GraphQL operation, waiting in the agency's
   * own queue while it runs its maximum at once; the returned function gives the slot back.
   * RATE_LIMITED when the queue is full or the wait passes SLOT_WAIT_MS.
   */
  enterOperation(viewer: Viewer): Promise<() => void>;
  /** Forgets the cached overrides, after the operator changed them through this process. */
  forgetOverrides(): void;
};

/** Operations of one agency that may wait for a slot, and how long one may wait. */
export const OPERATIONS_WAITING_PER_AGENCY = 32;
export const SLOT_WAIT_MS = 10_000;

/** Refusals of one agency held back at once (ISO-36); past them, the agency's refusals are answered at once. */
export const HELD_REFUSALS_PER_AGENCY = 64;

/** Requests one agency may send in one second: twice the minute's average, and at least 10. */
export const burstPerSecond = (requestsPerMinute: number) => Math.max(10, Math.ceil((2 * requestsPerMinute) / 60));

/** ISO-38: how recently another agency must have started an operation for the gateway to count as shared. */
export const CONTENDED_MS = 2_000;
/** ISO-38: the slowest pace an agency's operations start at while the gateway is shared, per second. */
export const AVERAGE_PACE_FLOOR = 5;
/** Operations one agency starts per second while another agency is active: its minute's average. */
export const averagePace = (requestsPerMinute: number) => Math.max(AVERAGE_PACE_FLOOR, requestsPerMinute / 60);

/** The RATE_LIMITED error of an exhausted allowance: Retry-After in whole seconds, at least 1. */
export function rateLimited(message: string, reason: string, msBeforeNext: number): LiaisonError {
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new LiaisonError(ErrorCode.RATE_LIMITED, message, { reason, headers: { 'Retry-After': String(retryAfter) } });
}

/** Where the caller stands after the count `res`, less `refundedPoints` given back. */
function stateOf(policy: string, quota: number, res: RateLimiterRes, refundedPoints = 0): RateLimitState {
  const used = Math.max(0, res.consumedPoints - refundedPoints);
  return {
    policy,
    quota,
    windowSeconds: WINDOW_SECONDS,
    remaining: Math.max(0, quota - used),
    resetSeconds: Math.max(0, Math.ceil(res.msBeforeNext / 1000)),
  };
}

function note(edge: EdgeContext, state: RateLimitState): void {
  edge.rateLimits = [...(edge.rateLimits ?? []).filter((s) => s.policy !== state.policy), state];
}

export function createAgencyLimits(deps: { config: Pick<Config, 'rateLimits'>; prisma: PrismaClient; counters: Counters }): AgencyLimits {
  const defaults = deps.config.rateLimits;
  const cache = new Map<string, { allowance: Allowance; until: number }>();
  const requests = deps.counters.counter('requests');
  const bursts = deps.counters.counter('requests-per-second', 1);
  const cost = deps.counters.counter('cost');
  /** Per agency: its operations executing in this process, and those queued for a slot. */
  const slots = new Map<string, { running: number; waiting: (() => void)[] }>();

  /** Queues for the agency's next free slot, refusing when its queue is full or the wait too long. */
  function waitForSlot(slot: { waiting: (() => void)[] }): Promise<void> {
    const refusal = () =>
      rateLimited(
        `Your agency already runs ${defaults.concurrentPerAgency} operations at once, with ${slot.waiting.length} more waiting; send the next when one has answered.`,
        'concurrency_limit',
        1_000,
      );
    if (slot.waiting.length >= OPERATIONS_WAITING_PER_AGENCY) return Promise.reject(refusal());
    return new Promise<void>((resolve, reject) => {
      const handOver = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        slot.waiting.splice(slot.waiting.indexOf(handOver), 1);
        reject(refusal());
      }, SLOT_WAIT_MS);
      slot.waiting.push(handOver);
    });
  }

  /**
   * ISO-34: agencies this process found over their requests per minute or per second, until
   * that window ends. Within a window a count only grows, so every request of the agency until
   * then would be refused anyway: it is refused at once, without another count, and so without
   * a database write. An agency flooding past its limit otherwise cost one durable counter write
   * per refused request, and every other partner's commits queued behind their WAL flushes.
   */
  const refusedUntil = new Map<string, { until: number; minuteEndsAt: number; quota: number; error: (msLeft: number) => LiaisonError }>();
  /** The agency's refusal while its window lasts; undefined once it has ended. */
  function activeRefusal(agencyId: string, now = Date.now()) {
    const refused = refusedUntil.get(agencyId);
    return refused && refused.until > now ? refused : undefined;
  }

  /**
   * ISO-37: one agency's operations start at an even pace. After a burst of as many as it may
   * run at once, each starts 1/rate s after the one before (a token bucket of
   * `concurrentPerAgency` tokens; a start that finds none waits for its turn). The per-second
   * count lets an agency's 20 requests of a second through as they come: sent at 100 a second,
   * they came within 200 ms, and every other agency's requests of those 200 ms waited behind them
   * (the isolation bench's flood: A's slowest answers were all at B's second boundaries). A
   * start that would wait past SLOT_WAIT_MS is refused as a full queue would be.
   *
   * ISO-38: the rate is the agency's burst rate while it has the process to itself, and its
   * minute's average (at least AVERAGE_PACE_FLOOR a second) while another agency has started an
   * operation in the last CONTENDED_MS. A burst allowance is for an agency alone; shared, an
   * agency flooding at its burst rate doubled the load every other agency's reads met (the
   * isolation bench's flood, 5 runs side by side: A's p99 1.22–3.37×, median 2.04×, paced at the
   * burst rate; 0.74–3.19×, median 1.35×, at the average). Over a minute the agency gets what
   * its allowance says either way.
   *
   * ISO-40: an agency refused for its request limit (per minute or per second) in this process
   * starts its operations at half that average while another agency is active, until the end of
   * the minute it was refused in. Sending past the limit is no honest partner's way: flooding at
   * ten times its limit, B's admitted reads still ran at its full average while the other
   * agencies' reads shared the two cores with them (the isolation bench's flood on PostgreSQL,
   * 60 s windows: A's p99 1.14–1.61×, its slowest answers spread over the window, not stalls).
   */
  const pace = new Map<string, { tokens: number; at: number }>();
  /** ISO-40: agencies refused for their request limit, until the end of the minute they were refused in. */
  const overLimitUntil = new Map<string, number>();
  /** When each agency last started an operation in this process (entries older than CONTENDED_MS are dropped). */
  const lastStart = new Map<string, number>();
  function othersActive(agencyId: string, now: number): boolean {
    let active = false;
    for (const [id, at] of lastStart) {
      if (now - at > CONTENDED_MS) lastStart.delete(id);
      else if (id !== agencyId) active = true;
    }
    return active;
  }
  async function paceOperation(agencyId: string): Promise<void> {
    const now = Date.now();
    const perMinute = cache.get(agencyId)?.allowance.requestsPerMinute ?? defaults.requestsPerMinute;
    const overLimit = (overLimitUntil.get(agencyId) ?? 0) > now;
    if (!overLimit) overLimitUntil.delete(agencyId);
    const perSecond = othersActive(agencyId, now) ? averagePace(perMinute) / (overLimit ? 2 : 1) : burstPerSecond(perMinute);
    const capacity = defaults.concurrentPerAgency;
    const bucket = pace.get(agencyId) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) * perSecond) / 1000);
    bucket.at = now;
    const waitMs = bucket.tokens >= 1 ? 0 : ((1 - bucket.tokens) * 1000) / perSecond;
    if (waitMs > SLOT_WAIT_MS) {
      throw rateLimited(`Your agency has ${Math.round(-bucket.tokens)} operations waiting for their turn; send the next when one has answered.`, 'concurrency_limit', 1_000);
    }
    // The token is taken now (the balance may go below zero): later starts queue behind this one.
    // Only a start that is not refused makes the process count as shared for the others.
    bucket.tokens -= 1;
    pace.set(agencyId, bucket);
    lastStart.set(agencyId, now);
    if (waitMs > 0) await sleep(waitMs);
  }

  /**
   * ISO-36: an agency that keeps sending after a 429 (within its Retry-After) waits for the next
   * one. A client sending back to back from a few connections then sends a few requests a
   * second instead of a thousand, each of which took the one thread that answers every agency
   * (0.8 ms of it per refusal, measured); an honest client that waits Retry-After never notices.
   * Held answers cost a timer each, and their number per agency is bounded. Each hold lasts a
   * random share of the delay: held to the end of a burst's second instead, every held request
   * and the client's next ones came at the same instant, and the other agencies' requests of
   * that instant waited behind them (the isolation bench's flood, 6.19×).
   */
  const held = new Map<string, number>();
  async function holdRefusal(agencyId: string): Promise<void> {
    const holding = held.get(agencyId) ?? 0;
    if (defaults.refusalDelayMs <= 0 || !activeRefusal(agencyId) || holding >= HELD_REFUSALS_PER_AGENCY) return;
    const wait = Math.round(defaults.refusalDelayMs * (0.5 + Math.random() / 2));
    held.set(agencyId, holding + 1);
    try {
      await sleep(wait);
    } finally {
      const left = (held.get(agencyId) ?? 1) - 1;
      if (left > 0) held.set(agencyId, left);
      else held.delete(agencyId);
    }
  }

  function knownRefusal(viewer: Viewer, edge: EdgeContext): LiaisonError | undefined {
    const now = Date.now();
    const refused = activeRefusal(viewer.agencyId, now);
    if (!refused) return undefined;
    note(edge, { policy: 'requests', quota: refused.quota, windowSeconds: WINDOW_SECONDS, remaining: 0, resetSeconds: Math.ceil((refused.minuteEndsAt - now) / 1000) });
    return refused.error(refused.until - now);
  }

  async function allowanceOf(agencyId: string): Promise<Allowance> {
    const cached = cache.get(agencyId);
    if (cached && cached.until > Date.now()) return cached.allowance;
    const row = await deps.prisma.agency.findUnique({
      where: { id: agencyId },
      select: { requestsPerMinute: true, costPerMinute: true },
    });
    const allowance = {
      requestsPerMinute: row?.requestsPerMinute ?? defaults.requestsPerMinute,
      costPerMinute: row?.costPerMinute ?? defaults.costPerMinute,
    };
    cache.set(agencyId, { allowance, until: Date.now() + OVERRIDES_TTL_MS });
    return allowance;
  }

  return {
    refusing: (agencyId) => activeRefusal(agencyId) !== undefined,

    knownRefusal,
    holdRefusal,

    async admitRequest(viewer, edge) {
      // ISO-34: known to be over its limit in this window: refused without another count, once
      // held back (ISO-36); the refusal is made after the hold, so its Retry-After is current.
      await holdRefusal(viewer.agencyId);
      const known = knownRefusal(viewer, edge);
      if (known) throw known;
      refusedUntil.delete(viewer.agencyId);
      const quota = (await allowanceOf(viewer.agencyId)).requestsPerMinute;
      const now = Date.now();
      // The minute's and the second's counts in one round trip (one statement on PostgreSQL).
      // A refused request counts too: an agency that keeps sending stays refused until the window ends.
      const [counted, burst] = await deps.counters.consumeTogether([
        { kind: 'requests', key: viewer.agencyId, points: 1 },
        { kind: 'requests-per-second', key: viewer.agencyId, points: 1 },
      ]);
      if (!counted || !burst) throw new Error('consumeTogether answered fewer counts than asked');
      note(edge, stateOf('requests', quota, counted));
      const refuse = (error: (msLeft: number) => LiaisonError, msBeforeNext: number): never => {
        refusedUntil.set(viewer.agencyId, { until: now + msBeforeNext, minuteEndsAt: now + counted.msBeforeNext, quota, error });
        overLimitUntil.set(viewer.agencyId, now + counted.msBeforeNext);
        throw error(msBeforeNext);
      };
      if (counted.consumedPoints > quota) {
        refuse(
          (msLeft) => rateLimited(`Your agency has sent its ${quota} requests for this minute; retry after the time in Retry-After.`, 'request_limit', msLeft),
          counted.msBeforeNext,
        );
      }
      const perSecond = burstPerSecond(quota);
      if (burst.consumedPoints > perSecond) {
        refuse(
          (msLeft) =>
            rateLimited(`Your agency is sending faster than ${perSecond} requests a second; spread its ${quota} requests a minute out.`, 'request_burst', msLeft),
          burst.msBeforeNext,
        );
      }
    },

    async refundRequest(viewer) {
      await Promise.all([requests.reward(viewer.agencyId, 1), bursts.reward(viewer.agencyId, 1)]);
    },

    async chargeCost(viewer, points, edge) {
      const ceiling = defaults.costPerOperation;
      if (points > ceiling) {
        throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `This operation costs ${points} points, more than the ${ceiling} one operation may cost; ask for smaller pages or fewer related records, in several operations.`, {
          issues: [{ code: 'OPERATION_TOO_COSTLY', message: `${points} points, at most ${ceiling} per operation` }],
        });
      }
      const quota = (await allowanceOf(viewer.agencyId)).costPerMinute;
      if (points > quota) {
        throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `This operation costs ${points} points, more than your agency's ${quota} per minute; ask for smaller pages or fewer related records.`, {
          issues: [{ code: 'COST_OVER_BUDGET', message: `${points} points, ${quota} per minute` }],
        });
      }
      // With the counts of other requests made meanwhile (api/limits/counters.ts), in the row `cost` reads.
      const [charged] = await deps.counters.consumeTogether([{ kind: 'cost', key: viewer.agencyId, points }]);
      if (!charged) throw new Error('consumeTogether answered fewer counts than asked');
      if (charged.consumedPoints <= quota) {
        note(edge, stateOf('cost', quota, charged));
        return;
      }
      // Refused operations do not run, so they are not charged.
      await cost.reward(viewer.agencyId, points);
      const state = stateOf('cost', quota, charged, points);
      note(edge, state);
      throw rateLimited(
        `This operation costs ${points} points and your agency has ${state.remaining} of its ${quota} left for this minute; retry after the time in Retry-After.`,
        'cost_limit',
        charged.msBeforeNext,
      );
    },

    async enterOperation(viewer) {
      const id = viewer.agencyId;
      await paceOperation(id);
      const slot = slots.get(id) ?? { running: 0, waiting: [] };
      slots.set(id, slot);
      if (slot.running < defaults.concurrentPerAgency) slot.running++;
      else await waitForSlot(slot);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        // The slot goes to the agency's next waiting operation, if any; else it is free.
        const next = slot.waiting.shift();
        if (next) return next();
        slot.running--;
        if (slot.running === 0 && slot.waiting.length === 0) slots.delete(id);
      };
    },

    forgetOverrides() {
      cache.clear();
      refusedUntil.clear();
      overLimitUntil.clear();
    },
  };
}
