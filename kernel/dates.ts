// Calendar helpers shared by the layers above: days are UTC days everywhere in Liaison (match
// quotas renew at 00:00 UTC, a disclosure grant "expires on" a UTC day).

export const DAY_MS = 86_400_000;

/** 00:00 UTC of the day `at` falls on. */
export const utcDay = (at: Date): Date => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));

/** Whole seconds from `at` to the next 00:00 UTC, at least 1 (a Retry-After value). */
export const secondsToNextUtcDay = (at: Date): number => Math.max(1, Math.ceil((utcDay(at).getTime() + DAY_MS - at.getTime()) / 1000));
