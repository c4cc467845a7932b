// What the read compiler (schema/compiled/compile.ts) knows of the three shared record types, as
// data: each GraphQL scalar field's column and how PostgreSQL renders it, the nested record
// connections and to-one links, and the filter arguments' columns. Adding a scalar column to a
// record type is one line here; a field missing from this table is not an error: a selection
// asking for it is answered by the Prisma path instead (compileRecordConnection returns undefined).
import type { RecordTable } from '../sharing.ts';

/**
 * How a column reaches the prepared result: JSON as PostgreSQL builds it (text, int, bool,
 * enum as its label), a `date` as YYYY-MM-DD, a `timestamp` as ISO 8601 UTC with milliseconds,
 * a `decimal` as its exact text (never through a float), and a `sealed` stored pseudonym as two
 * values, owner id then stored key, which the compiler seals for the viewer (schema/exposed-keys.ts) before
 * any resolver sees it: the stored key itself never reaches a response.
 */
export type ColumnKind = 'text' | 'int' | 'bool' | 'enum' | 'date' | 'timestamp' | 'decimal' | 'sealed';

export type RecordModel = 'ScamDen' | 'Suspect' | 'InterceptedFund';

/** A filter argument: the column it compares, the SQL type its value is bound as, upper-cased or not. */
export type FilterColumn = { column: string; cast: string; upper?: true };

export type ModelSql = {
  table: RecordTable;
  columns: Readonly<Record<string, readonly [column: string, kind: ColumnKind]>>;
  /** Record connections under this type: field → the child model, its column naming this row, the cursor's connection name. */
  connections: Readonly<Record<string, { model: RecordModel; foreignKey: string; connection: string }>>;
  /** Links to one record of another type: field → model and this row's column holding its id. */
  links: Readonly<Record<string, { model: RecordModel; column: string }>>;
  /** The list filter's plain arguments (operationCode and owner are compiled for every type). */
  filters: Readonly<Record<string, FilterColumn>>;
};

const PROVENANCE = {
  sourceRef: ['source_ref', 'text'],
  sharingLevel: ['sharing_level', 'enum'],
  createdAt: ['created_at', 'timestamp'],
  updatedAt: ['updated_at', 'timestamp'],
  retractedAt: ['retracted_at', 'timestamp'],
  retractionReason: ['retraction_reason', 'text'],
  handling: ['handling', 'enum'],
  handlingNote: ['handling_note', 'text'],
  sourceReliability: ['source_reliability', 'enum'],
  informationAssessment: ['information_assessment', 'int'],
  matchable: ['matchable', 'bool'],
} as const;

const SHARING_FILTER = { sharingLevel: { column: 'sharing_level', cast: '"SharingLevel"' } } as const;

export const MODELS: Readonly<Record<RecordModel, ModelSql>> = {
  ScamDen: {
    table: 'scam_den',
    columns: {
      ...PROVENANCE,
      country: ['country', 'text'],
      region: ['region', 'text'],
      geohash: ['geohash', 'text'],
      denType: ['den_type', 'enum'],
      status: ['status', 'enum'],
      raidedOn: ['raided_on', 'date'],
      devicesSeized: ['devices_seized', 'int'],
      firstSeenOn: ['first_seen_on', 'date'],
    },
    connections: {
      suspects: { model: 'Suspect', foreignKey: 'den_id', connection: 'ScamDen.suspects' },
      interceptedFunds: { model: 'InterceptedFund', foreignKey: 'den_id', connection: 'ScamDen.interceptedFunds' },
    },
    links: {},
    filters: {
      ...SHARING_FILTER,
      country: { column: 'country', cast: 'text', upper: true },
      status: { column: 'status', cast: '"DenStatus"' },
      denType: { column: 'den_type', cast: '"DenType"' },
    },
  },
  Suspect: {
    table: 'suspect',
    columns: {
      ...PROVENANCE,
      personKey: ['person_key', 'sealed'],
      nationality: ['nationality', 'text'],
      birthYear: ['birth_year', 'int'],
      sex: ['sex', 'enum'],
      role: ['role', 'enum'],
      status: ['status', 'enum'],
      statusOn: ['status_on', 'date'],
      traffickingVictim: ['trafficking_victim', 'bool'],
    },
    connections: {},
    links: { den: { model: 'ScamDen', column: 'den_id' } },
    filters: {
      ...SHARING_FILTER,
      country: { column: 'nationality', cast: 'text', upper: true },
      status: { column: 'status', cast: '"SuspectStatus"' },
      role: { column: 'role', cast: '"SuspectRole"' },
      traffickingVictim: { column: 'trafficking_victim', cast: 'boolean' },
    },
  },
  InterceptedFund: {
    table: 'intercepted_fund',
    columns: {
      ...PROVENANCE,
      amount: ['amount', 'decimal'],
      currency: ['currency', 'text'],
      amountUsd: ['amount_usd', 'decimal'],
      channel: ['channel', 'enum'],
      action: ['action', 'enum'],
      actionOn: ['action_on', 'date'],
      accountKey: ['account_key', 'sealed'],
      accountCountry: ['account_country', 'text'],
      victimCount: ['victim_count', 'int'],
    },
    connections: {},
    links: { den: { model: 'ScamDen', column: 'den_id' } },
    filters: {
      ...SHARING_FILTER,
      country: { column: 'account_country', cast: 'text', upper: true },
      status: { column: 'action', cast: '"FundAction"' },
      channel: { column: 'channel', cast: '"FundChannel"' },
      currency: { column: 'currency', cast: 'text', upper: true },
    },
  },
};

/** The column as the prepared result carries it (alias.column rendered per its kind; a sealed key is two values). */
export function renderColumn(alias: string, column: string, kind: ColumnKind): string {
  const ref = `${alias}.${column}`;
  switch (kind) {
    case 'date':
      // PostgreSQL writes a date into JSON as ISO 8601 (YYYY-MM-DD) whatever the DateStyle, and
      // cheaper than to_char (about a tenth of the bench statement's time for one date per row).
      return ref;
    case 'timestamp':
      return `to_char(${ref} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    case 'decimal':
      return `${ref}::text`;
    case 'sealed':
      return `${alias}.owner_id, ${ref}`;
    default:
      return ref;
  }
}
