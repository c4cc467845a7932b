// From an anonymized record to the column values one batch writer takes, with the checks the
// database would otherwise fail the whole transaction on (an int beyond int4, an amount beyond
// numeric(38,18), a NUL character, a megabyte of free text). Such a value is a record error
// named by the shared field, never echoed. Only pseudonymized values reach these rows.
import type { Location } from '../adapters/contract.ts';
import type { AnonymizedInterceptedFund, AnonymizedRecord, AnonymizedScamDen, AnonymizedSuspect } from '../adapters/pseudonymize.ts';

export type DenRow = {
  at: Location;
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
const INT4_MAX = 2_147_483_647;
const MAX_TEXT = 512;
/** numeric(38,18): at most 20 digits before the point and 18 after. */
const DECIMAL_38_18 = /^-?\d{1,20}(\.\d{1,18})?$/;

function checkInt(field: string, value: number | undefined, problems: RowProblem[], max = INT4_MAX): number | null {
  if (value === undefined) return null;
  if (!Number.isSafeInteger(value) || value < 0 || value > max) problems.push({ field, code: 'OUT_OF_RANGE' });
  return value;
}

function checkText(field: string, value: string | undefined, problems: RowProblem[]): string | null {
  if (value === undefined) return null;
  if (value.length > MAX_TEXT) problems.push({ field, code: 'TOO_LARGE' });
  else if (value.includes('\u0000')) problems.push({ field, code: 'UNKNOWN_VALUE' });
  return value;
}

function checkDecimal(field: string, value: string | undefined, problems: RowProblem[]): string | null {
  if (value === undefined) return null;
  if (!DECIMAL_38_18.test(value)) problems.push({ field, code: 'OUT_OF_RANGE' });
  return value;
}

function denRow(r: AnonymizedScamDen, at: Location, problems: RowProblem[]): DenRow {
  return {
    at,
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

function suspectRow(r: AnonymizedSuspect, at: Location, problems: RowProblem[]): SuspectRow {
  const selectors = r.selectors.map((s) => ({ type: s.type, hash: s.hash }));
  return {
    at,
    ref: r.ref,
    level: r.sharingLevel ?? DEFAULT_SHARING,
    personKey: r.personKey,
    nationality: r.nationality ?? null,
    birthYear: checkInt('birthYear', r.birthYear, problems, 32_767),
    sex: r.sex,
    role: r.role,
    status: r.status,
    statusOn: r.statusOn ?? null,
    traffickingVictim: r.traffickingVictim,
    denRef: checkText('denRef', r.denRef, problems),
    selectors,
    selectorDigest: selectors
      .map((s) => `${s.type}:${s.hash}`)
      .sort()
      .join(','),
  };
}

function fundRow(r: AnonymizedInterceptedFund, at: Location, problems: RowProblem[]): FundRow {
  return {
    at,
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
export function toRow(record: AnonymizedRecord, at: Location): { row: Row } | { problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  let row: Row;
  switch (record.kind) {
    case 'scamDen':
      row = { kind: 'scamDen', row: denRow(record, at, problems) };
      break;
    case 'suspect':
      row = { kind: 'suspect', row: suspectRow(record, at, problems) };
      break;
    case 'interceptedFund':
      row = { kind: 'interceptedFund', row: fundRow(record, at, problems) };
      break;
  }
  return problems.length > 0 ? { problems } : { row };
}
