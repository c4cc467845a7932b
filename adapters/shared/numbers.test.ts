import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCurrency } from './currencies.ts';
import { checkAmount, parseAmount, parseCoordinate, parseCount, parseDecimal, shiftDecimal } from './numbers.ts';

/** A canonical non-negative decimal: no leading zeros, no trailing fractional zeros. */
const canonicalDecimal = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 20n - 1n }), fc.stringMatching(/^(\d{0,17}[1-9])?$/))
  .map(([int, frac]) => (frac ? `${int}.${frac}` : `${int}`));

const spanish = (decimal: string): string => {
  const [int = '', frac] = decimal.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return frac ? `${grouped},${frac}` : grouped;
};

describe('parseDecimal and parseAmount', () => {
  it('canonicalizes plain decimals', () => {
    expect(parseAmount('125000.00')).toEqual({ ok: true, value: '125000' });
    expect(parseAmount('007.50')).toEqual({ ok: true, value: '7.5' });
    expect(parseAmount('0')).toEqual({ ok: true, value: '0' });
  });

  it('reads Spanish style with thousands groups and a decimal comma', () => {
    expect(parseAmount('1.234.567,89', 'spanish')).toEqual({ ok: true, value: '1234567.89' });
    expect(parseAmount('250.000,00', 'spanish')).toEqual({ ok: true, value: '250000' });
    expect(parseAmount('1234,5', 'spanish')).toEqual({ ok: true, value: '1234.5' });
  });

  it('rejects exponents, NaN, Infinity, 1e309 and misplaced separators', () => {
    for (const text of ['1e309', '1E5', 'NaN', 'Infinity', '-Infinity', '', ' ', '1.2.3', '0x10', '+5', '1,5']) {
      expect(parseAmount(text)).toMatchObject({ ok: false, code: 'MALFORMED_NUMBER' });
    }
    for (const text of ['1,234,567.89', '12.34', '1.23.456', '1.2345,6']) {
      expect(parseAmount(text, 'spanish')).toMatchObject({ ok: false, code: 'MALFORMED_NUMBER' });
      if (parseDecimal(text, 'spanish').ok === false) expect(parseDecimal(text, 'spanish')).toMatchObject({ detail: { expected: '1.234.567,89' } });
    }
  });

  it('rejects a negative amount as out of range', () => {
    expect(parseAmount('-5')).toEqual({ ok: false, code: 'OUT_OF_RANGE' });
    expect(parseAmount('-10,00', 'spanish')).toEqual({ ok: false, code: 'OUT_OF_RANGE' });
  });

  it('rejects amounts the Decimal(38, 18) column cannot hold exactly', () => {
    expect(checkAmount('1'.repeat(21))).toEqual({ ok: false, code: 'OUT_OF_RANGE' });
    expect(checkAmount(`1.${'1'.repeat(19)}`)).toMatchObject({ ok: false, code: 'MALFORMED_NUMBER' });
  });

  it('round-trips any canonical decimal exactly, plain or Spanish', () => {
    fc.assert(
      fc.property(canonicalDecimal, (decimal) => {
        expect(parseAmount(decimal)).toEqual({ ok: true, value: decimal });
        expect(parseAmount(spanish(decimal), 'spanish')).toEqual({ ok: true, value: decimal });
      }),
    );
  });

  it('is unchanged by leading zeros and trailing fractional zeros', () => {
    fc.assert(
      fc.property(canonicalDecimal, fc.nat(3), fc.nat(3), (decimal, lead, trail) => {
        const padded = '0'.repeat(lead) + (decimal.includes('.') ? decimal : `${decimal}.`) + '0'.repeat(trail);
        expect(parseDecimal(padded.endsWith('.') ? `${padded}0` : padded)).toEqual({ ok: true, value: decimal });
      }),
    );
  });
});

describe('shiftDecimal', () => {
  it('scales by 万元 and 亿元 without a float', () => {
    expect(shiftDecimal('12.5', 4)).toBe('125000');
    expect(shiftDecimal('88.5', 4)).toBe('885000');
    expect(shiftDecimal('1.23456789', 8)).toBe('123456789');
    expect(shiftDecimal('0.000123456789', 4)).toBe('1.23456789');
    expect(shiftDecimal('0.1', 0)).toBe('0.1');
  });

  it('agrees with bigint arithmetic for any decimal and power', () => {
    fc.assert(
      fc.property(canonicalDecimal, fc.constantFrom(0, 4, 8), (decimal, power) => {
        const [int = '', frac = ''] = decimal.split('.');
        const scaled = BigInt(int + frac) * 10n ** BigInt(power);
        const shifted = shiftDecimal(decimal, power);
        const [sInt = '', sFrac = ''] = shifted.split('.');
        expect(BigInt(sInt + sFrac) * 10n ** BigInt(frac.length - sFrac.length)).toBe(scaled);
      }),
    );
  });
});

describe('parseCount and parseCoordinate', () => {
  it('reads counts, rejecting fractions, negatives and values beyond 32 bits', () => {
    expect(parseCount('120')).toEqual({ ok: true, value: 120 });
    expect(parseCount('1.250', 'spanish')).toEqual({ ok: true, value: 1250 });
    expect(parseCount('1.5')).toMatchObject({ ok: false, code: 'MALFORMED_NUMBER' });
    expect(parseCount('-1')).toEqual({ ok: false, code: 'OUT_OF_RANGE' });
    expect(parseCount('2147483648')).toEqual({ ok: false, code: 'OUT_OF_RANGE' });
    expect(parseCount('9'.repeat(400))).toEqual({ ok: false, code: 'OUT_OF_RANGE' });
  });

  it('reads coordinates within their range only', () => {
    expect(parseCoordinate('-3,7038', 'lon', 'spanish')).toEqual({ ok: true, value: -3.7038 });
    expect(parseCoordinate('90.0001', 'lat')).toEqual({ ok: false, code: 'OUT_OF_RANGE' });
    expect(parseCoordinate('-180', 'lon')).toEqual({ ok: true, value: -180 });
  });
});

describe('parseCurrency', () => {
  it('accepts ISO 4217 codes and the three crypto tickers in any case', () => {
    for (const code of ['EUR', 'cny', ' usd ', 'PHP', 'USDT', 'btc', 'Eth']) expect(parseCurrency(code).ok).toBe(true);
    expect(parseCurrency('usdt')).toEqual({ ok: true, value: 'USDT' });
  });

  it('rejects other codes and tickers', () => {
    for (const code of ['XYZ', 'DOGE', 'RMB', 'EURO', '', 'HRK']) expect(parseCurrency(code)).toEqual({ ok: false, code: 'UNKNOWN_CURRENCY' });
  });
});
