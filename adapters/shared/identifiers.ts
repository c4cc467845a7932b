// Identifier normalization (docs/security.md, "Anonymization: what is guaranteed"): the one canonical spelling of each
// selector type, so that the same passport, phone or account sent by two agencies in two
// formats hashes to the same selector. Values come out as `NATIONALITY:NUMBER` (PASSPORT),
// `COUNTRY:NUMBER` (NATIONAL_ID), E.164 (PHONE), lower-case address (EMAIL), `service:handle`
// (MESSENGER), IBAN or `COUNTRY:digits` (BANK_ACCOUNT), `TICKER:address` (CRYPTO_WALLET),
// digits (DEVICE_IMEI). A value that fails its own check is INVALID_IDENTIFIER; a type the
// gateway does not take is UNSUPPORTED_IDENTIFIER. Decisions of our own:
// - MESSENGER: the service is lower-cased; one leading `@` of the handle is dropped (it is a
//   display prefix, not part of a Telegram or WeChat username), so `telegram:@jdc_hr` and
//   `telegram:jdc_hr` are one selector; the handle keeps its case otherwise.
// - PASSPORT / NATIONAL_ID without an issuing country (none given, no default) are invalid:
//   a bare number would join documents of different countries.
// - CRYPTO_WALLET tickers are upper-cased; 0x addresses lower-cased, others keep their case
//   (base58 and bech32 are case-sensitive or canonical already).
// - DEVICE_IMEI: 14 digits, or 15 digits with a valid Luhn check digit.
import { parsePhoneNumberFromString, isSupportedCountry } from 'libphonenumber-js/max';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { SELECTOR_TYPES, type RawIdentifier, type SelectorType } from '../contract.ts';
import { parseCountry } from './countries.ts';
import { cleanText } from './text.ts';

export type NormalizedIdentifier =
  | { ok: true; type: SelectorType; value: string }
  | { ok: false; code: 'INVALID_IDENTIFIER' | 'UNSUPPORTED_IDENTIFIER' };

const invalid = { ok: false, code: 'INVALID_IDENTIFIER' } as const;

/** Upper-case with spaces and dashes removed: `e 1234-5678` → `E12345678`. */
export function normalizeDocumentNumber(raw: string): string | undefined {
  const value = cleanText(raw)
    .toUpperCase()
    .replace(/[\s\p{Pd}]+/gu, '');
  return /^[A-Z0-9]{1,32}$/.test(value) ? value : undefined;
}

function countryOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const parsed = parseCountry(raw);
  return parsed.ok ? parsed.value : undefined;
}

function normalizeDocument(value: string, country: string | undefined): string | undefined {
  const number = normalizeDocumentNumber(value);
  return number && country ? `${country}:${number}` : undefined;
}

export function normalizePhone(value: string, defaultRegion: string | undefined): string | undefined {
  const region = defaultRegion && isSupportedCountry(defaultRegion) ? defaultRegion : undefined;
  const phone = parsePhoneNumberFromString(cleanText(value), region);
  // "Possible" (length and prefix for the region) is the formats README's rule, not "valid".
  return phone?.isPossible() ? phone.number : undefined;
}

export function normalizeEmail(value: string): string | undefined {
  const email = cleanText(value).toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : undefined;
}

export function normalizeMessenger(value: string): string | undefined {
  const text = cleanText(value);
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const service = text.slice(0, colon).trim().toLowerCase();
  const handle = text
    .slice(colon + 1)
    .trim()
    .replace(/^@/, '');
  return /^[a-z0-9._-]+$/.test(service) && /^\S+$/.test(handle) ? `${service}:${handle}` : undefined;
}

/** An IBAN (checksum verified), else `COUNTRY:digits` for a domestic account number. */
export function normalizeBankAccount(value: string, country: string | undefined): string | undefined {
  const compact = cleanText(value).toUpperCase().replace(/[\s\p{Pd}]+/gu, '');
  if (/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) {
    const iban = electronicFormatIBAN(compact);
    return iban && isValidIBAN(iban) ? iban : undefined;
  }
  return /^\d{1,34}$/.test(compact) && country ? `${country}:${compact}` : undefined;
}

/** The country of a normalized BANK_ACCOUNT value (IBAN prefix or `COUNTRY:`). */
export const bankAccountCountry = (normalized: string): string => normalized.slice(0, 2);

export function normalizeWallet(value: string, ticker: string | undefined): string | undefined {
  const address = cleanText(value);
  const coin = ticker === undefined ? '' : cleanText(ticker).toUpperCase();
  if (!/^[A-Z0-9]{2,10}$/.test(coin) || !/^[A-Za-z0-9]{20,128}$/.test(address)) return undefined;
  return `${coin}:${/^0x[0-9a-f]{40}$/i.test(address) ? address.toLowerCase() : address}`;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

export function normalizeImei(value: string): string | undefined {
  const digits = cleanText(value).replace(/[\s\p{Pd}]+/gu, '');
  if (/^\d{14}$/.test(digits)) return digits;
  return /^\d{15}$/.test(digits) && luhnValid(digits) ? digits : undefined;
}

/**
 * Normalizes one raw identifier. `defaultRegion` (ISO alpha-2) stands in when the identifier
 * names no country: the record's nationality for documents, the format's region for phones.
 */
export function normalizeIdentifier(id: RawIdentifier, defaultRegion?: string): NormalizedIdentifier {
  if (!(SELECTOR_TYPES as readonly string[]).includes(id.type)) return { ok: false, code: 'UNSUPPORTED_IDENTIFIER' };
  if (typeof id.value !== 'string' || cleanText(id.value) === '') return invalid;
  const country = countryOf(id.country) ?? countryOf(defaultRegion);
  const value = normalizeByType(id, country);
  return value === undefined ? invalid : { ok: true, type: id.type, value };
}

function normalizeByType(id: RawIdentifier, country: string | undefined): string | undefined {
  switch (id.type) {
    case 'PASSPORT':
    case 'NATIONAL_ID':
      return normalizeDocument(id.value, country);
    case 'PHONE':
      return normalizePhone(id.value, country);
    case 'EMAIL':
      return normalizeEmail(id.value);
    case 'MESSENGER':
      return normalizeMessenger(id.value);
    case 'BANK_ACCOUNT':
      return normalizeBankAccount(id.value, country);
    case 'CRYPTO_WALLET':
      return normalizeWallet(id.value, id.ticker);
    case 'DEVICE_IMEI':
      return normalizeImei(id.value);
  }
}
