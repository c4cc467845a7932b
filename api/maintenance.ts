// The gateway's periodic housekeeping, started by every process that serves partners (api/server.ts,
// and the benchmarks' gateway child, which must creep or not exactly as the service does):
//   - used jtis are worthless once their token expired: the replay cache drops them every minute;
//   - disclosure requests left undecided past their due time: both sides are told once, within a
//     minute, even if neither reads its requests (reads raise them too, at once).
// A failed round is logged and the next minute tries again.
import type { Logger } from '../kernel/logger.ts';
import type { PrismaClient } from '../prisma/generated/client/client.ts';
import { raiseOverdueDisclosures } from '../schema/disclosure.ts';
import { purgeExpiredJtis } from './auth/replay-cache.ts';

export const MAINTENANCE_INTERVAL_MS = 60_000;

export function startMaintenance(options: { prisma: PrismaClient; logger: Pick<Logger, 'warn'>; intervalMs?: number }): { stop(): void } {
  const { prisma, logger } = options;
  const every = options.intervalMs ?? MAINTENANCE_INTERVAL_MS;
  const purge = setInterval(() => {
    purgeExpiredJtis(prisma, new Date()).catch((err: unknown) => logger.warn({ err }, 'replay-cache purge failed'));
  }, every);
  purge.unref();
  const overdue = setInterval(() => {
    raiseOverdueDisclosures(prisma, new Date()).catch((err: unknown) => logger.warn({ err }, 'overdue disclosure sweep failed'));
  }, every);
  overdue.unref();
  return {
    stop() {
      clearInterval(purge);
      clearInterval(overdue);
    },
  };
}
