import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawIdentifier } from '../contract.ts';
import { normalizeDocumentNumber, normalizeIdentifier } from './identifiers.ts';

const norm = (id: RawIdentifier, region?: string) => normalizeIdentifier(id, region);
const value = (id: RawIdentifier, region?: string) => {
  const result = norm(id, region);
  return result.ok ? result.value : result.code;
};

describe('normalizeIdentifier', () => {
  it('writes documents as COUNTRY:NUMBER, upper-cased without spaces or dashes', () => {
    expect(value({ type: 'PASSPORT', value: 'E 1234-5678', country: 'CN' })).toBe('CN:E12345678');
    expect(value({ type: 'PASSPORT', value: 'e12345678', country: '中国' })).toBe('CN:E12345678');
    expect(value({ type: 'NATIONAL_ID', value: '12345678z' }, 'ES')).toBe('ES:12345678Z');
  });

  it('refuses a document without an issuing country or with stray characters', () => {
    expect(norm({ type: 'PASSPORT', value: 'E12345678' })).toEqual({ ok: false, code: 'INVALID_IDENTIFIER' });
    expect(norm({ type: 'PASSPORT', value: 'E1234/5678', country: 'CN' })).toEqual({ ok: false, code: 'INVALID_IDENTIFIER' });
  });

  it('writes phones in E.164 using the default region', () => {
    expect(value({ type: 'PHONE', value: '612345678', country: 'ES' })).toBe('+34612345678');
    expect(value({ type: 'PHONE', value: '+86 138 0013 8000' })).toBe('+8613800138000');
    expect(value({ type: 'PHONE', value: '13800138000' }, 'CN')).toBe('+8613800138000');
  });

  it('drops a phone that is not a possible number for its region, keeps one that is', () => {
    expect(norm({ type: 'PHONE', value: '123', country: 'ES' })).toEqual({ ok: false, code: 'INVALID_IDENTIFIER' });
    expect(norm({ type: 'PHONE', value: '+34 PLANTED' })).toEqual({ ok: false, code: 'INVALID_IDENTIFIER' });
    // The formats README drops a phone that is not *possible* for its region; a possible number
    // outside today's allocated ranges (Spain has no 5xx numbers) is kept, normalized.
    expect(value({ type: 'PHONE', value: '500 000 000', country: 'ES' })).toBe('+34500000000');
  });

  it('verifies IBAN checksums and writes domestic accounts as COUNTRY:digits', () => {
    expect(value({ type: 'BANK_ACCOUNT', value: 'de89 3704 0044 0532 0130 00' })).toBe('DE89370400440532013000');
    expect(norm({ type: 'BANK_ACCOUNT', value: 'DE88 3704 0044 0532 0130 00' })).toEqual({ ok: false, code: 'INVALID_IDENTIFIER' });
    expect(value({ type: 'BANK_ACCOUNT', value: '6222 0200-0000 0000 000', country: 'CN' })).toBe('CN:6222020000000000000');
  });

  it('lower-cases 0x wallet addresses and keeps base58 ones', () => {
    const eth = '0xAbC0000000000000000000000000000000000DeF';
    expect(value({ type: 'CRYPTO_WALLET', value: eth, ticker: 'eth' })).toBe(`ETH:${eth.toLowerCase()}`);
    expect(value({ type: 'CRYPTO_WALLET', value: 'TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE', ticker: 'USDT' })).toBe(
      'USDT:TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE',
    );
    expect(norm({ type: 'CRYPTO_WALLET', value: 'TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE' })).toEqual({ ok: false, code: 'INVALID_IDENTIFIER' });
  });

  it('writes messengers as service:handle with one leading @ dropped', () => {
    expect(value({ type: 'MESSENGER', value: 'Telegram: @jdc_hr ' })).toBe('telegram:jdc_hr');
    expect(value({ type: 'MESSENGER', value: 'telegram:jdc_hr' })).toBe('telegram:jdc_hr');
    expect(norm({ type: 'MESSENGER', value: 'jdc_hr' })).toEqual({ ok: false, code: 'INVALID_IDENTIFIER' });
  });

  it('lower-cases e-mail addresses and checks IMEI digits', () => {
    expect(value({ type: 'EMAIL', value: ' Max@Example.ORG ' })).toBe('max@example.org');
    expect(value({ type: 'DEVICE_IMEI', value: '49-015420-323751-8' })).toBe('490154203237518');
    expect(norm({ type: 'DEVICE_IMEI', value: '490154203237517' })).toEqual({ ok: false, code: 'INVALID_IDENTIFIER' });
  });

  it('drops an empty value and refuses an unknown type', () => {
    expect(norm({ type: 'EMAIL', value: '   ' })).toEqual({ ok: false, code: 'INVALID_IDENTIFIER' });
    expect(norm({ type: 'DRIVING_LICENCE' as RawIdentifier['type'], value: 'X' })).toEqual({ ok: false, code: 'UNSUPPORTED_IDENTIFIER' });
  });

  it('gives a document number one spelling however it is spaced, dashed or cased', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z0-9]{1,20}$/), fc.array(fc.constantFrom(' ', '-', '‐', '  '), { maxLength: 20 }), fc.boolean(), (number, seps, lower) => {
        const spaced = [...number].map((ch, i) => ch + (seps[i] ?? '')).join('');
        expect(normalizeDocumentNumber(lower ? spaced.toLowerCase() : spaced)).toBe(number);
      }),
    );
  });

  it('is idempotent on the number part of its own output', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const once = normalizeDocumentNumber(text);
        if (once !== undefined) expect(normalizeDocumentNumber(once)).toBe(once);
      }),
    );
  });
});
