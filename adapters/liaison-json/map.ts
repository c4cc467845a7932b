// liaison-json → shared records. The canonical format already uses the shared field names and
// enum values, so each function is a list of "field → normalizer" reads: one for dens, one for
// suspects, one for funds. Amounts are decimal strings, or JSON numbers with at most two
// decimals as written (docs/formats/liaison-json.md). Dates are ISO only.
import {
  DEN_STATUSES,
  DEN_TYPES,
  FUND_ACTIONS,
  FUND_CHANNELS,
  SEXES,
  SHARING_LEVELS,
  SUSPECT_ROLES,
  SUSPECT_STATUSES,
  SELECTOR_TYPES,
  HANDLING_CODES,
  SOURCE_RELIABILITIES,
  INFORMATION_ASSESSMENTS,
  type MappedInterceptedFund,
} from '../contract.ts';
import { readCodes } from '../shared/codes.ts';
import { parseCountry } from '../shared/countries.ts';
import { parseCurrency } from '../shared/currencies.ts';
import { coordinateParser, countParser, dateParser, sharedNameParsers, yesNoParser } from '../shared/field-parsers.ts';
import { FieldReader, parseFreeText, type FieldParser, type MapContext, type MapResult } from '../shared/fields.ts';
import { fail } from '../shared/issues.ts';
import { jsonAbsentIdentifiers, readJsonAccount, readJsonIdentifiers } from '../shared/json-identifiers.ts';
import type { JsonObject } from '../shared/json-stream.ts';
import { parseAmount } from '../shared/numbers.ts';


const { sharingLevel: sharing, denType, denStatus, sex, role, suspectStatus, channel, action } = sharedNameParsers;
const trueFalse = yesNoParser({ yes: ['true'], no: ['false'] });

/** The fixed lists of liaison-json, by field (the officer guide lists them). */
export const LIAISON_ALLOWED_VALUES: Readonly<Record<string, readonly string[]>> = {
  kind: ['scamDen', 'suspect', 'interceptedFund'],
  sharingLevel: SHARING_LEVELS,
  denType: DEN_TYPES,
  'status (scamDen)': DEN_STATUSES,
  sex: SEXES,
  role: SUSPECT_ROLES,
  'status (suspect)': SUSPECT_STATUSES,
  traffickingVictim: ['true', 'false'],
  channel: FUND_CHANNELS,
  action: FUND_ACTIONS,
  'identifiers[].type': SELECTOR_TYPES,
  'account.type': ['BANK_ACCOUNT', 'CRYPTO_WALLET'],
  handling: HANDLING_CODES,
  sourceReliability: SOURCE_RELIABILITIES,
  informationAssessment: INFORMATION_ASSESSMENTS.map(String),
  matchable: ['true', 'false'],
};

/** The record's handling code, evaluation and matchable flag, under the shared names. */
const codesOf = (r: FieldReader, o: JsonObject) =>
  readCodes(r, {
    handling: ['handling', o.handling],
    handlingNote: ['handlingNote', o.handlingNote],
    sourceReliability: ['sourceReliability', o.sourceReliability],
    informationAssessment: ['informationAssessment', o.informationAssessment],
    matchable: ['matchable', o.matchable, trueFalse],
  });
const lat = coordinateParser('lat');
const lon = coordinateParser('lon');
const count = countParser();
const isoDate = (today: string) => dateParser(today, ['iso']);

/** A decimal string, or a JSON number written with at most two decimals. */
export const liaisonAmount: FieldParser<string> = (text, fromJsonNumber) => {
  const writtenDecimals = /\.(\d*)/.exec(text)?.[1]?.length ?? 0;
  return fromJsonNumber && writtenDecimals > 2 ? fail('MALFORMED_NUMBER') : parseAmount(text);
};

export function mapLiaisonDen(o: JsonObject, context: MapContext): MapResult {
  const r = new FieldReader(context);
  const date = isoDate(r.today);
  const required = {
    ref: r.ref('ref', o.ref),
    country: r.need('country', o.country, parseCountry),
    denType: r.need('denType', o.denType, denType),
    status: r.need('status', o.status, denStatus),
  };
  const optional = {
    sharingLevel: r.sharing('sharingLevel', o.sharingLevel, sharing),
    region: r.read('region', o.region, parseFreeText),
    lat: r.read('lat', o.lat, lat),
    lon: r.read('lon', o.lon, lon),
    raidedOn: r.read('raidedOn', o.raidedOn, date),
    devicesSeized: r.read('devicesSeized', o.devicesSeized, count),
    firstSeenOn: r.read('firstSeenOn', o.firstSeenOn, date),
    ...codesOf(r, o),
  };
  return r.finish(required, (values) => ({ kind: 'scamDen', ...values, ...optional }));
}

export function mapLiaisonSuspect(o: JsonObject, context: MapContext): MapResult {
  const r = new FieldReader(context);
  const date = isoDate(r.today);
  const required = {
    ref: r.ref('ref', o.ref),
    role: r.need('role', o.role, role),
    status: r.need('status', o.status, suspectStatus),
  };
  const optional = {
    sharingLevel: r.sharing('sharingLevel', o.sharingLevel, sharing),
    fullName: r.read('fullName', o.fullName, parseFreeText),
    birthDate: r.read('birthDate', o.birthDate, date),
    sex: r.read('sex', o.sex, sex, { emptyAs: 'UNKNOWN' as const }),
    nationality: r.read('nationality', o.nationality, parseCountry),
    identifiers: readJsonIdentifiers(r, 'identifiers', o.identifiers),
    absentIdentifiers: jsonAbsentIdentifiers(o.identifiers, o.fullName, o.birthDate),
    statusOn: r.read('statusOn', o.statusOn, date),
    traffickingVictim: r.flag('traffickingVictim', o.traffickingVictim, trueFalse, false),
    denRef: r.read('denRef', o.denRef, parseFreeText),
    ...codesOf(r, o),
  };
  return r.finish(required, (values) => ({ kind: 'suspect', ...values, ...optional }));
}

export function mapLiaisonFund(o: JsonObject, context: MapContext): MapResult {
  const r = new FieldReader(context);
  const required = {
    ref: r.ref('ref', o.ref),
    amount: r.need('amount', o.amount, liaisonAmount),
    currency: r.need('currency', o.currency, parseCurrency),
    channel: r.need('channel', o.channel, channel),
    action: r.need('action', o.action, action),
  };
  const optional: Partial<MappedInterceptedFund> = {
    sharingLevel: r.sharing('sharingLevel', o.sharingLevel, sharing),
    amountUsd: r.read('amountUsd', o.amountUsd, liaisonAmount),
    actionOn: r.read('actionOn', o.actionOn, isoDate(r.today)),
    account: readJsonAccount(r, 'account', o.account, required.currency),
    victimCount: r.read('victimCount', o.victimCount, count),
    denRef: r.read('denRef', o.denRef, parseFreeText),
    ...codesOf(r, o),
  };
  return r.finish(required, (values) => ({ kind: 'interceptedFund', ...optional, ...values }));
}
