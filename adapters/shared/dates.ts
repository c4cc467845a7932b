// Calendar dates as partners write them, normalized to `YYYY-MM-DD`. Each format names the
// spellings it accepts (ISO `2022-06-10`, `2022/06/10`, `2022年6月10日`, Spanish `10/06/2022`);
// a real calendar date is required (no 31 June, 29 February only in leap years). Dates after
// the injected `today` are FUTURE_DATE, before 1900 DATE_TOO_EARLY, anything unreadable
// INVALID_DATE. Pure: no clock is read here.
import { cleanText } from './text.ts';
import { fail, ok, type Result } from './issues.ts';

export type DateSpelling = 'iso' | 'slash-ymd' | 'cjk' | 'dmy';
export type DateCode = 'INVALID_DATE' | 'FUTURE_DATE' | 'DATE_TOO_EARLY';

const PATTERNS: Record<DateSpelling, { re: RegExp; order: 'ymd' | 'dmy' }> = {
  iso: { re: /^(\d{4})-(\d{2})-(\d{2})$/, order: 'ymd' },
  'slash-ymd': { re: /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/, order: 'ymd' },
  cjk: { re: /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$/, order: 'ymd' },
  dmy: { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: 'dmy' },
};

const EARLIEST_YEAR = 1900;

/** How each spelling reads to an officer (the `expected` of an INVALID_DATE issue). */
export const DATE_FORMATS: Record<DateSpelling, string> = {
  iso: 'YYYY-MM-DD',
  'slash-ymd': 'YYYY/MM/DD',
  cjk: 'YYYY年M月D日',
  dmy: 'DD/MM/YYYY',
};

const invalidDate = (spellings: readonly DateSpelling[]) =>
  fail('INVALID_DATE', { expected: spellings.map((s) => DATE_FORMATS[s]).join(' or ') });

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Reads one date in any of `spellings`; `today` is `YYYY-MM-DD`. */
export function parseDate(raw: string, today: string, spellings: readonly DateSpelling[]): Result<string, DateCode> {
  const text = cleanText(raw);
  for (const spelling of spellings) {
    const { re, order } = PATTERNS[spelling];
    const m = re.exec(text);
    if (!m) continue;
    const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const [year, month, day] = order === 'ymd' ? [a, b, c] : [c, b, a];
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return invalidDate(spellings);
    const iso = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
    if (year < EARLIEST_YEAR) return fail('DATE_TOO_EARLY');
    // Fixed-width ISO strings compare in calendar order.
    if (iso > today) return fail('FUTURE_DATE');
    return ok(iso);
  }
  return invalidDate(spellings);
}

/** The year of a normalized `YYYY-MM-DD` date. */
export const yearOf = (isoDate: string): number => Number(isoDate.slice(0, 4));
