// The operator's side of webhooks: set or remove an agency's webhook URL and read its delivery
// log (CLI `liaison agency webhook` / `webhook-log`, admin API). HTTPS only; plain http to
// 127.0.0.1, [::1] or localhost only when LIAISON_WEBHOOK_ALLOW_LOOPBACK=true (tests, a
// relay on the same host). No credentials in the URL: the body is signed, the receiver
// verifies it with the gateway's JWKS.
import { z } from 'zod';
import { ErrorCode, LiaisonError, badInput } from '../../kernel/errors.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Why `url` cannot be a webhook, or undefined when it can. */
export function webhookUrlProblem(url: string, allowLoopback: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.username || parsed.password) return 'must not carry credentials (the body is signed instead)';
  if (parsed.hash) return 'must not have a fragment';
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)) {
    return allowLoopback ? undefined : 'plain http is allowed only to a loopback address with LIAISON_WEBHOOK_ALLOW_LOOPBACK=true';
  }
  return 'must be an https:// URL';
}

const setSchema = z.object({
  code: z.string().min(1).max(40),
  url: z.string().min(1).max(2000).nullable(),
});
export type SetWebhookInput = z.infer<typeof setSchema>;

async function agencyIdOf(prisma: PrismaClient, code: string): Promise<string> {
  const agency = await prisma.agency.findUnique({ where: { code }, select: { id: true } });
  if (!agency) throw new LiaisonError(ErrorCode.NOT_FOUND, `No agency ${code}.`, { issues: [{ field: 'code', code: 'NOT_FOUND', message: 'no such agency' }] });
  return agency.id;
}

/**
 * Sets the agency's webhook (`url`) or removes it (`url: null`). Events raised from now on are
 * delivered to it; a changed URL receives the deliveries still pending; a removed webhook's
 * pending deliveries are dropped (its log is kept).
 */
export async function setAgencyWebhook(prisma: PrismaClient, input: unknown, options: { allowLoopback: boolean }): Promise<{ code: string; url: string | null }> {
  const parsed = setSchema.safeParse(input);
  if (!parsed.success) throw badInput(parsed.error);
  const { code, url } = parsed.data;
  const problem = url === null ? undefined : webhookUrlProblem(url, options.allowLoopback);
  if (problem) throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `url: ${problem}`, { issues: [{ field: 'url', code: 'INVALID_WEBHOOK_URL', message: problem }] });
  const agencyId = await agencyIdOf(prisma, code);
  await prisma.$transaction(async (tx) => {
    if (url === null) {
      const webhook = await tx.agencyWebhook.findUnique({ where: { agencyId } });
      if (webhook) {
        await tx.webhookDelivery.deleteMany({ where: { webhookId: webhook.id, status: 'PENDING' } });
        await tx.agencyWebhook.delete({ where: { id: webhook.id } });
      }
      return;
    }
    await tx.agencyWebhook.upsert({ where: { agencyId }, create: { agencyId, url }, update: { url } });
  });
  return { code, url };
}

export type WebhookLogEntry = {
  eventId: string;
  attempt: number;
  at: Date;
  httpStatus: number | null;
  error: string | null;
  nextAttemptAt: Date | null;
};

export type WebhookLog = {
  code: string;
  url: string | null;
  pending: number;
  failed: number;
  delivered: number;
  attempts: WebhookLogEntry[];
};

/** The agency's webhook, its delivery counts and its latest attempts (newest first). */
export async function readWebhookLog(prisma: PrismaClient, code: string, limit = 50): Promise<WebhookLog> {
  const agencyId = await agencyIdOf(prisma, code);
  const webhook = await prisma.agencyWebhook.findUnique({ where: { agencyId } });
  if (!webhook) return { code, url: null, pending: 0, failed: 0, delivered: 0, attempts: [] };
  const [counts, attempts] = await Promise.all([
    prisma.webhookDelivery.groupBy({ by: ['status'], where: { webhookId: webhook.id }, _count: { _all: true } }),
    prisma.webhookAttempt.findMany({ where: { webhookId: webhook.id }, orderBy: { id: 'desc' }, take: Math.min(Math.max(limit, 1), 500) }),
  ]);
  const count = (status: string) => counts.find((c) => c.status === status)?._count._all ?? 0;
  return {
    code,
    url: webhook.url,
    pending: count('PENDING'),
    failed: count('FAILED'),
    delivered: count('DELIVERED'),
    attempts: attempts.map((a) => ({
      eventId: a.eventId.toString(),
      attempt: a.attempt,
      at: a.at,
      httpStatus: a.httpStatus,
      error: a.error,
      nextAttemptAt: a.nextAttemptAt,
    })),
  };
}
