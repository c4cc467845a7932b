// Identifier objects as liaison-json and STIX write them: `{ type, value, country?, ticker? }`
// with `type` a shared selector type. This reads one object or a list of them into
// RawIdentifiers named after the partner's field (`identifiers/0`), so that a later warning
// from pseudonymization points at the right one. A type the gateway does not take is an
// UNSUPPORTED_IDENTIFIER warning and a malformed entry an INVALID_IDENTIFIER warning; neither
// refuses the record. Validity of the value itself is pseudonymization's job.
import { SELECTOR_TYPES, type IdentifierGroup, type RawIdentifier, type SelectorType } from '../contract.ts';
import { isCryptoTicker } from './currencies.ts';
import { sharedNames, matchValue } from './enums.ts';
import type { FieldReader } from './fields.ts';
import { absentIdentifierGroups, textOf } from './fields.ts';
import { isJsonObject, type JsonValue } from './json-stream.ts';

const SELECTOR_TABLE = sharedNames(SELECTOR_TYPES);

/** Reads one identifier object; `field` is the partner's name for it (`account`, `identifiers/1`). */
export function readJsonIdentifier(
  reader: FieldReader,
  field: string,
  raw: JsonValue | undefined,
  allowed: readonly SelectorType[] = SELECTOR_TYPES,
): RawIdentifier | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isJsonObject(raw)) return reader.report(field, 'INVALID_IDENTIFIER', { severity: 'warning' });
  const typeText = textOf(raw.type);
  const type = typeText === undefined ? undefined : matchValue(SELECTOR_TABLE, typeText);
  if (!type?.ok || !allowed.includes(type.value)) {
    return reader.report(`${field}/type`, 'UNSUPPORTED_IDENTIFIER', { severity: 'warning' });
  }
  const value = textOf(raw.value) ?? '';
  const id: RawIdentifier = { type: type.value, value, field };
  const country = textOf(raw.country);
  const ticker = textOf(raw.ticker);
  if (country !== undefined) id.country = country;
  if (ticker !== undefined) id.ticker = ticker;
  return id;
}

/** Reads a list of identifier objects named `field` (`identifiers`, `x_liaison_identifiers`). */
export function readJsonIdentifiers(reader: FieldReader, field: string, raw: JsonValue | undefined): RawIdentifier[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    reader.report(field, 'INVALID_IDENTIFIER', { severity: 'warning' });
    return [];
  }
  return raw.flatMap((entry, index) => readJsonIdentifier(reader, `${field}/${index}`, entry) ?? []);
}

/**
 * The identifier groups a JSON suspect keeps from storage: every selector type when its
 * identifier list is left out (a list, even empty, replaces them all), NAME_DOB when the name
 * or the birth date is left out.
 */
export function jsonAbsentIdentifiers(list: JsonValue | undefined, name: JsonValue | undefined, birthDate: JsonValue | undefined): IdentifierGroup[] {
  const nameDob = name !== undefined && birthDate !== undefined;
  const groups = list !== undefined ? (nameDob ? ABSENT.listed.nameDob : ABSENT.listed.noNameDob) : nameDob ? ABSENT.unlisted.nameDob : ABSENT.unlisted.noNameDob;
  return [...groups];
}

/** The four possible answers, computed once (every suspect of a file asks). */
const absentWhen = (listed: boolean, nameDob: boolean): readonly IdentifierGroup[] =>
  absentIdentifierGroups({ ...Object.fromEntries(SELECTOR_TYPES.map((type) => [type, listed])), NAME_DOB: nameDob });
const ABSENT = {
  listed: { nameDob: absentWhen(true, true), noNameDob: absentWhen(true, false) },
  unlisted: { nameDob: absentWhen(false, true), noNameDob: absentWhen(false, false) },
};

/**
 * A fund's account: BANK_ACCOUNT or CRYPTO_WALLET; a wallet without a ticker takes a crypto
 * `currency`. Left out: undefined (the stored account is kept); `null`: null (cleared).
 */
export function readJsonAccount(
  reader: FieldReader,
  field: string,
  raw: JsonValue | undefined,
  currency: string | undefined,
): RawIdentifier | null | undefined {
  if (raw === null) return null;
  const account = readJsonIdentifier(reader, field, raw, ['BANK_ACCOUNT', 'CRYPTO_WALLET']);
  if (account?.type === 'CRYPTO_WALLET' && account.ticker === undefined && currency !== undefined && isCryptoTicker(currency)) {
    account.ticker = currency;
  }
  return account;
}
