// The live event feed of the signed-in agency (events.ts follows the stream): the newest events
// first, each with its type, time and one sentence made from its payload, and whether the feed
// is streaming or, while the stream fails, polling.
import { useEffect, useState } from 'react';
import { followEvents, type FeedEvent, type FeedState } from '../events.ts';
import { isMessageKey, useT, type Translate, type Values } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { dateTime } from '../time.ts';
import { Alert } from './Alert.tsx';

/** The feed keeps the newest events only; older ones stay readable through the events query. */
const SHOWN = 50;
const MAX_VALUE_LENGTH = 160;

/** The payload's text and number members as message values, long texts cut. */
function payloadValues(payload: Record<string, unknown>): Values {
  const values: Values = {};
  for (const [name, value] of Object.entries(payload)) {
    if (typeof value === 'number') values[name] = value;
    else if (typeof value === 'string') values[name] = value.length > MAX_VALUE_LENGTH ? `${value.slice(0, MAX_VALUE_LENGTH)}…` : value;
  }
  return values;
}

/** One human sentence for an event: by type (and decision), any member the payload lacks shown as —. */
export function eventSummary(t: Translate, event: FeedEvent): string {
  const decision = typeof event.payload.decision === 'string' ? `.${event.payload.decision}` : '';
  const key = [`event.${event.type}${decision}`, `event.${event.type}`].find(isMessageKey);
  const text = key ? t(key, payloadValues(event.payload)) : t('event.other', { type: event.type });
  return text.replace(/\{\w+\}/g, '—');
}

const STATE_TONE: Record<FeedState, string> = { connecting: 'info', live: 'ok', polling: 'bad' };

export function EventFeed({ session }: { session: Session }) {
  const t = useT();
  const [events, setEvents] = useState<FeedEvent[]>([]);
  const [state, setState] = useState<FeedState>('connecting');
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const stop = new AbortController();
    setEvents([]);
    void followEvents(session, stop.signal, {
      event: (event) => setEvents((shown) => [event, ...shown].slice(0, SHOWN)),
      state: setState,
      error: setError,
    });
    return () => stop.abort();
  }, [session]);

  return (
    <section className="feed" aria-labelledby="feed-heading">
      <h3 id="feed-heading">{t('feed.heading')}</h3>
      <p className={`note ${STATE_TONE[state]}`} data-feed-state={state}>
        {t(`feed.${state}`)}
      </p>
      <Alert error={error} />
      {events.length === 0 ? (
        <p>{t('feed.empty')}</p>
      ) : (
        <ol className="plain feed-events" aria-live="polite">
          {events.map((event) => (
            <li key={event.id} data-event-type={event.type}>
              <strong>{event.type}</strong> <time dateTime={event.occurredAt}>{dateTime(event.occurredAt)}</time>
              <br />
              {eventSummary(t, event)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
