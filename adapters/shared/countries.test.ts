import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COUNTRY_SHORT_NAMES, ISO_COUNTRY_CODES, parseCountry } from './countries.ts';

describe('parseCountry', () => {
  it('knows the full ISO 3166-1 alpha-2 list', () => {
    expect(ISO_COUNTRY_CODES.size).toBe(249);
    for (const code of ['KH', 'MM', 'TW', 'SS', 'BQ']) expect(parseCountry(code)).toEqual({ ok: true, value: code });
  });

  it('accepts every code in any case with surrounding spaces', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ISO_COUNTRY_CODES), fc.boolean(), (code, lower) => {
        expect(parseCountry(` ${lower ? code.toLowerCase() : code}\t`)).toEqual({ ok: true, value: code });
      }),
    );
  });

  it('accepts the Chinese and Spanish short names, ignoring case and accents', () => {
    for (const [name, code] of COUNTRY_SHORT_NAMES) expect(parseCountry(name)).toEqual({ ok: true, value: code });
    expect(parseCountry('espana')).toEqual({ ok: true, value: 'ES' });
    expect(parseCountry('  PAÍSES BAJOS ')).toEqual({ ok: true, value: 'NL' });
    expect(parseCountry('emiratos arabes unidos')).toEqual({ ok: true, value: 'AE' });
    expect(parseCountry('柬埔寨')).toEqual({ ok: true, value: 'KH' });
  });

  it('rejects codes that are not assigned and names not in the table', () => {
    for (const text of ['XX', 'UK', 'EU', 'Narnia', '', 'ESP']) expect(parseCountry(text)).toEqual({ ok: false, code: 'UNKNOWN_COUNTRY' });
  });
});
