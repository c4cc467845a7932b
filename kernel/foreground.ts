// Partners' interactive requests before bulk work. A request being answered (a read, a match,
// a decision) is "foreground"; an ingestion is not. Between its batches an ingestion waits,
// up to a bound, while any foreground request of this process is in flight: its writes, and
// through back-pressure its parsing worker, then run in the gateway's spare time instead of
// competing with other partners' answers for the same cores and database. The bound keeps
// the file moving under a steady stream of requests (at most `maxWaitMs` per batch).
// While other partners are active (a request in flight, or one answered within the last
// RECENT_FOREGROUND_MS), bulk work also rests after each step twice as long as the step kept
// the database busy, so it takes at most about a third of the time while they are there, as
// PostgreSQL's cost-based vacuum delay does for vacuum: a large upload otherwise kept one core
// and the WAL busy all the time, and every small commit of another partner waited behind its
// WAL flush (the isolation bench's big upload: A's median doubled). The rest is also long
// enough to hold the WAL the step added to WAL_BYTES_PER_MS_WHILE_SHARED: right after a
// checkpoint starts, the first change to each page logs the whole page, a 100-record batch
// wrote 1–3.7 MB instead of 0.3 MB in the same time, and other partners' commits flushed it
// (ISO-41). Alone, it runs at full speed.
// The count is per process: every request and submission of one gateway process share it.
import { setTimeout as sleep } from 'node:timers/promises';

/** Foreground traffic counts as present for this long after a request was answered. */
export const RECENT_FOREGROUND_MS = 1_000;
/** Rest per millisecond a step of bulk work kept the database busy, while others are active. */
export const REST_PER_BUSY_MS = 2;
/** The longest rest after one step of bulk work. */
export const MAX_REST_MS = 1_000;
/**
 * While others are active, bulk work's write-ahead log is held to this many bytes per
 * millisecond of its steps and rests together (about 1.5 MiB a second).
 */
export const WAL_BYTES_PER_MS_WHILE_SHARED = 1_536;

let inFlight = 0;
let lastAnsweredAt = Number.NEGATIVE_INFINITY;
const waiting = new Set<() => void>();
let resting = 0;

/** Counts a foreground request until the returned function is called (once is enough; more is harmless). */
export function enterForeground(): () => void {
  inFlight++;
  let left = false;
  return () => {
    if (left) return;
    left = true;
    inFlight--;
    lastAnsweredAt = performance.now();
    if (inFlight === 0) {
      for (const wake of waiting) wake();
      waiting.clear();
    }
  };
}

/** Foreground requests in flight now. */
export const foregroundInFlight = () => inFlight;

/** Bulk work resting now (tests read it to see the pace). */
export const restingForForeground = () => resting;

/** Bulk work waiting for them now (tests read it to see an ingestion waiting). */
export const yieldingToForeground = () => waiting.size;

/** Resolves at once when no foreground request is in flight, else when the last ends or `maxWaitMs` passes. */
export function yieldToForeground(maxWaitMs: number): Promise<void> {
  if (inFlight === 0 || maxWaitMs <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      waiting.delete(wake);
      resolve();
    }, maxWaitMs);
    waiting.add(wake);
  });
}

/** A foreground request is in flight, or one was answered within RECENT_FOREGROUND_MS. */
export const foregroundActive = (now = performance.now()): boolean => inFlight > 0 || now - lastAnsweredAt < RECENT_FOREGROUND_MS;

/**
 * The rest after a step of bulk work that kept the database busy `busyMs` and added `walBytes`
 * to the server's write-ahead log, while others are active: twice the busy time, or as long as
 * it takes the step and its rest to stay within WAL_BYTES_PER_MS_WHILE_SHARED, whichever is longer.
 */
export function restAfter(busyMs: number, walBytes = 0): number {
  const busy = Math.max(0, busyMs);
  return Math.min(Math.max(busy * REST_PER_BUSY_MS, walBytes / WAL_BYTES_PER_MS_WHILE_SHARED - busy), MAX_REST_MS);
}

/**
 * Bulk work's pause before its next step, after one that kept the database busy `busyMs`:
 * while foreground traffic is present, restAfter(busyMs), then yieldToForeground(maxWaitMs).
 * Nothing when no foreground request was seen lately; nothing at all when `maxWaitMs` is 0.
 */
export async function paceBehindForeground(busyMs: number, maxWaitMs: number, walBytes = 0): Promise<void> {
  if (maxWaitMs <= 0 || !foregroundActive()) return;
  const rest = restAfter(busyMs, walBytes);
  if (rest >= 1) {
    resting++;
    try {
      await sleep(rest);
    } finally {
      resting--;
    }
  }
  await yieldToForeground(maxWaitMs);
}
