// The reader every map.ts uses to turn one partner record into a shared record: it reads
// each field through a normalizer, collects coded issues located at the partner's field
// (line, JSON pointer or XML path; never the value), and builds the record only when every
// required field is present and nothing failed. It keeps map functions a flat list of
// "field → normalizer" lines. What does not live here: the normalizers themselves and any
// knowledge of one format.
import type { Issue, IssueCode, Location, MappedRecord, SharingLevel } from '../contract.ts';
import { fail, makeIssue, ok, type Result } from './issues.ts';
import { JsonNumber } from './json-stream.ts';
import { cleanText } from './text.ts';

/** Where a record sits and what the map may know besides its fields. */
export type MapContext = {
  /** Location of one partner field of this record. */
  at: (field: string) => Location;
  today: string;
  /** The level for a record that names none (file default, else AMBER). */
  defaultSharing: SharingLevel;
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

const isAbsent = (raw: unknown): boolean =>
  raw === undefined || raw === null || (typeof raw === 'string' && cleanText(raw) === '');

export function parseRef(text: string): Result<string> {
  const ref = cleanText(text);
  if (ref.length > MAX_REF_LENGTH) return fail('TOO_LARGE');
  return /[\u0000-\u001f\u007f]/.test(ref) ? fail('UNKNOWN_VALUE') : ok(ref);
}

export const parseFreeText: FieldParser<string> = (text) => ok(cleanText(text));

type Required<Q> = { [K in keyof Q]-?: Exclude<Q[K], undefined> };

/** Drops undefined members so records compare and serialize cleanly. */
function compact<R extends object>(record: R): R {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as R;
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

  report(field: string, code: IssueCode, options: { severity?: Issue['severity']; at?: Location } = {}): undefined {
    const at = options.at ?? this.context.at(field);
    this.issues.push(makeIssue(code, field, at, { severity: options.severity, ref: this.refValue }));
    return undefined;
  }

  /** Reads the record's ref first, so that later issues carry it. */
  ref(field: string, raw: unknown, parse: FieldParser<string> = parseRef): string | undefined {
    this.refValue = this.read(field, raw, parse, { required: true });
    return this.refValue;
  }

  /**
   * Reads one scalar field. Absent (missing, null, blank) is MISSING_FIELD when required and
   * undefined otherwise; a value of the wrong JSON type fails with the parser's own code.
   */
  read<T>(field: string, raw: unknown, parse: FieldParser<T>, options: { required?: boolean; at?: Location } = {}): T | undefined {
    if (isAbsent(raw)) {
      return options.required ? this.report(field, 'MISSING_FIELD', { at: options.at }) : undefined;
    }
    const text = textOf(raw);
    // A NUL never parses in any normalizer: it yields the field's own "cannot read" code.
    const result = text === undefined ? parse('\u0000', false) : parse(text, raw instanceof JsonNumber);
    return result.ok ? result.value : this.report(field, result.code, { at: options.at });
  }

  /** A yes/no field: JSON booleans as they are, text through `table`; absent is `fallback`. */
  flag(field: string, raw: unknown, parseText: FieldParser<boolean>, fallback: boolean): boolean {
    if (typeof raw === 'boolean') return raw;
    return this.read(field, raw, parseText) ?? fallback;
  }

  /** Builds the record when nothing failed and every `required` member is present. */
  finish<Q extends Record<string, unknown>>(required: Q, build: (values: Required<Q>) => MappedRecord): MapResult {
    const complete = Object.values(required).every((v) => v !== undefined);
    if (this.failed || !complete) return { issues: this.issues };
    return { record: compact(build(required as Required<Q>)), issues: this.issues };
  }
}
