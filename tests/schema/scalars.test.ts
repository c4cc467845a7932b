// The Decimal scalar's output form (schema/scalars.ts formatDecimal): plain notation, at least
// two decimals, no other trailing zeros, whatever form the stored value comes in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDecimal } from '../../schema/scalars.ts';

/** The rule stated the long way: whole part, '.', the fraction without trailing zeros padded to two. */
function byTheRule(text: string): string {
  const [whole, fraction = ''] = text.split('.');
  return `${whole}.${fraction.replace(/0+$/, '').padEnd(2, '0')}`;
}

describe('Decimal output', () => {
  it.each([
    ['12', '12.00'],
    ['12.5', '12.50'],
    ['12.500', '12.50'],
    ['12.000', '12.00'],
    ['12.3456', '12.3456'],
    ['12.34560000', '12.3456'],
    ['-0.10', '-0.10'],
    ['0', '0.00'],
    ['50312345.67', '50312345.67'],
  ])('writes %s as %s', (stored, shown) => {
    expect(formatDecimal(stored)).toBe(shown);
    expect(formatDecimal({ toFixed: () => stored })).toBe(shown);
  });

  it('agrees with the rule for any stored decimal', () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.stringMatching(/^\d{1,20}$/), fc.option(fc.stringMatching(/^\d{0,18}$/), { nil: undefined }))
      .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`);
    fc.assert(fc.property(decimal, (text) => formatDecimal(text) === byTheRule(text)), { numRuns: 2_000 });
  });
});
