// STIX 2.1 → shared records: an `infrastructure` with x_liaison_kind "scam-den" (its place
// from the `location` a located-at relationship joins) is a den, a criminal `threat-actor` a
// suspect (its den the target of a `uses` relationship), an `x-liaison-intercepted-fund` a
// fund (its den the target of a `related-to` relationship). The ref is the STIX id. Sharing
// comes from object_marking_refs by TLP 1.0 and 2.0 marking-definition ids; several markings
// take the most restrictive, an unknown one refuses the record (UNKNOWN_MARKING), none means
// AMBER. Amounts must be decimal strings here (the spec allows no JSON numbers for them).
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
  SOURCE_RELIABILITIES,
  type HandlingCode,
  type InformationAssessment,
  type RecordCodes,
  type SharingLevel,
} from '../contract.ts';
import { DEFAULT_CODES, readCodes } from '../shared/codes.ts';
import { parseCountry } from '../shared/countries.ts';
import { parseCurrency } from '../shared/currencies.ts';
import { coordinateParser, countParser, dateParser, sharedNameParsers, yesNoParser } from '../shared/field-parsers.ts';
import { FieldReader, parseFreeText, textOf, type FieldParser, type MapContext, type MapResult } from '../shared/fields.ts';
import { fail, ok } from '../shared/issues.ts';
import { jsonAbsentIdentifiers, readJsonAccount, readJsonIdentifiers } from '../shared/json-identifiers.ts';
import { type JsonObject, type JsonValue } from '../shared/json-stream.ts';
import { parseAmount } from '../shared/numbers.ts';

export const TLP_MARKING_IDS: Readonly<Record<string, SharingLevel>> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'CLEAR',
  'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487': 'CLEAR',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'GREEN',
  'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb': 'GREEN',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'AMBER',
  'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421': 'AMBER',
  'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003': 'RED',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'RED',
  'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1': 'RED',
};

/**
 * A statement marking-definition of the bundle whose statement is a handling code: `H2`, or
 * `H3: <the restrictions>` (the text after the code is the handling note).
 */
export type HandlingMarking = { handling: HandlingCode; note: string | null };
export type StixMapContext = MapContext & { handlingMarkings: ReadonlyMap<string, HandlingMarking> };

const HANDLING_STATEMENT = /^\s*(H[0-3])\b\s*[:\-–]?\s*(.*)$/s;

/** The handling a statement marking-definition states, or undefined when it states none. */
export function handlingMarkingOf(o: JsonObject): HandlingMarking | undefined {
  if (textOf(o.type) !== 'marking-definition' || textOf(o.definition_type) !== 'statement') return undefined;
  const definition = o.definition;
  const statement = definition && typeof definition === 'object' && !Array.isArray(definition) ? textOf((definition as JsonObject).statement) : undefined;
  const found = statement === undefined ? null : HANDLING_STATEMENT.exec(statement);
  if (!found) return undefined;
  const note = found[2]!.trim();
  return { handling: found[1] as HandlingCode, note: note === '' ? null : note };
}

const STIX_ID = /^([a-z0-9-]+)--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const trueFalse = yesNoParser({ yes: ['true'], no: ['false'] });

/** The fixed lists of stix-2.1, by property (the officer guide lists them). */
export const STIX_ALLOWED_VALUES: Readonly<Record<string, readonly string[]>> = {
  object_marking_refs: Object.keys(TLP_MARKING_IDS),
  x_liaison_den_type: DEN_TYPES,
  'x_liaison_status (infrastructure)': DEN_STATUSES,
  x_liaison_sex: SEXES,
  x_liaison_role: SUSPECT_ROLES,
  'x_liaison_status (threat-actor)': SUSPECT_STATUSES,
  x_liaison_trafficking_victim: ['true', 'false'],
  'x_liaison_identifiers[].type': SELECTOR_TYPES,
  channel: FUND_CHANNELS,
  action: FUND_ACTIONS,
  'account.type': ['BANK_ACCOUNT', 'CRYPTO_WALLET'],
  'marking-definition statement': ['H0', 'H1', 'H2', 'H3: <note>'],
  x_liaison_source_reliability: SOURCE_RELIABILITIES,
  x_liaison_matchable: ['true', 'false'],
};
const count = countParser();

/** STIX confidence (0–100) → information assessment: 80+ is 1, 60+ 2, 40+ 3, below 4 (docs/formats/stix-2.1.md). */
const confidenceParser: FieldParser<InformationAssessment> = (text, fromJsonNumber) => {
  const value = count(text, fromJsonNumber);
  if (!value.ok) return value;
  if (value.value > 100) return fail('OUT_OF_RANGE');
  return ok(value.value >= 80 ? 1 : value.value >= 60 ? 2 : value.value >= 40 ? 3 : 4);
};

/**
 * The handling code, evaluation and matchable flag of an object: handling from a statement
 * marking among object_marking_refs, information assessment from `confidence`, source
 * reliability and matchable from x_liaison_ properties.
 */
function codesOf(r: FieldReader, o: JsonObject, context: StixMapContext): RecordCodes {
  const codes = readCodes(r, {
    sourceReliability: ['x_liaison_source_reliability', o.x_liaison_source_reliability],
    matchable: ['x_liaison_matchable', o.x_liaison_matchable, trueFalse],
  });
  const assessment = r.read('confidence', o.confidence, confidenceParser, { emptyAs: DEFAULT_CODES.informationAssessment });
  if (assessment !== undefined) codes.informationAssessment = assessment;
  const refs = Array.isArray(o.object_marking_refs) ? o.object_marking_refs : [];
  const handling = refs.flatMap((ref, i) => {
    const marking = context.handlingMarkings.get(textOf(ref) ?? '');
    return marking ? [{ marking, i }] : [];
  });
  if (handling.length > 1) r.report(`object_marking_refs/${handling[1]!.i}`, 'UNKNOWN_MARKING');
  const [first] = handling;
  if (first && handling.length === 1) {
    if (first.marking.handling === 'H3' && !first.marking.note) r.report(`object_marking_refs/${first.i}`, 'MISSING_FIELD');
    codes.handling = first.marking.handling;
    codes.handlingNote = first.marking.note;
  }
  return codes;
}

/** A STIX identifier `type--UUID` whose type is `expectedType`. */
const stixId =
  (expectedType: string): FieldParser<string> =>
  (text) =>
    STIX_ID.exec(text)?.[1] === expectedType ? ok(text) : fail('UNKNOWN_VALUE');

const decimalString: FieldParser<string> = (text, fromJsonNumber) => (fromJsonNumber ? fail('MALFORMED_NUMBER') : parseAmount(text));

/** The most restrictive level of the object's markings; undefined without any. */
function sharingOf(r: FieldReader, o: JsonObject, context: StixMapContext): SharingLevel | undefined {
  const refs = o.object_marking_refs;
  // Left out: a stored level is kept (a new record is AMBER).
  if (refs === undefined) return undefined;
  // null: explicitly none, the default level.
  if (refs === null) return 'AMBER';
  if (!Array.isArray(refs) || refs.length === 0) return r.report('object_marking_refs', 'UNKNOWN_MARKING');
  let level: SharingLevel | undefined;
  for (const [i, ref] of refs.entries()) {
    // A handling statement is no sharing marking (codesOf reads it).
    if (context.handlingMarkings.has(textOf(ref) ?? '')) continue;
    const marked = TLP_MARKING_IDS[textOf(ref) ?? ''];
    if (!marked) return r.report(`object_marking_refs/${i}`, 'UNKNOWN_MARKING');
    if (!level || SHARING_LEVELS.indexOf(marked) > SHARING_LEVELS.indexOf(level)) level = marked;
  }
  return level;
}

/** A location object joined to a den, with where its fields sit in the file. */
export type JoinedLocation = { object: JsonObject; index: number };

export function mapStixDen(o: JsonObject, location: JoinedLocation | undefined, context: StixMapContext): MapResult {
  const r = new FieldReader(context);
  const date = dateParser(r.today, ['iso']);
  const loc = location?.object ?? {};
  const locAt = (field: string) => (location ? { at: { path: `/objects/${location.index}/${field}` } } : {});
  const required = {
    ref: r.ref('id', o.id, stixId('infrastructure')),
    country: r.need('country', loc.country, parseCountry, locAt('country')),
    denType: r.need('x_liaison_den_type', o.x_liaison_den_type, sharedNameParsers.denType),
    status: r.need('x_liaison_status', o.x_liaison_status, sharedNameParsers.denStatus),
  };
  const optional = {
    sharingLevel: sharingOf(r, o, context),
    ...codesOf(r, o, context),
    region: r.read('region', loc.region, parseFreeText, locAt('region')),
    lat: r.read('latitude', loc.latitude, coordinateParser('lat'), locAt('latitude')),
    lon: r.read('longitude', loc.longitude, coordinateParser('lon'), locAt('longitude')),
    raidedOn: r.read('x_liaison_raided_on', o.x_liaison_raided_on, date),
    devicesSeized: r.read('x_liaison_devices_seized', o.x_liaison_devices_seized, count),
  };
  return r.finish(required, (values) => ({ kind: 'scamDen', ...values, ...optional }));
}

export function mapStixSuspect(o: JsonObject, denRef: string | undefined, context: StixMapContext): MapResult {
  const r = new FieldReader(context);
  const date = dateParser(r.today, ['iso']);
  const required = {
    ref: r.ref('id', o.id, stixId('threat-actor')),
    role: r.need('x_liaison_role', o.x_liaison_role, sharedNameParsers.role),
    status: r.need('x_liaison_status', o.x_liaison_status, sharedNameParsers.suspectStatus),
  };
  const optional = {
    sharingLevel: sharingOf(r, o, context),
    ...codesOf(r, o, context),
    fullName: r.read('name', o.name, parseFreeText),
    birthDate: r.read('x_liaison_birth_date', o.x_liaison_birth_date, date),
    sex: r.read('x_liaison_sex', o.x_liaison_sex, sharedNameParsers.sex, { emptyAs: 'UNKNOWN' as const }),
    nationality: r.read('x_liaison_nationality', o.x_liaison_nationality, parseCountry),
    identifiers: readJsonIdentifiers(r, 'x_liaison_identifiers', o.x_liaison_identifiers),
    absentIdentifiers: jsonAbsentIdentifiers(o.x_liaison_identifiers, o.name, o.x_liaison_birth_date),
    statusOn: r.read('x_liaison_status_on', o.x_liaison_status_on, date),
    traffickingVictim: r.flag('x_liaison_trafficking_victim', o.x_liaison_trafficking_victim, trueFalse, false),
    denRef,
  };
  return r.finish(required, (values) => ({ kind: 'suspect', ...values, ...optional }));
}

export function mapStixFund(o: JsonObject, denRef: string | undefined, context: StixMapContext): MapResult {
  const r = new FieldReader(context);
  const required = {
    ref: r.ref('id', o.id, stixId('x-liaison-intercepted-fund')),
    amount: r.need('amount', o.amount, decimalString),
    currency: r.need('currency', o.currency, parseCurrency),
    channel: r.need('channel', o.channel, sharedNameParsers.channel),
    action: r.need('action', o.action, sharedNameParsers.action),
  };
  const optional = {
    sharingLevel: sharingOf(r, o, context),
    ...codesOf(r, o, context),
    amountUsd: r.read('amount_usd', o.amount_usd, decimalString),
    actionOn: r.read('action_on', o.action_on, dateParser(r.today, ['iso'])),
    account: readJsonAccount(r, 'account', o.account, required.currency),
    victimCount: r.read('victim_count', o.victim_count, count),
    denRef,
  };
  return r.finish(required, (values) => ({ kind: 'interceptedFund', ...values, ...optional }));
}

/** Whether a STIX object maps to a shared record, and which. */
export function classifyStixObject(o: JsonObject): 'den' | 'suspect' | 'fund' | 'location' | 'relationship' | 'marking' | 'other' {
  const type = textOf(o.type);
  if (type === 'infrastructure' && textOf(o.x_liaison_kind) === 'scam-den') return 'den';
  if (type === 'threat-actor' && hasCriminalType(o.threat_actor_types)) return 'suspect';
  if (type === 'x-liaison-intercepted-fund') return 'fund';
  if (type === 'location') return 'location';
  if (handlingMarkingOf(o)) return 'marking';
  if (type === 'relationship') return 'relationship';
  return 'other';
}

const hasCriminalType = (types: JsonValue | undefined): boolean =>
  Array.isArray(types) && types.some((t) => textOf(t) === 'criminal');
