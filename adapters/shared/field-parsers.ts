// The normalizers shaped as FieldReader parsers, with the options each format picks (date
// spellings, Spanish or plain numbers, value tables). map.ts files compose these instead of
// writing their own glue, so the same field kind reads the same way in every format.
import { DEN_STATUSES, DEN_TYPES, FUND_ACTIONS, FUND_CHANNELS, SEXES, SHARING_LEVELS, SUSPECT_ROLES, SUSPECT_STATUSES } from '../contract.ts';
import type { FieldParser } from './fields.ts';
import { parseDate, type DateSpelling } from './dates.ts';
import { matchValue, sharedNames, valueTable, type ValueTable } from './enums.ts';
import { parseAmount, parseCoordinate, parseCount, type NumberSpelling } from './numbers.ts';

export const byTable =
  <T extends string>(values: ValueTable<T>): FieldParser<T> =>
  (text) =>
    matchValue(values, text);

/**
 * Parsers of the fields that formats spell with the shared enum names (liaison-json, STIX,
 * UMF). Built once at load: a table folds every spelling it lists, which is not work to repeat
 * per record.
 */
export const sharedNameParsers = {
  sharingLevel: byTable(sharedNames(SHARING_LEVELS)),
  denType: byTable(sharedNames(DEN_TYPES)),
  denStatus: byTable(sharedNames(DEN_STATUSES)),
  sex: byTable(sharedNames(SEXES)),
  role: byTable(sharedNames(SUSPECT_ROLES)),
  suspectStatus: byTable(sharedNames(SUSPECT_STATUSES)),
  channel: byTable(sharedNames(FUND_CHANNELS)),
  action: byTable(sharedNames(FUND_ACTIONS)),
};

/** A yes/no field spelled by `spellings` (`{ yes: ['SI'], no: ['NO'] }`). */
export function yesNoParser(spellings: { yes: readonly string[]; no: readonly string[] }): FieldParser<boolean> {
  const table = valueTable({ yes: spellings.yes, no: spellings.no });
  return (text) => {
    const value = matchValue(table, text);
    return value.ok ? { ok: true, value: value.value === 'yes' } : value;
  };
}

export const dateParser =
  (today: string, spellings: readonly DateSpelling[]): FieldParser<string> =>
  (text) =>
    parseDate(text, today, spellings);

export const amountParser =
  (spelling: NumberSpelling = 'decimal'): FieldParser<string> =>
  (text) =>
    parseAmount(text, spelling);

export const countParser =
  (spelling: NumberSpelling = 'decimal'): FieldParser<number> =>
  (text) =>
    parseCount(text, spelling);

export const coordinateParser =
  (axis: 'lat' | 'lon', spelling: NumberSpelling = 'decimal'): FieldParser<number> =>
  (text) =>
    parseCoordinate(text, axis, spelling);
