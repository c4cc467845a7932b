// The live event feed of one gateway process, behind the GraphQL subscription `events`.
// New rows of agency_event reach it as notifications (a trigger sends `<agency>:<id>` when the
// inserting transaction commits; PostgreSQL: one LISTEN connection of this process, PGlite:
// its in-process listener), never by polling. A notification wakes the open streams of that
// agency only; the streams of one agency standing at the same cursor share one query.
// Each stream reads a page and pushes it one event at a time, waiting for the client to take
// each (no buffer beyond one page): a slow client slows only itself. An agency may hold
// `maxStreamsPerAgency` streams at once in this process. A stream ends when its token
// expires (the client reconnects with a new token and `after` = the last id it has), when
// the operator withdraws the agency's access (suspension, a removed key, narrowed scopes: in
// every process, through the notifier; the client's next token is verified afresh), when the
// client leaves, or when the gateway stops.
import { Repeater } from 'graphql-yoga';
import type { Database } from '../../kernel/db.ts';
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import type { Viewer } from '../../kernel/viewer.ts';
import { agencyEventsPage, latestEventId, MAX_EVENTS_PAGE, type AgencyEventView, type EventFeed } from '../../schema/events.ts';
import type { EventNotifier } from './notifier.ts';
/** How soon a stream looks again when an older transaction still holds events back. */
const HELD_BACK_RECHECK_MS = 250;

export type EventHub = EventFeed & {
  /** Open streams of an agency in this process. */
  streams(agencyId: string): number;
  close(): Promise<void>;
};

type Stream = { dirty: boolean; wakeUp: (() => void) | undefined; stop: () => void };
type Page = { events: AgencyEventView[]; held: boolean };

export function createEventHub(options: { db: Database; notifier: EventNotifier; now: () => Date; maxStreamsPerAgency: number }): EventHub {
  const { db } = options;
  const byAgency = new Map<string, Set<Stream>>();
  const pages = new Map<string, { page: Promise<Page>; startedAs: number }>();
  const rechecks = new Map<string, NodeJS.Timeout>();
  let listening: Promise<() => void> | undefined;
  let closed = false;

  // Wake-ups counted per agency: a page query shared by a stream must have started after the
  // stream's last wake-up, or it may have read before the event that woke it was committed.
  const wakeUps = new Map<string, number>();
  const wake = (stream: Stream) => {
    stream.dirty = true;
    stream.wakeUp?.();
  };
  const wakeAgency = (agencyId: string) => {
    wakeUps.set(agencyId, (wakeUps.get(agencyId) ?? 0) + 1);
    byAgency.get(agencyId)?.forEach(wake);
  };
  const wakeAll = () => byAgency.forEach((_, agencyId) => wakeAgency(agencyId));

  const endAgency = (agencyId: string) => byAgency.get(agencyId)?.forEach((s) => s.stop());

  const listen = () =>
    (listening ??= options.notifier
      .on((agencyId, kind) => (agencyId === undefined ? wakeAll() : kind === 'revoked' ? endAgency(agencyId) : wakeAgency(agencyId)))
      .catch((error: unknown) => {
        listening = undefined;
        throw error;
      }));

  /**
   * One query per (agency, cursor) at a time, whatever the number of streams waiting for it,
   * shared only by streams woken before it started (`wokenAs`: the agency's wake-up count
   * when the stream last looked).
   */
  const pageAfter = (agencyId: string, cursor: bigint, wokenAs: number): Promise<Page> => {
    const key = `${agencyId}:${cursor}`;
    const shared = pages.get(key);
    if (shared && shared.startedAs >= wokenAs) return shared.page;
    const page = agencyEventsPage(db.prisma, agencyId, cursor, MAX_EVENTS_PAGE);
    const entry = { page, startedAs: wokenAs };
    pages.set(key, entry);
    void page.finally(() => pages.get(key) === entry && pages.delete(key)).catch(() => undefined);
    return page;
  };

  const recheckSoon = (agencyId: string) => {
    if (rechecks.has(agencyId)) return;
    const timer = setTimeout(() => {
      rechecks.delete(agencyId);
      wakeAgency(agencyId);
    }, HELD_BACK_RECHECK_MS);
    timer.unref();
    rechecks.set(agencyId, timer);
  };

  const refuseOverCap = (agencyId: string) => {
    if ((byAgency.get(agencyId)?.size ?? 0) < options.maxStreamsPerAgency) return;
    throw new LiaisonError(
      ErrorCode.RATE_LIMITED,
      `Your agency already holds ${options.maxStreamsPerAgency} event streams on this gateway; close one or poll the events query.`,
      { headers: { 'Retry-After': '30' } },
    );
  };

  /**
   * Listens and fixes the stream's starting cursor before answering, so before the response
   * starts: an event committed once the client holds the response's head is in its stream.
   */
  async function subscribe(viewer: Viewer, after: bigint | undefined): Promise<AsyncIterable<AgencyEventView>> {
    if (closed) throw new LiaisonError(ErrorCode.SERVICE_UNAVAILABLE, 'The gateway is shutting down; reconnect shortly.');
    refuseOverCap(viewer.agencyId);
    await listen();
    const start = after ?? (await latestEventId(db.prisma, viewer.agencyId));
    return new Repeater<AgencyEventView>(async (push, stopped) => {
      refuseOverCap(viewer.agencyId);
      let stop = false;
      const stream: Stream = { dirty: true, wakeUp: undefined, stop: () => stopped() };
      const streams = byAgency.get(viewer.agencyId) ?? new Set<Stream>();
      byAgency.set(viewer.agencyId, streams.add(stream));
      void stopped.then(() => {
        stop = true;
        stream.wakeUp?.();
      });
      const expiry = setTimeout(() => stopped(), Math.max(0, viewer.expiresAt.getTime() - options.now().getTime()));
      expiry.unref();
      try {
        let cursor = start;
        while (!stop) {
          if (!stream.dirty) await new Promise<void>((resolve) => (stream.wakeUp = resolve));
          stream.wakeUp = undefined;
          if (stop) break;
          stream.dirty = false;
          const page = await pageAfter(viewer.agencyId, cursor, wakeUps.get(viewer.agencyId) ?? 0);
          for (const event of page.events) {
            if (stop) break;
            await push(event);
            cursor = BigInt(event.id);
          }
          if (page.events.length === MAX_EVENTS_PAGE) stream.dirty = true;
          else if (page.held) recheckSoon(viewer.agencyId);
        }
      } finally {
        clearTimeout(expiry);
        streams.delete(stream);
        if (streams.size === 0 && byAgency.get(viewer.agencyId) === streams) byAgency.delete(viewer.agencyId);
      }
    });
  }

  return {
    subscribe,
    streams: (agencyId) => byAgency.get(agencyId)?.size ?? 0,
    async close() {
      closed = true;
      byAgency.forEach((streams) => streams.forEach((s) => s.stop()));
      rechecks.forEach((timer) => clearTimeout(timer));
      const leave = await listening?.catch(() => undefined);
      leave?.();
    },
  };
}
