// The one UTC-day helper (kernel/dates.ts) that the match quota and disclosure grants share.
import { describe, expect, it } from 'vitest';
import { DAY_MS, secondsToNextUtcDay, utcDay } from '../../kernel/dates.ts';

describe('kernel dates', () => {
  it('utcDay is 00:00 UTC of the day, whatever the time of day', () => {
    expect(utcDay(new Date('2026-12-06T23:59:59.999Z')).toISOString()).toBe('2026-12-06T00:00:00.000Z');
    expect(utcDay(new Date('2026-12-06T00:00:00.000Z')).toISOString()).toBe('2026-12-06T00:00:00.000Z');
    expect(utcDay(new Date('2024-02-29T12:00:00+09:00')).toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });

  it('secondsToNextUtcDay counts whole seconds to midnight UTC, at least one', () => {
    expect(secondsToNextUtcDay(new Date('2026-12-06T00:00:00.000Z'))).toBe(DAY_MS / 1000);
    expect(secondsToNextUtcDay(new Date('2026-12-06T23:59:30.000Z'))).toBe(30);
    expect(secondsToNextUtcDay(new Date('2026-12-06T23:59:59.900Z'))).toBe(1);
  });
});
