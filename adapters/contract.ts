// The adapter contract. An adapter turns one partner file format into a stream of items:
// shared-schema records (still carrying raw identifiers, which the ingest pipeline
// pseudonymizes at once and never persists) or coded issues naming the line or path and
// the field, never the offending value. Parsing streams; mapping is pure and deterministic;
// all I/O (database, den references to earlier submissions, rates) belongs to the pipeline.
// What does not live here: normalizers (adapters/shared/), pseudonymization
// (adapters/pseudonymize.ts), and the list of adapters (adapters/index.ts).

export const SHARING_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const;
export type SharingLevel = (typeof SHARING_LEVELS)[number];

export const DEN_TYPES = [
  'CALL_CENTRE',
  'INVESTMENT_ROMANCE',
  'BRUSHING_TASK',
  'LOAN',
  'SEXTORTION',
  'IMPERSONATION',
  'MONEY_LAUNDERING',
  'OTHER',
] as const;
export type DenType = (typeof DEN_TYPES)[number];

export const DEN_STATUSES = ['SUSPECTED', 'ACTIVE', 'RAIDED', 'DISMANTLED'] as const;
export type DenStatus = (typeof DEN_STATUSES)[number];

export const SEXES = ['F', 'M', 'X', 'UNKNOWN'] as const;
export type Sex = (typeof SEXES)[number];

export const SUSPECT_ROLES = [
  'ORGANIZER',
  'CORE_MEMBER',
  'MEMBER',
  'MONEY_MULE',
  'RECRUITER',
  'FACILITATOR',
  'UNKNOWN',
] as const;
export type SuspectRole = (typeof SUSPECT_ROLES)[number];

/** In the shared schema's order: later means more advanced (the latest-status tie rule relies on it). */
export const SUSPECT_STATUSES = [
  'WANTED',
  'ARRESTED',
  'SURRENDERED',
  'CHARGED',
  'CONVICTED',
  'RELEASED',
  'REPATRIATED',
] as const;
export type SuspectStatus = (typeof SUSPECT_STATUSES)[number];

export const FUND_CHANNELS = [
  'BANK_TRANSFER',
  'THIRD_PARTY_PAYMENT',
  'SCORE_RUNNING',
  'CRYPTO',
  'CASH',
  'TRADE_HEDGING',
  'OTHER',
] as const;
export type FundChannel = (typeof FUND_CHANNELS)[number];

export const FUND_ACTIONS = ['STOP_PAYMENT', 'FROZEN', 'SEIZED', 'RETURNED'] as const;
export type FundAction = (typeof FUND_ACTIONS)[number];

export const SELECTOR_TYPES = [
  'PASSPORT',
  'NATIONAL_ID',
  'PHONE',
  'EMAIL',
  'MESSENGER',
  'BANK_ACCOUNT',
  'CRYPTO_WALLET',
  'DEVICE_IMEI',
] as const;
export type SelectorType = (typeof SELECTOR_TYPES)[number];

/** Handling codes: H0 law-enforcement use only; H1 not for judicial use without the owner's
 * permission; H2 no onward dissemination without permission; H3 other restrictions (handlingNote). */
export const HANDLING_CODES = ['H0', 'H1', 'H2', 'H3'] as const;
export type HandlingCode = (typeof HANDLING_CODES)[number];

/** The 4x4 evaluation: reliability of the source (A reliable … C not reliable, X cannot be assessed)… */
export const SOURCE_RELIABILITIES = ['A', 'B', 'C', 'X'] as const;
export type SourceReliability = (typeof SOURCE_RELIABILITIES)[number];
/** …and assessment of the information (1 known true … 4 cannot be judged). */
export const INFORMATION_ASSESSMENTS = [1, 2, 3, 4] as const;
export type InformationAssessment = (typeof INFORMATION_ASSESSMENTS)[number];

/**
 * What every record may say about its use, besides its sharing level (absent is not null, as
 * below; an empty field means the default: H0, X, 4, matchable). `handling` H3 comes with a
 * `handlingNote` in the same record. `matchable: false`: the record never answers a match.
 */
export type RecordCodes = {
  handling?: HandlingCode;
  handlingNote?: string | null;
  sourceReliability?: SourceReliability;
  informationAssessment?: InformationAssessment;
  matchable?: boolean;
};

/**
 * A raw identifier as the partner sent it. Never persisted, never logged: the pipeline
 * turns it into a selector hash (adapters/pseudonymize.ts) before anything is stored.
 * `country`: issuing country (PASSPORT: nationality, NATIONAL_ID, BANK_ACCOUNT) or the
 * default region of a PHONE; `ticker`: the coin of a CRYPTO_WALLET; MESSENGER values are
 * `service:handle`.
 */
export type RawIdentifier = {
  type: SelectorType;
  value: string;
  country?: string;
  ticker?: string;
  /** Field name as the partner spells it (`pasaporte`, `护照号`), for warnings. */
  field?: string;
};

/** A selector type whose stored selectors a suspect keeps, or NAME_DOB (name + birth date). */
export type IdentifierGroup = SelectorType | 'NAME_DOB';

/**
 * Dates are `YYYY-MM-DD`; amounts are decimal strings (never binary floats).
 *
 * ABSENT IS NOT NULL. Every optional member has three states, and the writers honour them:
 * - `undefined` (member left out): the file does not carry the field (CSV column missing, JSON
 *   key missing, XML element or attribute missing, STIX property missing). A stored value is
 *   kept as it is; a new record gets the default (`AMBER`, `UNKNOWN`, `false`, `EUR`…) or null.
 * - `null`: the file carries the field explicitly empty (empty cell, `null` or `""`, empty
 *   element or attribute). The stored value is cleared (to null, or to the default where the
 *   column cannot be null).
 * - a value: stored.
 */
export type MappedScamDen = RecordCodes & {
  kind: 'scamDen';
  ref: string;
  sharingLevel?: SharingLevel;
  country: string;
  region?: string | null;
  /** Exact coordinates as sent; the pipeline keeps only a geohash of precision 5. */
  lat?: number | null;
  lon?: number | null;
  denType: DenType;
  status: DenStatus;
  raidedOn?: string | null;
  devicesSeized?: number | null;
  firstSeenOn?: string | null;
};

export type MappedSuspect = RecordCodes & {
  kind: 'suspect';
  ref: string;
  sharingLevel?: SharingLevel;
  /** Dropped by the pipeline; only feeds the NAME_DOB person key. */
  fullName?: string | null;
  /** Reduced to birthYear by the pipeline; only feeds the NAME_DOB person key. */
  birthDate?: string | null;
  sex?: Sex;
  nationality?: string | null;
  /** The identifiers the file carries (empty fields and absent fields both contribute none). */
  identifiers: RawIdentifier[];
  /**
   * Identifier groups none of whose source fields the file carries (`pasaporte` column missing:
   * PASSPORT). The suspect's stored selectors of these groups are kept; every other group is
   * replaced by what `identifiers` holds. Left out: every group is replaced.
   */
  absentIdentifiers?: IdentifierGroup[];
  role: SuspectRole;
  status: SuspectStatus;
  statusOn?: string | null;
  traffickingVictim?: boolean;
  denRef?: string | null;
};

export type MappedInterceptedFund = RecordCodes & {
  kind: 'interceptedFund';
  ref: string;
  sharingLevel?: SharingLevel;
  amount: string;
  /**
   * Always set: it qualifies `amount`, which is required. Where a format has a default currency
   * (es-pn-csv EUR, cn-mps-json CNY), an absent currency field means that default.
   */
  currency: string;
  amountUsd?: string | null;
  channel: FundChannel;
  action: FundAction;
  actionOn?: string | null;
  /** BANK_ACCOUNT or CRYPTO_WALLET; becomes accountKey (+ accountCountry). */
  account?: RawIdentifier | null;
  victimCount?: number | null;
  denRef?: string | null;
};

export type MappedRecord = MappedScamDen | MappedSuspect | MappedInterceptedFund;

export const ISSUE_CODES = [
  /** The file cannot be read at all (bad JSON/XML/CSV structure, wrong encoding). */
  'MALFORMED_FILE',
  /** A CSV row whose number of cells differs from the header's (record error; the file goes on). */
  'MALFORMED_ROW',
  /** A DOCTYPE or entity declaration in XML. */
  'DOCTYPE_FORBIDDEN',
  /** Nesting deeper than the adapter allows. */
  'TOO_DEEP',
  /** A file or record over a size or count limit. */
  'TOO_LARGE',
  /** A required column of a CSV header is missing (file error). */
  'MISSING_COLUMN',
  /** A required field of a record is missing or empty. */
  'MISSING_FIELD',
  /** A value that the mapping table does not list. */
  'UNKNOWN_VALUE',
  /** A date that cannot be read. */
  'INVALID_DATE',
  /** A date in the future. */
  'FUTURE_DATE',
  /** A date before 1900. */
  'DATE_TOO_EARLY',
  /** A number that cannot be read exactly (including money through a float, NaN, 1e309). */
  'MALFORMED_NUMBER',
  /** A negative amount or count, or a coordinate out of range. */
  'OUT_OF_RANGE',
  /** A country that is neither ISO 3166-1 alpha-2 nor a listed short name. */
  'UNKNOWN_COUNTRY',
  /** A currency that is neither ISO 4217 nor a supported crypto ticker. */
  'UNKNOWN_CURRENCY',
  /** The file names another operation than the submission. */
  'OPERATION_MISMATCH',
  /** The file names another sender than the submitting agency. */
  'SENDER_MISMATCH',
  /** A den reference found neither in the file nor in the owner's earlier submissions. */
  'DANGLING_REFERENCE',
  /** The same ref twice in one file for the same record type. */
  'DUPLICATE_REF',
  /** An identifier that fails its own check (warning: the identifier is dropped). */
  'INVALID_IDENTIFIER',
  /** An identifier type that the gateway does not take (warning: skipped). */
  'UNSUPPORTED_IDENTIFIER',
  /** An object of the file that maps to no shared record (warning: counted as skipped). */
  'SKIPPED_OBJECT',
  /** A sharing marking that is unknown: the record is refused (fail closed). */
  'UNKNOWN_MARKING',
  /** A CSV file split by another delimiter than its format's (file error; `found` and `expected` say which). */
  'WRONG_DELIMITER',
] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

export type Location = {
  /** 1-based line of a text file (CSV: the header is line 1). */
  line?: number;
  /** JSON pointer (`/records/3/amount`) or XPath-like path (`/Message/Person[2]/BirthDate`). */
  path?: string;
  /** 1-based column with `line`: the character on the line (JSON, XML) or the cell in the row (CSV). */
  column?: number;
};

/** What an officer needs to fix a value or a file, beyond where and what: never a value of the record. */
export type IssueDetail = {
  /** UNKNOWN_VALUE: every value the field accepts, as the format spells them. */
  allowed?: string[];
  /** The shape the field or file must have: a date format (`DD/MM/YYYY`), a number spelling, a delimiter. */
  expected?: string;
  /** What the file has instead, only where that is no record data (the delimiter a CSV header uses). */
  found?: string;
  /** TOO_LARGE, TOO_DEEP: the limit that was crossed (bytes, records, objects, nesting levels). */
  limit?: number;
};

export type Issue = Location &
  IssueDetail & {
  kind: 'issue';
  /** The field as the partner spells it (`fecha`, `出生日期`, `BirthDate`). */
  field: string;
  code: IssueCode;
  severity: 'error' | 'warning';
  /** The partner's ref of the record concerned, when known (a ref is not personal data). */
  ref?: string;
};

export type RecordItem = Location & {
  kind: 'record';
  record: MappedRecord;
};

export type Item = RecordItem | Issue;

export type ParseContext = {
  /** Code of the submitting agency (checked against a sender named in the file). */
  agencyCode: string;
  /** Code of the operation the submission names (checked against one named in the file). */
  operationCode: string;
  /** Today's date, `YYYY-MM-DD` (injected, so "a date in the future" is testable). */
  today: string;
};

export type Adapter = {
  /** The `format` query parameter value, e.g. `es-pn-csv`. */
  readonly format: string;
  /** Media types a partner may send this format with. */
  readonly mediaTypes: readonly string[];
  /** One-line description for docs and `--help`. */
  readonly description: string;
  /**
   * Every value the format accepts in each field that takes a fixed list, as the format spells
   * it: the partner's field name (with the record type where two share a name) → spellings.
   * The officer guide `docs/formats/<format>.md` lists them all (adapters/formats-docs.test.ts).
   */
  readonly allowedValues: Readonly<Record<string, readonly string[]>>;
  /**
   * Streams the items of one file. Record-level problems are yielded as issues and the
   * stream goes on; a file-level problem is yielded as an issue with severity `error`
   * and ends the stream. Never throws for bad input. An `input` that starts over each time it is
   * iterated may be read again after a syntax error, to place it (see readJsonStream).
   */
  parse(input: AsyncIterable<Uint8Array>, context: ParseContext): AsyncIterable<Item>;
};
