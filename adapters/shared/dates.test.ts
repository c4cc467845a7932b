import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysInMonth, parseDate } from './dates.ts';

const TODAY = '2024-01-01';
const ALL = ['iso', 'slash-ymd', 'cjk', 'dmy'] as const;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Any real calendar date between 1900-01-01 and today. */
const pastDate = fc
  .record({ y: fc.integer({ min: 1900, max: 2023 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }) })
  .filter(({ y, m, d }) => d <= daysInMonth(y, m));

describe('parseDate', () => {
  it('reads the four spellings of the same day', () => {
    expect(parseDate('2022-06-10', TODAY, ALL)).toEqual({ ok: true, value: '2022-06-10' });
    expect(parseDate('2022/6/10', TODAY, ALL)).toEqual({ ok: true, value: '2022-06-10' });
    expect(parseDate('2022年6月10日', TODAY, ALL)).toEqual({ ok: true, value: '2022-06-10' });
    expect(parseDate('10/06/2022', TODAY, ALL)).toEqual({ ok: true, value: '2022-06-10' });
  });

  it('reads full-width digits and surrounding spaces', () => {
    expect(parseDate(' ２０２２年６月１０日 ', TODAY, ['cjk'])).toEqual({ ok: true, value: '2022-06-10' });
  });

  it('rejects a day that is not on the calendar', () => {
    expect(parseDate('2022-02-29', TODAY, ['iso'])).toMatchObject({ ok: false, code: 'INVALID_DATE' });
    expect(parseDate('31/04/2020', TODAY, ['dmy'])).toMatchObject({ ok: false, code: 'INVALID_DATE' });
    expect(parseDate('2020-02-29', TODAY, ['iso'])).toEqual({ ok: true, value: '2020-02-29' });
    expect(parseDate('1900-02-29', TODAY, ['iso'])).toMatchObject({ ok: false, code: 'INVALID_DATE' });
  });

  it('says which spellings it expected when it cannot read a date', () => {
    expect(parseDate('10/06/2022', TODAY, ['iso'])).toEqual({ ok: false, code: 'INVALID_DATE', detail: { expected: 'YYYY-MM-DD' } });
    expect(parseDate('2022-06-10', TODAY, ['dmy'])).toEqual({ ok: false, code: 'INVALID_DATE', detail: { expected: 'DD/MM/YYYY' } });
    expect(parseDate('x', TODAY, ['iso', 'slash-ymd', 'cjk'])).toEqual({
      ok: false, code: 'INVALID_DATE', detail: { expected: 'YYYY-MM-DD or YYYY/MM/DD or YYYY年M月D日' },
    });
  });

  it('rejects a date in the future', () => {
    expect(parseDate('2024-01-02', TODAY, ['iso'])).toEqual({ ok: false, code: 'FUTURE_DATE' });
    expect(parseDate('2024-01-01', TODAY, ['iso'])).toEqual({ ok: true, value: '2024-01-01' });
  });

  it('rejects a date before 1900', () => {
    expect(parseDate('31/12/1899', TODAY, ['dmy'])).toEqual({ ok: false, code: 'DATE_TOO_EARLY' });
  });

  it('rejects spellings the format does not accept, and five-digit years', () => {
    expect(parseDate('10/06/2022', TODAY, ['iso'])).toMatchObject({ ok: false, code: 'INVALID_DATE' });
    expect(parseDate('99999-01-01', TODAY, ['iso'])).toMatchObject({ ok: false, code: 'INVALID_DATE' });
    expect(parseDate('2022-6-10', TODAY, ['iso'])).toMatchObject({ ok: false, code: 'INVALID_DATE' });
  });

  it('gives the same day for every spelling of any past date', () => {
    fc.assert(
      fc.property(pastDate, ({ y, m, d }) => {
        const iso = `${y}-${pad(m)}-${pad(d)}`;
        for (const text of [iso, `${y}/${m}/${d}`, `${y}年${m}月${d}日`, `${pad(d)}/${pad(m)}/${y}`]) {
          expect(parseDate(text, TODAY, ALL)).toEqual({ ok: true, value: iso });
        }
      }),
    );
  });

  it('never accepts a date after today', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2024-01-02T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }), (date) => {
        const iso = date.toISOString().slice(0, 10);
        expect(parseDate(iso, TODAY, ['iso'])).toEqual({ ok: false, code: 'FUTURE_DATE' });
      }),
    );
  });

  it('answers a code and never throws for any text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const result = parseDate(text, TODAY, ALL);
        if (result.ok) expect(result.value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        else expect(['INVALID_DATE', 'FUTURE_DATE', 'DATE_TOO_EARLY']).toContain(result.code);
      }),
    );
  });
});
