// Decimal (money as an exact decimal string, "50312345.67") and Date ("YYYY-MM-DD", UTC).
// Money never passes through a binary float on its way out or in.
import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.ts';

const DECIMAL_PATTERN = /^-?\d{1,20}(\.\d{1,18})?$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

const ZERO = 0x30; // '0'

/** Plain decimal notation without exponent; at least two decimals, no other trailing zeros. */
export function formatDecimal(value: { toFixed(): string } | string): string {
  const text = typeof value === 'string' ? value : value.toFixed();
  // Scanned, not split: a page of funds formats two amounts per fund (2,000 for the bench's read).
  const point = text.indexOf('.');
  if (point < 0) return `${text}.00`;
  let end = text.length;
  while (end > point + 1 && text.charCodeAt(end - 1) === ZERO) end -= 1;
  // What is kept, padded with zeros to two decimals ('00'.slice(n): the zeros n decimals still need).
  const digits = end - point - 1;
  const kept = text.slice(0, end);
  return digits >= 2 ? kept : `${kept}${'00'.slice(digits)}`;
}

export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function parseDate(text: string): Date {
  const m = DATE_PATTERN.exec(text);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!date || formatDate(date) !== text) throw new GraphQLError('Date must be a calendar date YYYY-MM-DD.');
  return date;
}

function parseDecimal(value: unknown): string {
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) {
    throw new GraphQLError('Decimal must be a string of digits with an optional decimal point, e.g. "1234.50".');
  }
  return value;
}

builder.scalarType('Decimal', {
  description: 'An exact decimal number serialized as a string, e.g. "1234.50". Never a float.',
  serialize: (value) => formatDecimal(value),
  parseValue: parseDecimal,
  parseLiteral: (ast) => parseDecimal(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('Date', {
  description: 'A calendar date, YYYY-MM-DD.',
  // A compiled read (schema/compiled/) hands over the date PostgreSQL already wrote as YYYY-MM-DD.
  serialize: (value) => (typeof value === 'string' ? value : formatDate(value)),
  parseValue: (value) => parseDate(String(value)),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Date must be a string YYYY-MM-DD.');
    return parseDate(ast.value);
  },
});

builder.scalarType('DateTime', {
  description: 'An instant, ISO 8601 in UTC.',
  serialize: (value) => (typeof value === 'string' ? value : value.toISOString()),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be ISO 8601.');
    return date;
  },
});
