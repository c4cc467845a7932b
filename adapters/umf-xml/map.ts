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
  type RawIdentifier,
  type SharingLevel,
} from '../contract.ts';
import { parseCountry } from '../shared/countries.ts';
import { parseCurrency } from '../shared/currencies.ts';
import { matchValue, sharedNames, valueTable } from '../shared/enums.ts';
import { amountParser, byTable, coordinateParser, countParser, dateParser, yesNoParser } from '../shared/field-parsers.ts';
import { FieldReader, parseFreeText, type MapContext, type MapResult } from '../shared/fields.ts';
import { child, childrenNamed, type XmlElement } from './xml-tree.ts';

export const TLP_MARKINGS = valueTable({
  CLEAR: ['TLP:CLEAR', 'TLP:WHITE'],
  GREEN: ['TLP:GREEN'],
  AMBER: ['TLP:AMBER'],
  RED: ['TLP:AMBER+STRICT', 'TLP:RED'],
});

/** The message's default level, or `unknown` when `defaultMarking` is not a listed marking. */
export type UmfMapContext = MapContext & { defaultMarking: SharingLevel | 'unknown' };

const REQUIRED = { required: true } as const;
const iso = (r: FieldReader) => dateParser(r.today, ['iso']);
const trueFalse = yesNoParser({ yes: ['true', '1'], no: ['false', '0'] });
const DOCUMENT_TYPES = valueTable({ PASSPORT: ['PASSPORT'], NATIONAL_ID: ['ID_CARD'] });
const ACCOUNT_TYPES = valueTable({ BANK_ACCOUNT: ['IBAN', 'ACCOUNT'] });

const textOf = (element: XmlElement, name: string): string | undefined => child(element, name)?.text;
const attrOf = (element: XmlElement, name: string, attr: string): string | undefined => child(element, name)?.attrs[attr];

/** Relative field name of a child, with its `[n]` when the path carries one. */
const fieldOf = (parent: XmlElement, element: XmlElement): string => element.path.slice(parent.path.length + 1);

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
    sharingLevel: sharingOf(r, el, context),
    country: r.read('Country', textOf(el, 'Country'), parseCountry, REQUIRED),
    denType: r.read('Category', textOf(el, 'Category'), byTable(sharedNames(DEN_TYPES)), REQUIRED),
    status: r.read('Status', textOf(el, 'Status'), byTable(sharedNames(DEN_STATUSES)), REQUIRED),
  };
  const optional = {
    region: r.read('Region', textOf(el, 'Region'), parseFreeText),
    lat: r.read('Coordinates/@lat', attrOf(el, 'Coordinates', 'lat'), coordinateParser('lat')),
    lon: r.read('Coordinates/@lon', attrOf(el, 'Coordinates', 'lon'), coordinateParser('lon')),
    raidedOn: r.read('RaidDate', textOf(el, 'RaidDate'), iso(r)),
    devicesSeized: r.read('DevicesSeized', textOf(el, 'DevicesSeized'), countParser()),
    firstSeenOn: r.read('FirstSeen', textOf(el, 'FirstSeen'), iso(r)),
  };
  return r.finish(required, (values) => ({ kind: 'scamDen', ...values, ...optional }));
}

function personIdentifiers(r: FieldReader, el: XmlElement, nationality: string | undefined): RawIdentifier[] {
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
  return (parts.length > 0 ? parts.join(' ') : name.text) || undefined;
}

export function mapUmfPerson(el: XmlElement, context: UmfMapContext): MapResult {
  const r = new FieldReader(context);
  const required = {
    ref: r.ref('@id', el.attrs.id),
    sharingLevel: sharingOf(r, el, context),
    role: r.read('Role', textOf(el, 'Role'), byTable(sharedNames(SUSPECT_ROLES)), REQUIRED),
    status: r.read('Status', textOf(el, 'Status'), byTable(sharedNames(SUSPECT_STATUSES)), REQUIRED),
  };
  const nationality = r.read('Nationality', textOf(el, 'Nationality'), parseCountry);
  const optional = {
    fullName: r.read('Name', fullNameOf(el), parseFreeText),
    birthDate: r.read('BirthDate', textOf(el, 'BirthDate'), iso(r)),
    sex: r.read('Sex', textOf(el, 'Sex'), byTable(sharedNames(SEXES))) ?? 'UNKNOWN',
    nationality,
    identifiers: personIdentifiers(r, el, nationality),
    statusOn: r.read('Status/@date', attrOf(el, 'Status', 'date'), iso(r)),
    traffickingVictim: r.flag('TraffickingVictim', textOf(el, 'TraffickingVictim'), trueFalse, false),
    denRef: r.read('LocationRef/@ref', attrOf(el, 'LocationRef', 'ref'), parseFreeText),
  };
  return r.finish(required, (values) => ({ kind: 'suspect', ...values, ...optional }));
}

function fundAccount(r: FieldReader, el: XmlElement): RawIdentifier | undefined {
  const account = child(el, 'Account');
  const wallet = child(el, 'Wallet');
  if (account && wallet) r.report('Wallet', 'UNSUPPORTED_IDENTIFIER', { severity: 'warning' });
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
    sharingLevel: sharingOf(r, el, context),
    amount: r.read('Amount', textOf(el, 'Amount'), amountParser(), REQUIRED),
    currency: r.read('Amount/@currency', attrOf(el, 'Amount', 'currency'), parseCurrency, REQUIRED),
    channel: r.read('Channel', textOf(el, 'Channel'), byTable(sharedNames(FUND_CHANNELS)), REQUIRED),
    action: r.read('Measure', textOf(el, 'Measure'), byTable(sharedNames(FUND_ACTIONS)), REQUIRED),
  };
  const optional = {
    amountUsd: r.read('AmountUsd', textOf(el, 'AmountUsd'), amountParser()),
    actionOn: r.read('Measure/@date', attrOf(el, 'Measure', 'date'), iso(r)),
    account: fundAccount(r, el),
    victimCount: r.read('Victims', textOf(el, 'Victims'), countParser()),
    denRef: r.read('LocationRef/@ref', attrOf(el, 'LocationRef', 'ref'), parseFreeText),
  };
  return r.finish(required, (values) => ({ kind: 'interceptedFund', ...values, ...optional }));
}
