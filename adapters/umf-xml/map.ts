// umf-xml → shared records: one function per record element (`Location` → den, `Person` →
// suspect, `MonetaryValue` → fund). Element and attribute names stay as UMF spells them;
// values of Category, Status, Role, Channel and Measure are the shared enum names. Sharing
// comes from `marking`, else the message's `defaultMarking`, else AMBER; an unknown marking
// refuses the record (UNKNOWN_MARKING, fail closed). Document types PASSPORT and ID_CARD are
// taken, others skipped with a warning; Account types IBAN and ACCOUNT are BANK_ACCOUNT.
import {
  DEN_STATUSES,
  DEN_TYPES,
  FUND_ACTIONS,
  FUND_CHANNELS,
  SEXES,
  SUSPECT_ROLES,
  SUSPECT_STATUSES,
  HANDLING_CODES,
  type RawIdentifier,
  type SharingLevel,
} from '../contract.ts';
import { EVALUATION_CODES, readCodes } from '../shared/codes.ts';
import { parseCountry } from '../shared/countries.ts';
import { parseCurrency } from '../shared/currencies.ts';
import { matchValue, spellingsOf, valueTable } from '../shared/enums.ts';
import { amountParser, coordinateParser, countParser, dateParser, sharedNameParsers, yesNoParser } from '../shared/field-parsers.ts';
import { absentIdentifierGroups, FieldReader, parseFreeText, type MapContext, type MapResult } from '../shared/fields.ts';
import { child, childrenNamed, type XmlElement } from './xml-stream.ts';

export const TLP_MARKINGS = valueTable({
  CLEAR: ['TLP:CLEAR', 'TLP:WHITE'],
  GREEN: ['TLP:GREEN'],
  AMBER: ['TLP:AMBER'],
  RED: ['TLP:AMBER+STRICT', 'TLP:RED'],
});

/**
 * The message's default level; `unknown` when `defaultMarking` is not a listed marking;
 * undefined when the message has none (a record without `marking` then keeps its stored level).
 */
export type UmfMapContext = MapContext & { defaultMarking: SharingLevel | 'unknown' | undefined };

const iso = (r: FieldReader) => dateParser(r.today, ['iso']);
const trueFalse = yesNoParser({ yes: ['true', '1'], no: ['false', '0'] });
const DOCUMENT_TYPES = valueTable({ PASSPORT: ['PASSPORT'], NATIONAL_ID: ['ID_CARD'] });
const ACCOUNT_TYPES = valueTable({ BANK_ACCOUNT: ['IBAN', 'ACCOUNT'] });

/** The fixed lists of umf-xml, by element or attribute (the officer guide lists them). */
export const UMF_ALLOWED_VALUES: Readonly<Record<string, readonly string[]>> = {
  'marking, defaultMarking': spellingsOf(TLP_MARKINGS),
  Category: DEN_TYPES,
  'Status (Location)': DEN_STATUSES,
  Sex: SEXES,
  Role: SUSPECT_ROLES,
  'Status (Person)': SUSPECT_STATUSES,
  TraffickingVictim: ['true', 'false', '1', '0'],
  'Document/@type': spellingsOf(DOCUMENT_TYPES),
  Channel: FUND_CHANNELS,
  Measure: FUND_ACTIONS,
  'Account/@type': spellingsOf(ACCOUNT_TYPES),
  HandlingCode: HANDLING_CODES,
  Evaluation: EVALUATION_CODES,
  Matchable: ['true', 'false', '1', '0'],
};

const textOf = (element: XmlElement, name: string): string | undefined => child(element, name)?.text;
const attrOf = (element: XmlElement, name: string, attr: string): string | undefined => child(element, name)?.attrs[attr];

/** Relative field name of a child, with its `[n]` when the path carries one. */
const fieldOf = (parent: XmlElement, element: XmlElement): string => element.path.slice(parent.path.length + 1);

/** HandlingCode (H0–H3), HandlingNote (the H3 restrictions), Evaluation (B2) and Matchable of a record element. */
const codesOf = (r: FieldReader, el: XmlElement) =>
  readCodes(r, {
    handling: ['HandlingCode', textOf(el, 'HandlingCode')],
    handlingNote: ['HandlingNote', textOf(el, 'HandlingNote')],
    evaluation: ['Evaluation', textOf(el, 'Evaluation')],
    matchable: ['Matchable', textOf(el, 'Matchable'), trueFalse],
  });

function sharingOf(r: FieldReader, element: XmlElement, context: UmfMapContext): SharingLevel | undefined {
  const own = element.attrs.marking;
  if (own !== undefined) {
    const level = matchValue(TLP_MARKINGS, own);
    return level.ok ? level.value : r.report('@marking', 'UNKNOWN_MARKING');
  }
  if (context.defaultMarking !== 'unknown') return context.defaultMarking;
  return r.report('defaultMarking', 'UNKNOWN_MARKING', { at: { path: '/Message/@defaultMarking' } });
}

export function mapUmfLocation(el: XmlElement, context: UmfMapContext): MapResult {
  const r = new FieldReader(context);
  const required = {
    ref: r.ref('@id', el.attrs.id),
    country: r.need('Country', textOf(el, 'Country'), parseCountry),
    denType: r.need('Category', textOf(el, 'Category'), sharedNameParsers.denType),
    status: r.need('Status', textOf(el, 'Status'), sharedNameParsers.denStatus),
  };
  const optional = {
    sharingLevel: sharingOf(r, el, context),
    ...codesOf(r, el),
    region: r.read('Region', textOf(el, 'Region'), parseFreeText),
    lat: r.read('Coordinates/@lat', attrOf(el, 'Coordinates', 'lat'), coordinateParser('lat')),
    lon: r.read('Coordinates/@lon', attrOf(el, 'Coordinates', 'lon'), coordinateParser('lon')),
    raidedOn: r.read('RaidDate', textOf(el, 'RaidDate'), iso(r)),
    devicesSeized: r.read('DevicesSeized', textOf(el, 'DevicesSeized'), countParser()),
    firstSeenOn: r.read('FirstSeen', textOf(el, 'FirstSeen'), iso(r)),
  };
  return r.finish(required, (values) => ({ kind: 'scamDen', ...values, ...optional }));
}

/** Identifier elements with text; an empty one only says "this group is carried, and empty". */
function personIdentifiers(r: FieldReader, el: XmlElement, nationality: string | undefined): RawIdentifier[] {
  return carriedIdentifiers(r, el, nationality).filter((id) => id.value !== '');
}

/** The groups of a Person's identifier elements; a group without any element is absent. */
function personAbsentIdentifiers(el: XmlElement) {
  const documents = new Set(childrenNamed(el, 'Document').map((doc) => matchValue(DOCUMENT_TYPES, doc.attrs.type ?? '')));
  const typed = (type: string) => [...documents].some((d) => d.ok && d.value === type);
  return absentIdentifierGroups({
    PASSPORT: typed('PASSPORT'),
    NATIONAL_ID: typed('NATIONAL_ID'),
    PHONE: childrenNamed(el, 'Phone').length > 0,
    EMAIL: childrenNamed(el, 'Email').length > 0,
    NAME_DOB: child(el, 'Name') !== undefined && child(el, 'BirthDate') !== undefined,
  });
}

function carriedIdentifiers(r: FieldReader, el: XmlElement, nationality: string | undefined): RawIdentifier[] {
  const ids: RawIdentifier[] = [];
  for (const doc of childrenNamed(el, 'Document')) {
    const field = fieldOf(el, doc);
    const type = matchValue(DOCUMENT_TYPES, doc.attrs.type ?? '');
    if (!type.ok) {
      r.report(`${field}/@type`, 'UNSUPPORTED_IDENTIFIER', { severity: 'warning' });
      continue;
    }
    const country = doc.attrs.country ?? nationality;
    ids.push({ type: type.value, value: doc.text, field, ...(country ? { country } : {}) });
  }
  for (const phone of childrenNamed(el, 'Phone')) ids.push({ type: 'PHONE', value: phone.text, field: fieldOf(el, phone) });
  for (const email of childrenNamed(el, 'Email')) ids.push({ type: 'EMAIL', value: email.text, field: fieldOf(el, email) });
  return ids;
}

function fullNameOf(el: XmlElement): string | undefined {
  const name = child(el, 'Name');
  if (!name) return undefined;
  const parts = [textOf(name, 'Given'), textOf(name, 'Family')].filter((p): p is string => !!p);
  return parts.length > 0 ? parts.join(' ') : name.text;
}

export function mapUmfPerson(el: XmlElement, context: UmfMapContext): MapResult {
  const r = new FieldReader(context);
  const required = {
    ref: r.ref('@id', el.attrs.id),
    role: r.need('Role', textOf(el, 'Role'), sharedNameParsers.role),
    status: r.need('Status', textOf(el, 'Status'), sharedNameParsers.suspectStatus),
  };
  const nationality = r.read('Nationality', textOf(el, 'Nationality'), parseCountry);
  const optional = {
    sharingLevel: sharingOf(r, el, context),
    ...codesOf(r, el),
    fullName: r.read('Name', fullNameOf(el), parseFreeText),
    birthDate: r.read('BirthDate', textOf(el, 'BirthDate'), iso(r)),
    sex: r.read('Sex', textOf(el, 'Sex'), sharedNameParsers.sex, { emptyAs: 'UNKNOWN' as const }),
    nationality,
    identifiers: personIdentifiers(r, el, nationality ?? undefined),
    absentIdentifiers: personAbsentIdentifiers(el),
    statusOn: r.read('Status/@date', attrOf(el, 'Status', 'date'), iso(r)),
    traffickingVictim: r.flag('TraffickingVictim', textOf(el, 'TraffickingVictim'), trueFalse, false),
    denRef: r.read('LocationRef/@ref', attrOf(el, 'LocationRef', 'ref'), parseFreeText),
  };
  return r.finish(required, (values) => ({ kind: 'suspect', ...values, ...optional }));
}

/** Account or Wallet; neither element: absent; an empty one: cleared. */
function fundAccount(r: FieldReader, el: XmlElement): RawIdentifier | null | undefined {
  const account = child(el, 'Account');
  const wallet = child(el, 'Wallet');
  if (account && wallet) r.report('Wallet', 'UNSUPPORTED_IDENTIFIER', { severity: 'warning' });
  if ((account ?? wallet)?.text === '') return null;
  if (account) {
    const type = matchValue(ACCOUNT_TYPES, account.attrs.type ?? '');
    if (!type.ok) return r.report('Account/@type', 'UNSUPPORTED_IDENTIFIER', { severity: 'warning' });
    const { country } = account.attrs;
    return { type: 'BANK_ACCOUNT', value: account.text, field: 'Account', ...(country ? { country } : {}) };
  }
  if (!wallet) return undefined;
  const { ticker } = wallet.attrs;
  return { type: 'CRYPTO_WALLET', value: wallet.text, field: 'Wallet', ...(ticker ? { ticker } : {}) };
}

export function mapUmfMonetaryValue(el: XmlElement, context: UmfMapContext): MapResult {
  const r = new FieldReader(context);
  const required = {
    ref: r.ref('@id', el.attrs.id),
    amount: r.need('Amount', textOf(el, 'Amount'), amountParser()),
    currency: r.need('Amount/@currency', attrOf(el, 'Amount', 'currency'), parseCurrency),
    channel: r.need('Channel', textOf(el, 'Channel'), sharedNameParsers.channel),
    action: r.need('Measure', textOf(el, 'Measure'), sharedNameParsers.action),
  };
  const optional = {
    sharingLevel: sharingOf(r, el, context),
    ...codesOf(r, el),
    amountUsd: r.read('AmountUsd', textOf(el, 'AmountUsd'), amountParser()),
    actionOn: r.read('Measure/@date', attrOf(el, 'Measure', 'date'), iso(r)),
    account: fundAccount(r, el),
    victimCount: r.read('Victims', textOf(el, 'Victims'), countParser()),
    denRef: r.read('LocationRef/@ref', attrOf(el, 'LocationRef', 'ref'), parseFreeText),
  };
  return r.finish(required, (values) => ({ kind: 'interceptedFund', ...values, ...optional }));
}
