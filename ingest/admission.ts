// How many submissions one agency may have in progress at once in this gateway process
// (receiving, parsing or writing). Above it the next one is refused at once with 429 and
// Retry-After instead of queueing, so one partner's uploads cannot take the capacity that
// every other partner's submissions share.
import { ErrorCode, LiaisonError } from '../kernel/errors.ts';

/** Default number of submissions in progress per agency. */
export const DEFAULT_CONCURRENT_SUBMISSIONS = 2;
const RETRY_AFTER_SECONDS = 5;

const running = new Map<string, number>();

/** Takes a slot for the agency or throws RATE_LIMITED; call the returned function when done (idempotent). */
export function admitSubmission(agencyId: string, limit: number): () => void {
  const inProgress = running.get(agencyId) ?? 0;
  if (inProgress >= limit) {
    throw new LiaisonError(ErrorCode.RATE_LIMITED, `At most ${limit} submissions of one agency may be in progress at once; send this one when another has finished.`, {
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      issues: [{ field: '(file)', code: 'TOO_MANY_CONCURRENT_SUBMISSIONS', message: `at most ${limit} at once` }],
    });
  }
  running.set(agencyId, inProgress + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (running.get(agencyId) ?? 1) - 1;
    if (left <= 0) running.delete(agencyId);
    else running.set(agencyId, left);
  };
}
