// Coded outcomes shared by every normalizer and adapter. A normalizer answers with a
// `Result`: the normalized value, or the issue code saying why the value was refused (never
// the value itself). `makeIssue` builds the contract's Issue so that every adapter spells
// file-level and record-level problems the same way. What does not live here: the issue
// codes themselves (adapters/contract.ts) and any message text (the API layer owns wording).
import type { Issue, IssueCode, IssueDetail, Location } from '../contract.ts';

export type Result<T, C extends IssueCode = IssueCode> = { ok: true; value: T } | { ok: false; code: C; detail?: IssueDetail };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <C extends IssueCode>(code: C, detail?: IssueDetail): { ok: false; code: C; detail?: IssueDetail } =>
  detail === undefined ? { ok: false, code } : { ok: false, code, detail };

/** The `field` of an issue about the whole file rather than one named field. */
export const FILE_FIELD = '(file)';
/** The `field` of an issue about a whole CSV row (wrong number of cells). */
export const ROW_FIELD = '(row)';

export function makeIssue(
  code: IssueCode,
  field: string,
  at: Location,
  options: { severity?: Issue['severity']; ref?: string | undefined; detail?: IssueDetail | undefined } = {},
): Issue {
  const issue: Issue = { kind: 'issue', field, code, severity: options.severity ?? 'error' };
  if (at.line !== undefined) issue.line = at.line;
  if (at.column !== undefined) issue.column = at.column;
  if (at.path !== undefined) issue.path = at.path;
  if (options.ref !== undefined) issue.ref = options.ref;
  const { allowed, expected, found, limit } = options.detail ?? {};
  if (allowed !== undefined) issue.allowed = [...allowed];
  if (expected !== undefined) issue.expected = expected;
  if (found !== undefined) issue.found = found;
  if (limit !== undefined) issue.limit = limit;
  return issue;
}

/** A file-level problem: an error that ends the adapter's stream. */
export const fileIssue = (code: IssueCode, field: string = FILE_FIELD, at: Location = {}, detail?: IssueDetail): Issue =>
  makeIssue(code, field, at, { detail });
