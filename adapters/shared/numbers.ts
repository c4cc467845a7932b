// Exact numbers. Money is kept as a canonical decimal string (`125000`, `0.5`: no leading
// zeros, no trailing fractional zeros) and never passes through a binary float; scaling by
// 万元/亿元 shifts the decimal point in the string. Readers for each spelling the formats use:
// plain decimal strings, Spanish `1.234.567,89`, exact JSON number text (kept as text by the
// streaming JSON reader). Exponents, NaN, Infinity and `1e309` are MALFORMED_NUMBER; negative
// amounts and counts are OUT_OF_RANGE. Coordinates are the one place a float is fine.
import { cleanText } from './text.ts';
import { fail, ok, type Result } from './issues.ts';

export type NumberCode = 'MALFORMED_NUMBER' | 'OUT_OF_RANGE';

/** Digits the database keeps: Decimal(38, 18). */
const MAX_INTEGER_DIGITS = 20;
const MAX_FRACTION_DIGITS = 18;
/** Counts are 32-bit integers in the database. */
const MAX_COUNT = 2_147_483_647;

const PLAIN = /^(-?)(\d+)(?:\.(\d+))?$/;
const SPANISH_GROUPED = /^(-?)(\d{1,3}(?:\.\d{3})+)(?:,(\d+))?$/;
const SPANISH_PLAIN = /^(-?)(\d+)(?:,(\d+))?$/;

/** A signed decimal split into its parts; `int` and `frac` are digit strings. */
type DecimalParts = { negative: boolean; int: string; frac: string };

function canonical({ negative, int, frac }: DecimalParts): string {
  const i = int.replace(/^0+(?=\d)/, '') || '0';
  const f = frac.replace(/0+$/, '');
  const body = f ? `${i}.${f}` : i;
  return negative && body !== '0' ? `-${body}` : body;
}

function partsOf(match: RegExpExecArray | null, stripGroups = false): DecimalParts | undefined {
  if (!match) return undefined;
  const int = stripGroups ? (match[2] ?? '').replaceAll('.', '') : (match[2] ?? '');
  return { negative: match[1] === '-', int, frac: match[3] ?? '' };
}

export type NumberSpelling = 'decimal' | 'spanish';

/** Reads a decimal written as `1234.5` (`decimal`) or `1.234,5` (`spanish`); canonical string out. */
/** How each spelling reads to an officer (the `expected` of a MALFORMED_NUMBER issue). */
export const NUMBER_FORMATS: Record<NumberSpelling, string> = { decimal: '1234567.89', spanish: '1.234.567,89' };

export function parseDecimal(raw: string, spelling: NumberSpelling = 'decimal'): Result<string, 'MALFORMED_NUMBER'> {
  const text = cleanText(raw);
  const parts =
    spelling === 'decimal'
      ? partsOf(PLAIN.exec(text))
      : (partsOf(SPANISH_GROUPED.exec(text), true) ?? partsOf(SPANISH_PLAIN.exec(text)));
  return parts ? ok(canonical(parts)) : fail('MALFORMED_NUMBER', { expected: NUMBER_FORMATS[spelling] });
}

/** Number of digits after the decimal point of a canonical decimal. */
export const fractionDigits = (canonicalDecimal: string): number => canonicalDecimal.split('.')[1]?.length ?? 0;

/** An amount: a non-negative decimal that fits Decimal(38, 18). */
export function checkAmount(canonicalDecimal: string, maxFractionDigits = MAX_FRACTION_DIGITS): Result<string, NumberCode> {
  if (canonicalDecimal.startsWith('-')) return fail('OUT_OF_RANGE');
  if (fractionDigits(canonicalDecimal) > maxFractionDigits) return fail('MALFORMED_NUMBER');
  const intDigits = (canonicalDecimal.split('.')[0] ?? '').length;
  return intDigits > MAX_INTEGER_DIGITS ? fail('OUT_OF_RANGE') : ok(canonicalDecimal);
}

export function parseAmount(raw: string, spelling: NumberSpelling = 'decimal'): Result<string, NumberCode> {
  const parsed = parseDecimal(raw, spelling);
  return parsed.ok ? checkAmount(parsed.value) : parsed;
}

/** Multiplies a canonical non-negative decimal by 10^power by moving the decimal point. */
export function shiftDecimal(canonicalDecimal: string, power: number): string {
  const [int = '0', frac = ''] = canonicalDecimal.split('.');
  const digits = int + frac.padEnd(power, '0');
  const point = int.length + power;
  return canonical({ negative: false, int: digits.slice(0, point), frac: digits.slice(point) });
}

/** A count (devices, victims): a non-negative whole number that fits 32 bits. */
export function parseCount(raw: string, spelling: NumberSpelling = 'decimal'): Result<number, NumberCode> {
  const parsed = parseDecimal(raw, spelling);
  if (!parsed.ok) return parsed;
  if (parsed.value.includes('.')) return fail('MALFORMED_NUMBER');
  if (parsed.value.startsWith('-')) return fail('OUT_OF_RANGE');
  // Compare as digit strings first so a 400-digit count never becomes a float.
  if (parsed.value.length > String(MAX_COUNT).length || Number(parsed.value) > MAX_COUNT) return fail('OUT_OF_RANGE');
  return ok(Number(parsed.value));
}

/** A latitude (±90) or longitude (±180) in degrees. */
export function parseCoordinate(raw: string, axis: 'lat' | 'lon', spelling: NumberSpelling = 'decimal'): Result<number, NumberCode> {
  const parsed = parseDecimal(raw, spelling);
  if (!parsed.ok) return parsed;
  if ((parsed.value.split('.')[0] ?? '').replace('-', '').length > 3) return fail('OUT_OF_RANGE');
  const value = Number(parsed.value);
  const limit = axis === 'lat' ? 90 : 180;
  return Math.abs(value) <= limit ? ok(value) : fail('OUT_OF_RANGE');
}
