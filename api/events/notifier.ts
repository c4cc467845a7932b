// The one LISTEN of a gateway process on the channel that the agency_event trigger notifies
// (prisma/migrations/*_agency_events_delivery): the event streams and the webhook deliverer
// both hear new events through it. It starts listening on the first `on` and stops when the
// last listener leaves or the process closes it. Listeners hear the agency id of each new
// event, and `undefined` after an outage (notifications may have been missed: look again).
// The operator's withdrawals of an agency's access (api/agency-lifecycle.ts) come on the same
// channel as `<agency id>:revoked`: listeners hear them with kind `revoked`.
import type { Database } from '../../kernel/db.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { StopListening } from '../../kernel/notifications.ts';

export const EVENT_CHANNEL = 'liaison_agency_event';
/** The payload suffix of a withdrawal (the trigger's payloads end in an event id). */
export const REVOKED = 'revoked';

export type EventListener = (agencyId: string | undefined, kind?: 'event' | 'revoked') => void;

export type EventNotifier = {
  /** Adds a listener once listening works; answers its removal. */
  on(listener: EventListener): Promise<() => void>;
  close(): Promise<void>;
};

export function createEventNotifier(db: Database, log: Logger): EventNotifier {
  const listeners = new Set<EventListener>();
  let listening: Promise<StopListening> | undefined;
  const tell = (agencyId: string | undefined, kind: 'event' | 'revoked' = 'event') => listeners.forEach((listener) => listener(agencyId, kind));

  const start = () =>
    (listening ??= db
      .listen(EVENT_CHANNEL, {
        onNotify: (payload) => {
          const [agencyId, what] = payload.split(':');
          tell(agencyId, what === REVOKED ? 'revoked' : 'event');
        },
        onResume: () => tell(undefined),
        onError: (err) => log.warn({ err }, 'event notifications interrupted; reconnecting'),
      })
      .catch((error: unknown) => {
        listening = undefined;
        throw error;
      }));

  const stop = async () => {
    const current = listening;
    listening = undefined;
    const stopListening = await current?.catch(() => undefined);
    await stopListening?.();
  };

  return {
    async on(listener) {
      await start();
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) void stop();
      };
    },
    async close() {
      listeners.clear();
      await stop();
    },
  };
}
