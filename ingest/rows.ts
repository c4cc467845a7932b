// From an anonymized record to the column values one batch writer takes, with the checks the
// database would otherwise fail the whole transaction on (an int beyond int4, an amount beyond
// numeric(38,18), a NUL character, a megabyte of free text). Such a value is a record error
// named by the shared field, never echoed. Only pseudonymized values reach these rows.
// Absent is not null (adapters/contract.ts): each row carries `absent`, a bit per optional
// column the file did not carry (DEN_COLUMN_BITS…); the writers keep the stored value of those
// columns and give a new record the row's value, which is then the column's default or null.
import type { HandlingCode, InformationAssessment, Location, RecordCodes, SourceReliability } from '../adapters/contract.ts';
import { DEFAULT_CODES } from '../adapters/shared/codes.ts';
import type { AnonymizedInterceptedFund, AnonymizedRecord, AnonymizedScamDen, AnonymizedSuspect } from '../adapters/pseudonymize.ts';

/** Bits of the handling and evaluation columns, the same three tables (shifted past each table's own bits). */
const codeBits = (first: number) =>
  ({ handling: first, handling_note: first * 2, source_reliability: first * 4, information_assessment: first * 8, matchable: first * 16 }) as const;
export type CodeColumnBits = ReturnType<typeof codeBits>;

/** Bits of DenRow.absent (the SQL of ingest/batch/dens.ts tests them by column name). */
export const DEN_COLUMN_BITS = { sharing_level: 1, region: 2, geohash: 4, raided_on: 8, devices_seized: 16, first_seen_on: 32, ...codeBits(64) } as const;
/** Bits of SuspectRow.absent; `den_id` follows denRef. */
export const SUSPECT_COLUMN_BITS = {
  sharing_level: 1,
  nationality: 2,
  birth_year: 4,
  sex: 8,
  status_on: 16,
  trafficking_victim: 32,
  den_id: 64,
  ...codeBits(128),
} as const;
/** Bits of FundRow.absent; `account` covers account_key and account_country, `den_id` follows denRef. */
export const FUND_COLUMN_BITS = { sharing_level: 1, amount_usd: 2, action_on: 4, account: 8, victim_count: 16, den_id: 32, ...codeBits(64) } as const;

/** The handling code, evaluation and matchable flag of a row (the column defaults where the record has none). */
export type CodeValues = {
  handling: HandlingCode;
  handlingNote: string | null;
  sourceReliability: SourceReliability;
  informationAssessment: InformationAssessment;
  matchable: boolean;
};

export type DenRow = {
  at: Location;
  codes: CodeValues;
  /** Keyed digest of the mapped record (ingest/record-digest.ts), stored with the row; null: never skipped. */
  digest: string | null;
  absent: number;
  ref: string;
  level: string;
  country: string;
  region: string | null;
  geohash: string | null;
  denType: string;
  status: string;
  raidedOn: string | null;
  devicesSeized: number | null;
  firstSeenOn: string | null;
};

export type SuspectRow = {
  at: Location;
  codes: CodeValues;
  /** Keyed digest of the mapped record (ingest/record-digest.ts), stored with the row; null: never skipped. */
  digest: string | null;
  absent: number;
  /** Selector types (NAME_DOB included) whose stored selectors are kept, comma-joined. */
  keptSelectorTypes: string;
  /** How strong the identifier behind personKey is (0 PASSPORT … 3 the record's own key). */
  personKeyRank: number;
  ref: string;
  level: string;
  personKey: string;
  nationality: string | null;
  birthYear: number | null;
  sex: string;
  role: string;
  status: string;
  statusOn: string | null;
  traffickingVictim: boolean;
  denRef: string | null;
  selectors: { type: string; hash: string }[];
  /** `TYPE:hash` sorted and comma-joined: compared with the stored selectors to detect a change. */
  selectorDigest: string;
};

export type FundRow = {
  at: Location;
  codes: CodeValues;
  /** Keyed digest of the mapped record (ingest/record-digest.ts), stored with the row; null: never skipped. */
  digest: string | null;
  absent: number;
  ref: string;
  level: string;
  amount: string;
  currency: string;
  amountUsd: string | null;
  channel: string;
  action: string;
  actionOn: string | null;
  accountKey: string | null;
  accountCountry: string | null;
  victimCount: number | null;
  denRef: string | null;
};

export type Row = { kind: 'scamDen'; row: DenRow } | { kind: 'suspect'; row: SuspectRow } | { kind: 'interceptedFund'; row: FundRow };

export type RowProblem = { field: string; code: 'OUT_OF_RANGE' | 'TOO_LARGE' | 'UNKNOWN_VALUE' };

const DEFAULT_SHARING = 'AMBER';
const DEFAULT_SEX = 'UNKNOWN';
const INT4_MAX = 2_147_483_647;
const MAX_TEXT = 512;
/** numeric(38,18): at most 20 digits before the point and 18 after. */
const DECIMAL_38_18 = /^-?\d{1,20}(\.\d{1,18})?$/;

/** The `absent` mask: the bit of every column whose record member is undefined. */
function absentMask<C extends string>(bits: Record<C, number>, members: Partial<Record<C, unknown>>): number {
  let mask = 0;
  for (const column of Object.keys(members) as C[]) if (members[column] === undefined) mask |= bits[column];
  return mask;
}

/** The absent bits of the code columns, for a table's `bits`. */
function codesAbsent(bits: CodeColumnBits, r: RecordCodes): number {
  return absentMask(bits, {
    handling: r.handling,
    handling_note: r.handlingNote,
    source_reliability: r.sourceReliability,
    information_assessment: r.informationAssessment,
    matchable: r.matchable,
  });
}

function codeValues(r: RecordCodes, problems: RowProblem[]): CodeValues {
  return {
    handling: r.handling ?? DEFAULT_CODES.handling,
    handlingNote: checkText('handlingNote', r.handlingNote, problems),
    sourceReliability: r.sourceReliability ?? DEFAULT_CODES.sourceReliability,
    informationAssessment: r.informationAssessment ?? DEFAULT_CODES.informationAssessment,
    matchable: r.matchable ?? DEFAULT_CODES.matchable,
  };
}

function checkInt(field: string, value: number | null | undefined, problems: RowProblem[], max = INT4_MAX): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isSafeInteger(value) || value < 0 || value > max) problems.push({ field, code: 'OUT_OF_RANGE' });
  return value;
}

function checkText(field: string, value: string | null | undefined, problems: RowProblem[]): string | null {
  if (value === undefined || value === null) return null;
  if (value.length > MAX_TEXT) problems.push({ field, code: 'TOO_LARGE' });
  else if (value.includes('\u0000')) problems.push({ field, code: 'UNKNOWN_VALUE' });
  return value;
}

function checkDecimal(field: string, value: string | null | undefined, problems: RowProblem[]): string | null {
  if (value === undefined || value === null) return null;
  if (!DECIMAL_38_18.test(value)) problems.push({ field, code: 'OUT_OF_RANGE' });
  return value;
}

function denRow(r: AnonymizedScamDen, at: Location, digest: string | null, problems: RowProblem[]): DenRow {
  return {
    at,
    digest,
    absent: absentMask(DEN_COLUMN_BITS, {
      sharing_level: r.sharingLevel,
      region: r.region,
      geohash: r.geohash,
      raided_on: r.raidedOn,
      devices_seized: r.devicesSeized,
      first_seen_on: r.firstSeenOn,
    }) | codesAbsent(DEN_COLUMN_BITS, r),
    codes: codeValues(r, problems),
    ref: r.ref,
    level: r.sharingLevel ?? DEFAULT_SHARING,
    country: r.country,
    region: checkText('region', r.region, problems),
    geohash: r.geohash ?? null,
    denType: r.denType,
    status: r.status,
    raidedOn: r.raidedOn ?? null,
    devicesSeized: checkInt('devicesSeized', r.devicesSeized, problems),
    firstSeenOn: r.firstSeenOn ?? null,
  };
}

function suspectRow(r: AnonymizedSuspect, at: Location, digest: string | null, problems: RowProblem[]): SuspectRow {
  const selectors = r.selectors.map((s) => ({ type: s.type, hash: s.hash }));
  return {
    at,
    digest,
    absent: absentMask(SUSPECT_COLUMN_BITS, {
      sharing_level: r.sharingLevel,
      nationality: r.nationality,
      birth_year: r.birthYear,
      sex: r.sex,
      status_on: r.statusOn,
      trafficking_victim: r.traffickingVictim,
      den_id: r.denRef,
    }) | codesAbsent(SUSPECT_COLUMN_BITS, r),
    codes: codeValues(r, problems),
    keptSelectorTypes: (r.absentIdentifiers ?? []).join(','),
    personKeyRank: r.personKeyRank,
    ref: r.ref,
    level: r.sharingLevel ?? DEFAULT_SHARING,
    personKey: r.personKey,
    nationality: r.nationality ?? null,
    birthYear: checkInt('birthYear', r.birthYear, problems, 32_767),
    sex: r.sex ?? DEFAULT_SEX,
    role: r.role,
    status: r.status,
    statusOn: r.statusOn ?? null,
    traffickingVictim: r.traffickingVictim ?? false,
    denRef: checkText('denRef', r.denRef, problems),
    selectors,
    selectorDigest: selectors
      .map((s) => `${s.type}:${s.hash}`)
      .sort()
      .join(','),
  };
}

function fundRow(r: AnonymizedInterceptedFund, at: Location, digest: string | null, problems: RowProblem[]): FundRow {
  return {
    at,
    digest,
    absent: absentMask(FUND_COLUMN_BITS, {
      sharing_level: r.sharingLevel,
      amount_usd: r.amountUsd,
      action_on: r.actionOn,
      account: r.accountKey,
      victim_count: r.victimCount,
      den_id: r.denRef,
    }) | codesAbsent(FUND_COLUMN_BITS, r),
    codes: codeValues(r, problems),
    ref: r.ref,
    level: r.sharingLevel ?? DEFAULT_SHARING,
    amount: checkDecimal('amount', r.amount, problems) ?? '0',
    currency: r.currency,
    amountUsd: checkDecimal('amountUsd', r.amountUsd, problems),
    channel: r.channel,
    action: r.action,
    actionOn: r.actionOn ?? null,
    accountKey: r.accountKey ?? null,
    accountCountry: r.accountCountry ?? null,
    victimCount: checkInt('victimCount', r.victimCount, problems),
    denRef: checkText('denRef', r.denRef, problems),
  };
}

/** The row of a record, or the problems that make it invalid. */
export function toRow(record: AnonymizedRecord, at: Location, digest: string | null): { row: Row } | { problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  let row: Row;
  switch (record.kind) {
    case 'scamDen':
      row = { kind: 'scamDen', row: denRow(record, at, digest, problems) };
      break;
    case 'suspect':
      row = { kind: 'suspect', row: suspectRow(record, at, digest, problems) };
      break;
    case 'interceptedFund':
      row = { kind: 'interceptedFund', row: fundRow(record, at, digest, problems) };
      break;
  }
  return problems.length > 0 ? { problems } : { row };
}
