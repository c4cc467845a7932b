// The reader every map.ts uses to turn one partner record into a shared record: it reads
// each field through a normalizer, collects coded issues located at the partner's field
// (line, JSON pointer or XML path; never the value), and builds the record only when every
// required field is present and nothing failed. It keeps map functions a flat list of
// "field → normalizer" lines. What does not live here: the normalizers themselves and any
// knowledge of one format.
import { SELECTOR_TYPES, type IdentifierGroup, type Issue, type IssueCode, type IssueDetail, type Location, type MappedRecord, type SharingLevel } from '../contract.ts';
import { fail, makeIssue, ok, type Result } from './issues.ts';
import { JsonNumber } from './json-stream.ts';
import { cleanText } from './text.ts';

/** Where a record sits and what the map may know besides its fields. */
export type MapContext = {
  /** Location of one partner field of this record. */
  at: (field: string) => Location;
  today: string;
  /**
   * The level for a record that names none: the file's default when the file sets one. Without
   * it (undefined) a record that names no level leaves a stored level as it is (new: AMBER).
   */
  defaultSharing: SharingLevel | undefined;
};

export type MapResult = { record?: MappedRecord; issues: Issue[] };

/** A normalizer as a field parser; `fromJsonNumber` tells that the file wrote a JSON number. */
export type FieldParser<T> = (text: string, fromJsonNumber: boolean) => Result<T>;

const MAX_REF_LENGTH = 256;

/** The text of a scalar field: strings as they are, JSON numbers as written; else undefined. */
export function textOf(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (raw instanceof JsonNumber) return raw.text;
  return undefined;
}

/** Present but empty: JSON null, an empty or blank string, an empty cell, element or attribute. */
const isEmpty = (raw: unknown): boolean => raw === null || (typeof raw === 'string' && cleanText(raw) === '');

export function parseRef(text: string): Result<string> {
  const ref = cleanText(text);
  if (ref.length > MAX_REF_LENGTH) return fail('TOO_LARGE');
  return /[\u0000-\u001f\u007f]/.test(ref) ? fail('UNKNOWN_VALUE') : ok(ref);
}

export const parseFreeText: FieldParser<string> = (text) => ok(cleanText(text));

type Required<Q> = { [K in keyof Q]-?: Exclude<Q[K], undefined> };

const IDENTIFIER_GROUPS: readonly IdentifierGroup[] = [...SELECTOR_TYPES, 'NAME_DOB'];

/**
 * The identifier groups a suspect keeps from storage: those the file carries no source field
 * of. `carried` names, per group, whether any of its source fields is in the file (a group the
 * format has no field for is never carried).
 */
export function absentIdentifierGroups(carried: Partial<Record<IdentifierGroup, boolean>>): IdentifierGroup[] {
  return IDENTIFIER_GROUPS.filter((group) => carried[group] !== true);
}

/** Drops undefined members so records compare and serialize cleanly. */
function compact<R extends object>(record: R): R {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value;
  return out as R;
}

export class FieldReader {
  readonly issues: Issue[] = [];
  private refValue: string | undefined;

  constructor(private readonly context: MapContext) {}

  get today(): string {
    return this.context.today;
  }

  get failed(): boolean {
    return this.issues.some((issue) => issue.severity === 'error');
  }

  report(field: string, code: IssueCode, options: { severity?: Issue['severity']; at?: Location; detail?: IssueDetail } = {}): undefined {
    const at = options.at ?? this.context.at(field);
    this.issues.push(makeIssue(code, field, at, { severity: options.severity, ref: this.refValue, detail: options.detail }));
    return undefined;
  }

  /**
   * The record's sharing level from its own field: absent → the file's default (undefined when
   * the file sets none: a stored level is kept); empty → the file's default, else AMBER.
   */
  sharing(field: string, raw: unknown, parse: FieldParser<SharingLevel>): SharingLevel | undefined {
    const fallback = this.context.defaultSharing;
    return this.read(field, raw, parse, { emptyAs: fallback ?? 'AMBER' }) ?? fallback;
  }

  /** Reads the record's ref first, so that later issues carry it. */
  ref(field: string, raw: unknown, parse: FieldParser<string> = parseRef): string | undefined {
    this.refValue = this.need(field, raw, parse);
    return this.refValue;
  }

  /**
   * Reads one required scalar field: absent or empty is MISSING_FIELD; a value of the wrong
   * JSON type fails with the parser's own code.
   */
  need<T>(field: string, raw: unknown, parse: FieldParser<T>, options: { at?: Location } = {}): T | undefined {
    if (raw === undefined || isEmpty(raw)) return this.report(field, 'MISSING_FIELD', options);
    return this.parse(field, raw, parse, options.at) ?? undefined;
  }

  /**
   * Reads one optional scalar field, keeping "absent is not null" (contract.ts): undefined when
   * the file does not carry the field, `emptyAs` (default null) when it carries it empty, else
   * the parsed value (undefined when it fails, with the issue reported).
   */
  read<T>(field: string, raw: unknown, parse: FieldParser<T>, options?: { at?: Location }): T | null | undefined;
  read<T>(field: string, raw: unknown, parse: FieldParser<T>, options: { at?: Location; emptyAs: T }): T | undefined;
  read<T>(field: string, raw: unknown, parse: FieldParser<T>, options: { at?: Location; emptyAs?: T } = {}): T | null | undefined {
    if (raw === undefined) return undefined;
    if (isEmpty(raw)) return options.emptyAs ?? null;
    return this.parse(field, raw, parse, options.at);
  }

  private parse<T>(field: string, raw: unknown, parse: FieldParser<T>, at: Location | undefined): T | undefined {
    const text = textOf(raw);
    // A NUL never parses in any normalizer: it yields the field's own "cannot read" code.
    const result = text === undefined ? parse('\u0000', false) : parse(text, raw instanceof JsonNumber);
    return result.ok ? result.value : this.report(field, result.code, { at, detail: result.detail });
  }

  /** A yes/no field: JSON booleans as they are, text through `parseText`; empty is `emptyAs`, absent undefined. */
  flag(field: string, raw: unknown, parseText: FieldParser<boolean>, emptyAs: boolean): boolean | undefined {
    if (typeof raw === 'boolean') return raw;
    return this.read(field, raw, parseText, { emptyAs });
  }

  /** Builds the record when nothing failed and every `required` member is present. */
  finish<Q extends Record<string, unknown>>(required: Q, build: (values: Required<Q>) => MappedRecord): MapResult {
    const complete = Object.values(required).every((v) => v !== undefined);
    if (this.failed || !complete) return { issues: this.issues };
    return { record: compact(build(required as Required<Q>)), issues: this.issues };
  }
}
