// Partners' interactive requests before bulk work. A request being answered (a read, a match,
// a decision) is "foreground"; an ingestion is not. Between its batches an ingestion waits,
// up to a bound, while any foreground request of this process is in flight: its writes, and
// through back-pressure its parsing worker, then run in the gateway's spare time instead of
// competing with other partners' answers for the same cores and database. The bound keeps
// the file moving under a steady stream of requests (at most `maxWaitMs` per batch).
// The count is per process: every request and submission of one gateway process share it.

let inFlight = 0;
const waiting = new Set<() => void>();

/** Counts a foreground request until the returned function is called (once is enough; more is harmless). */
export function enterForeground(): () => void {
  inFlight++;
  let left = false;
  return () => {
    if (left) return;
    left = true;
    inFlight--;
    if (inFlight === 0) {
      for (const wake of waiting) wake();
      waiting.clear();
    }
  };
}

/** Foreground requests in flight now. */
export const foregroundInFlight = () => inFlight;

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
