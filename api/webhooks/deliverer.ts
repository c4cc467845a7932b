// Delivers each agency event to the agency's webhook, once, from however many gateway
// processes share the database. The agency_event trigger queues one webhook_delivery row per
// event and webhook in the inserting transaction, so nothing is lost across restarts. Each
// process, woken by new events (the notifier) and by a timer for retries:
// 1. finds webhooks with due deliveries;
// 2. per webhook (never two at once in one process), claims up to `batch` due rows with
//    FOR UPDATE SKIP LOCKED and leases them (next_attempt_at = now + lease): another process
//    skips rows being claimed and ignores leased ones, so each event goes out once (a process
//    that dies mid-send leaves the lease to run out, and the event is retried: at least once
//    across crashes; receivers deduplicate by event id);
// 3. POSTs each as a compact JWS signed with the gateway's receipt key (typ
//    liaison-event+jws; verify with /.well-known/jwks.json), no redirects followed;
// 4. logs the attempt; a 2xx marks it delivered, anything else retries after an exponential
//    backoff (capped) until `maxAttempts`, then FAILED. The rest of the webhook's claim is put
//    back to the same time, so a receiver that is down is not hammered.
// Webhooks are served concurrently (up to `concurrency`), so a slow receiver delays only
// its own agency's deliveries. A suspended agency's deliveries wait (nothing new is claimed
// for it, by any process) until it is reactivated.
import type { Database } from '../../kernel/db.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { ReceiptSigner } from '../../ingest/receipts.ts';
import { eventView } from '../../schema/events.ts';
import type { EventNotifier } from '../events/notifier.ts';
import { webhookUrlProblem } from './registry.ts';

export const WEBHOOK_TYP = 'liaison-event+jws';

export type DelivererOptions = {
  db: Database;
  signer: Pick<ReceiptSigner, 'signJson'>;
  notifier?: EventNotifier;
  log: Logger;
  now?: () => Date;
  /** The gateway's issuer (the `iss` of every body). */
  issuer: string;
  allowLoopback: boolean;
  /** Per request; a receiver that takes longer counts as failed. */
  timeoutMs?: number;
  /** First retry delay; doubles per attempt up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxAttempts?: number;
  /** Deliveries claimed per webhook and round. */
  batch?: number;
  /** Webhooks served at once by this process. */
  concurrency?: number;
  /** How often due retries are looked for when no new event wakes the deliverer. */
  intervalMs?: number;
};

export type WebhookDeliverer = {
  start(): Promise<void>;
  /** Delivers everything due now and waits for it (tests; the loop calls the same). */
  drain(): Promise<void>;
  stop(): Promise<void>;
};

type Claimed = { event_id: bigint; attempts: number };
type Webhook = { id: string; url: string; agency_code: string };
type EventRow = { id: bigint; type: string; payload: unknown; created_at: Date };

/** The retry delay after failed attempt number `attempt` (1-based). */
export const retryDelayMs = (attempt: number, baseMs: number, maxMs: number) => Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));

export function createWebhookDeliverer(options: DelivererOptions): WebhookDeliverer {
  const { db, log } = options;
  const prisma = db.prisma;
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 10_000;
  const baseDelayMs = options.baseDelayMs ?? 10_000;
  const maxDelayMs = options.maxDelayMs ?? 3_600_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const batch = options.batch ?? 20;
  const concurrency = options.concurrency ?? 8;
  const leaseMs = timeoutMs * (batch + 1);
  const inFlight = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let leave: (() => void) | undefined;
  let stopped = false;
  let round: Promise<void> | undefined;

  async function dueWebhooks(): Promise<Webhook[]> {
    return prisma.$queryRaw<Webhook[]>`
      SELECT w.id, w.url, a.code AS agency_code FROM agency_webhook w JOIN agency a ON a.id = w.agency_id
       WHERE a.status = 'ACTIVE'
         AND EXISTS (SELECT 1 FROM webhook_delivery d
                      WHERE d.webhook_id = w.id AND d.status = 'PENDING' AND d.next_attempt_at <= ${now()})
       LIMIT 100`;
  }

  async function claim(webhookId: string): Promise<Claimed[]> {
    const at = now();
    return prisma.$queryRaw<Claimed[]>`
      UPDATE webhook_delivery d SET attempts = d.attempts + 1, next_attempt_at = ${new Date(at.getTime() + leaseMs)}
        FROM (SELECT event_id FROM webhook_delivery
               WHERE webhook_id = ${webhookId}::uuid AND status = 'PENDING' AND next_attempt_at <= ${at}
                 AND EXISTS (SELECT 1 FROM agency_webhook w JOIN agency a ON a.id = w.agency_id
                              WHERE w.id = ${webhookId}::uuid AND a.status = 'ACTIVE')
               ORDER BY event_id LIMIT ${batch}
               FOR UPDATE SKIP LOCKED) due
       WHERE d.webhook_id = ${webhookId}::uuid AND d.event_id = due.event_id
   RETURNING d.event_id, d.attempts`;
  }

  async function body(webhook: Webhook, row: EventRow): Promise<string> {
    const event = eventView(row);
    return options.signer.signJson(
      {
        iss: options.issuer,
        aud: webhook.agency_code,
        iat: Math.floor(now().getTime() / 1000),
        event: { id: event.id, type: event.type, occurredAt: event.occurredAt.toISOString(), payload: event.payload },
      },
      WEBHOOK_TYP,
    );
  }

  /** One POST; answers the HTTP status, or the failure in a few words (never a response body). */
  async function send(webhook: Webhook, eventId: bigint, jws: string): Promise<{ status?: number; error?: string }> {
    const problem = webhookUrlProblem(webhook.url, options.allowLoopback);
    if (problem) return { error: `url refused: ${problem}` };
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/jose', 'liaison-event-id': eventId.toString() },
        body: jws,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      return response.ok ? { status: response.status } : { status: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
      const e = error as { name?: string; cause?: { code?: string } };
      if (e.name === 'TimeoutError') return { error: `no answer within ${timeoutMs} ms` };
      return { error: e.cause?.code ?? e.name ?? 'request failed' };
    }
  }

  async function record(webhookId: string, eventId: bigint, attempt: number, outcome: { status?: number; error?: string }): Promise<Date | null> {
    const at = now();
    const delivered = outcome.error === undefined;
    const retryAt = !delivered && attempt < maxAttempts ? new Date(at.getTime() + retryDelayMs(attempt, baseDelayMs, maxDelayMs)) : null;
    await prisma.$transaction([
      prisma.webhookDelivery.update({
        where: { eventId_webhookId: { eventId, webhookId } },
        data: delivered
          ? { status: 'DELIVERED', deliveredAt: at }
          : retryAt
            ? { nextAttemptAt: retryAt }
            : { status: 'FAILED' },
      }),
      prisma.webhookAttempt.create({
        data: { eventId, webhookId, attempt, at, httpStatus: outcome.status ?? null, error: outcome.error ?? null, nextAttemptAt: retryAt },
      }),
    ]);
    return delivered ? null : (retryAt ?? at);
  }

  /** Claims and sends one batch of a webhook, in event order; stops at the first failure. */
  async function serve(webhook: Webhook): Promise<void> {
    const claimed = await claim(webhook.id);
    if (claimed.length === 0) return;
    const rows = await prisma.$queryRaw<EventRow[]>`
      SELECT id, type, payload, created_at FROM agency_event WHERE id = ANY(${claimed.map((c) => c.event_id)}::bigint[]) ORDER BY id`;
    const attempts = new Map(claimed.map((c) => [c.event_id, c.attempts]));
    for (const [index, row] of rows.entries()) {
      const attempt = attempts.get(row.id)!;
      const failedUntil = await record(webhook.id, row.id, attempt, await send(webhook, row.id, await body(webhook, row)));
      if (failedUntil) {
        const rest = rows.slice(index + 1).map((r) => r.id);
        if (rest.length > 0) {
          // Not attempted: give the attempt back and wait as long as the one that failed.
          await prisma.$executeRaw`
            UPDATE webhook_delivery SET attempts = attempts - 1, next_attempt_at = ${failedUntil}
             WHERE webhook_id = ${webhook.id}::uuid AND event_id = ANY(${rest}::bigint[])`;
        }
        return;
      }
    }
    if (claimed.length === batch) await serve(webhook);
  }

  async function runRound(): Promise<void> {
    const webhooks = await dueWebhooks();
    for (const webhook of webhooks) {
      if (inFlight.has(webhook.id) || inFlight.size >= concurrency) continue;
      const work = serve(webhook)
        .catch((err: unknown) => log.warn({ err, webhook: webhook.id }, 'webhook delivery round failed'))
        .finally(() => inFlight.delete(webhook.id));
      inFlight.set(webhook.id, work);
    }
  }

  /** Runs a round unless one is running (a wake-up during a round is picked up by the timer). */
  const wake = () => {
    if (stopped || round) return;
    round = runRound()
      .catch((err: unknown) => log.warn({ err }, 'webhook delivery round failed'))
      .finally(() => (round = undefined));
  };

  return {
    async start() {
      stopped = false;
      if (options.notifier) leave = await options.notifier.on(wake);
      timer = setInterval(wake, options.intervalMs ?? 5_000);
      timer.unref();
      wake();
    },
    async drain() {
      await round;
      for (;;) {
        await runRound();
        if (inFlight.size === 0) return;
        await Promise.all(inFlight.values());
      }
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      leave?.();
      await round;
      await Promise.all(inFlight.values());
    },
  };
}
