// The agency's live event feed: first every event so far (the `events` query, page by page),
// then the GraphQL subscription over server-sent events (POST /graphql with
// `accept: text/event-stream` through fetch, since EventSource cannot send the Authorization
// header). Each stream carries a token minted for it; when the gateway ends the stream (the
// token expired) the feed reconnects with a new token and `after` = the last id it has, so it
// misses nothing. When a stream fails, the feed polls `events(after:)` for a while and then
// tries streaming again.
import { EventsPageQuery, EventsSubscription } from './documents.ts';
import { gql } from './gateway.ts';
import type { ConsoleEventStreamSubscription } from './gql/graphql.ts';
import { authorization, type Session } from './session.ts';

export type FeedEvent = { id: string; type: string; occurredAt: string; payload: Record<string, unknown> };
export type FeedState = 'connecting' | 'live' | 'polling';

/** How long the feed polls after a failed stream before it tries streaming again. */
export const POLL_MS = 5_000;
const POLLS_BEFORE_RETRY = 6;
const MIN_STREAM_MS = 2_000;
/** Catching up reads at most this many pages of 100 events; the feed shows the newest anyway. */
const MAX_CATCH_UP_PAGES = 20;

/** A payload as the feed shows it: an object, whatever the gateway's scalar carried. */
const payloadOf = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

const toFeedEvent = (event: { id: string; type: string; occurredAt: string; payload?: unknown }): FeedEvent => ({
  id: event.id,
  type: event.type,
  occurredAt: event.occurredAt,
  payload: payloadOf(event.payload),
});

/** The events after `after` by the polling query, in order; returns the cursor to go on from. */
export async function pollEvents(after: string | undefined, onEvent: (event: FeedEvent) => void): Promise<string | undefined> {
  let cursor = after;
  for (let page = 0; page < MAX_CATCH_UP_PAGES; page += 1) {
    const { events } = await gql(EventsPageQuery, { after: cursor ?? null });
    for (const { node } of events.edges) onEvent(toFeedEvent(node));
    cursor = events.pageInfo.endCursor ?? cursor;
    if (!events.pageInfo.hasNextPage) break;
  }
  return cursor;
}

/** One message of a text/event-stream body: its `event:` name and its joined `data:` lines. */
type SseMessage = { event: string; data: string };

export function parseSseMessage(block: string): SseMessage | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return event === 'message' && data.length === 0 ? null : { event, data: data.join('\n') };
}

type StreamAnswer = { data?: ConsoleEventStreamSubscription | null; errors?: { message: string }[] };

/** Thrown when a stream cannot be used: the feed falls back to polling. */
class StreamFailed extends Error {}

/**
 * Streams the subscription from `after` until the gateway completes it (resolves) or it fails
 * (throws StreamFailed); each event goes to onEvent as it arrives.
 */
async function streamOnce(session: Session, after: string | undefined, signal: AbortSignal, onOpen: () => void, onEvent: (event: FeedEvent) => void): Promise<void> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: await authorization(session, 'records:read') },
    body: JSON.stringify({ query: EventsSubscription.toString(), variables: { after: after ?? null } }),
    signal,
  }).catch((caught: unknown) => {
    throw signal.aborted ? caught : new StreamFailed('network');
  });
  if (!response.ok || !response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
    throw new StreamFailed(`status ${response.status}`);
  }
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const message = parseSseMessage(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (!message) continue;
      if (message.event === 'complete') return;
      if (message.event !== 'next') continue;
      const answer = JSON.parse(message.data) as StreamAnswer;
      if (answer.errors?.length) throw new StreamFailed(answer.errors[0]!.message);
      if (answer.data?.events) onEvent(toFeedEvent(answer.data.events));
    }
  }
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });

/**
 * Follows the session's events until the signal aborts: catch up, stream, reconnect with
 * `after`, poll while streaming fails. Errors of the polling path go to onError; the feed
 * keeps trying.
 */
export async function followEvents(
  session: Session,
  signal: AbortSignal,
  on: { event: (event: FeedEvent) => void; state: (state: FeedState) => void; error: (error: unknown) => void },
): Promise<void> {
  let last: string | undefined;
  const seen = (event: FeedEvent) => {
    if (last !== undefined && BigInt(event.id) <= BigInt(last)) return;
    last = event.id;
    on.event(event);
  };
  const poll = async () => {
    try {
      last = await pollEvents(last, seen);
      on.error(null);
    } catch (caught) {
      on.error(caught);
    }
  };
  on.state('connecting');
  await poll();
  while (!signal.aborted) {
    try {
      on.state('connecting');
      const opened = Date.now();
      await streamOnce(session, last, signal, () => on.state('live'), seen);
      // A stream the gateway ends at once (it is shutting down) is not retried in a tight loop.
      if (Date.now() - opened < MIN_STREAM_MS) await pause(MIN_STREAM_MS, signal);
    } catch (caught) {
      if (signal.aborted) return;
      if (!(caught instanceof StreamFailed)) on.error(caught);
      on.state('polling');
      for (let round = 0; round < POLLS_BEFORE_RETRY && !signal.aborted; round += 1) {
        await pause(POLL_MS, signal);
        if (!signal.aborted) await poll();
      }
    }
  }
}
