import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEN_TYPES } from '../contract.ts';
import { matchValue, sharedNames, valueTable } from './enums.ts';

const NIVEL = valueTable({ CLEAR: ['BLANCO'], AMBER: ['AMBAR'] });

describe('value tables', () => {
  it('match ignoring case, accents and surrounding spaces', () => {
    expect(matchValue(NIVEL, '  ámbar ')).toEqual({ ok: true, value: 'AMBER' });
    expect(matchValue(NIVEL, 'Blanco')).toEqual({ ok: true, value: 'CLEAR' });
    expect(matchValue(sharedNames(DEN_TYPES), 'call_centre')).toEqual({ ok: true, value: 'CALL_CENTRE' });
  });

  it('answers UNKNOWN_VALUE for an unlisted value, never a fallback', () => {
    expect(matchValue(NIVEL, 'NEGRO')).toEqual({ ok: false, code: 'UNKNOWN_VALUE', detail: { allowed: ['BLANCO', 'AMBAR'] } });
    expect(matchValue(sharedNames(DEN_TYPES), 'CASINO')).toEqual({ ok: false, code: 'UNKNOWN_VALUE', detail: { allowed: [...DEN_TYPES] } });
  });

  it('refuses a table that lists one spelling twice', () => {
    expect(() => valueTable({ A: ['x'], B: ['X'] })).toThrow();
  });

  it('maps every shared name to itself whatever its case', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DEN_TYPES), fc.boolean(), (value, lower) => {
        expect(matchValue(sharedNames(DEN_TYPES), lower ? value.toLowerCase() : value)).toEqual({ ok: true, value });
      }),
    );
  });
});
