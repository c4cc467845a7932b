// Pseudonymization (docs/security.md, "Anonymization: what is guaranteed"): turns a mapped record, which still carries raw
// identifiers, names, birth dates and exact coordinates, into the record the gateway may
// store. Each identifier becomes a selector `{ type, hash }` with hash = hex
// HMAC-SHA256(key, `${type}:${normalizedValue}`); a suspect's personKey is the hash of the
// strongest identifier (PASSPORT, else NATIONAL_ID, else NAME_DOB, else a key of its own
// record); a den keeps a geohash of precision 5; a fund keeps an accountKey. Warnings name the
// partner's field and the ref, never a value. Decisions of our own:
// - NAME_DOB value is `${name}:${birthDate}` where name is NFKC, accents stripped,
//   lower-cased, punctuation turned into spaces and the tokens sorted, so "Wei Li", "Li Wei"
//   and "LI, Wei" are one name; it is also kept as a NAME_DOB selector for matching.
// - Among several documents of the strongest type, the smallest normalized value wins, so
//   the order in which a partner lists them does not change the personKey.
// - A suspect's documents default to its nationality when they name no country.
import { createHmac } from 'node:crypto';
import ngeohash from 'ngeohash';
import type {
  Issue,
  MappedInterceptedFund,
  MappedRecord,
  MappedScamDen,
  MappedSuspect,
  RawIdentifier,
  SelectorType,
} from './contract.ts';
import { yearOf } from './shared/dates.ts';
import { bankAccountCountry, normalizeIdentifier } from './shared/identifiers.ts';
import { makeIssue } from './shared/issues.ts';

export { normalizeIdentifier } from './shared/identifiers.ts';

export type Selector = { type: SelectorType | 'NAME_DOB'; hash: string };
/** Absent is not null here either (contract.ts): undefined keeps a stored value, null clears it. */
export type AnonymizedScamDen = Omit<MappedScamDen, 'lat' | 'lon'> & { geohash?: string | null };
export type AnonymizedSuspect = Omit<MappedSuspect, 'fullName' | 'birthDate' | 'identifiers'> & {
  birthYear?: number | null;
  personKey: string;
  /** Which of PERSON_KEY_ORDER gave personKey (its index; the length for a record key), weaker is larger. */
  personKeyRank: number;
  selectors: Selector[];
};
export type AnonymizedInterceptedFund = Omit<MappedInterceptedFund, 'account'> & {
  accountKey?: string | null;
  accountCountry?: string | null;
};
export type AnonymizedRecord = AnonymizedScamDen | AnonymizedSuspect | AnonymizedInterceptedFund;

export type PseudonymizeOptions = { key: string; ownerCode: string };

const GEOHASH_PRECISION = 5;
/** Strongest first: the personKey comes from the first of these that the suspect has. */
export const PERSON_KEY_ORDER = ['PASSPORT', 'NATIONAL_ID', 'NAME_DOB'] as const;

const hmacHex = (key: string, message: string): string => createHmac('sha256', key).update(message, 'utf8').digest('hex');

export function selectorHash(key: string, type: Selector['type'], normalizedValue: string): string {
  return hmacHex(key, `${type}:${normalizedValue}`);
}

/** `  Lí,  WEI ` → `li wei`; `Wei Li` → `li wei`. */
export function normalizePersonName(fullName: string): string {
  return fullName
    .normalize('NFKC')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
    .sort()
    .join(' ');
}

const identifierWarning = (id: RawIdentifier, code: Issue['code'], ref: string): Issue =>
  makeIssue(code, id.field ?? id.type, {}, { severity: 'warning', ref });

/** Both coordinates: a geohash; either one explicitly empty: cleared; else absent (kept). */
function anonymizeDen(record: MappedScamDen): AnonymizedScamDen {
  const { lat, lon, ...rest } = record;
  if (typeof lat === 'number' && typeof lon === 'number') return { ...rest, geohash: ngeohash.encode(lat, lon, GEOHASH_PRECISION) };
  if (lat === null || lon === null) return { ...rest, geohash: null };
  return rest;
}

function personKeyOf(
  values: readonly { type: Selector['type']; value: string }[],
  options: PseudonymizeOptions,
  ref: string,
): { personKey: string; personKeyRank: number } {
  for (const [rank, type] of PERSON_KEY_ORDER.entries()) {
    const [smallest] = values
      .filter((v) => v.type === type)
      .map((v) => v.value)
      .sort();
    if (smallest !== undefined) return { personKey: selectorHash(options.key, type, smallest), personKeyRank: rank };
  }
  return { personKey: hmacHex(options.key, `RECORD:${options.ownerCode}:${ref}`), personKeyRank: PERSON_KEY_ORDER.length };
}

function anonymizeSuspect(record: MappedSuspect, options: PseudonymizeOptions, warnings: Issue[]): AnonymizedSuspect {
  const { fullName, birthDate, identifiers, ...rest } = record;
  const values: { type: Selector['type']; value: string }[] = [];
  const kept = new Set(record.absentIdentifiers ?? []);
  for (const id of identifiers.filter((i) => !kept.has(i.type))) {
    const region = id.type === 'PASSPORT' || id.type === 'NATIONAL_ID' || id.type === 'PHONE' ? (record.nationality ?? undefined) : undefined;
    const normalized = normalizeIdentifier(id, region);
    if (normalized.ok) values.push({ type: normalized.type, value: normalized.value });
    else warnings.push(identifierWarning(id, normalized.code, record.ref));
  }
  const name = typeof fullName === 'string' ? normalizePersonName(fullName) : '';
  if (name && birthDate && !kept.has('NAME_DOB')) values.push({ type: 'NAME_DOB', value: `${name}:${birthDate}` });

  const selectors: Selector[] = [];
  const seen = new Set<string>();
  for (const { type, value } of values) {
    const hash = selectorHash(options.key, type, value);
    if (seen.has(`${type}:${hash}`)) continue;
    seen.add(`${type}:${hash}`);
    selectors.push({ type, hash });
  }

  const anonymized: AnonymizedSuspect = { ...rest, ...personKeyOf(values, options, record.ref), selectors };
  if (birthDate !== undefined) anonymized.birthYear = birthDate === null ? null : yearOf(birthDate);
  return anonymized;
}

function anonymizeFund(record: MappedInterceptedFund, options: PseudonymizeOptions, warnings: Issue[]): AnonymizedInterceptedFund {
  const { account, ...rest } = record;
  if (account === undefined) return rest;
  if (account === null) return { ...rest, accountKey: null, accountCountry: null };
  const normalized = normalizeIdentifier(account);
  if (!normalized.ok) {
    // Dropped like an empty field: the partner sent an account, just not a usable one.
    warnings.push(identifierWarning(account, normalized.code, record.ref));
    return { ...rest, accountKey: null, accountCountry: null };
  }
  const accountKey = selectorHash(options.key, normalized.type, normalized.value);
  const accountCountry = normalized.type === 'BANK_ACCOUNT' ? bankAccountCountry(normalized.value) : null;
  return { ...rest, accountKey, accountCountry };
}

export function pseudonymize(record: MappedRecord, options: PseudonymizeOptions): { record: AnonymizedRecord; warnings: Issue[] } {
  const warnings: Issue[] = [];
  switch (record.kind) {
    case 'scamDen':
      return { record: anonymizeDen(record), warnings };
    case 'suspect':
      return { record: anonymizeSuspect(record, options, warnings), warnings };
    case 'interceptedFund':
      return { record: anonymizeFund(record, options, warnings), warnings };
  }
}
