// Coded outcomes shared by every normalizer and adapter. A normalizer answers with a
// `Result`: the normalized value, or the issue code saying why the value was refused (never
// the value itself). `makeIssue` builds the contract's Issue so that every adapter spells
// file-level and record-level problems the same way. What does not live here: the issue
// codes themselves (adapters/contract.ts) and any message text (the API layer owns wording).
import type { Issue, IssueCode, Location } from '../contract.ts';

export type Result<T, C extends IssueCode = IssueCode> = { ok: true; value: T } | { ok: false; code: C };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <C extends IssueCode>(code: C): { ok: false; code: C } => ({ ok: false, code });

/** The `field` of an issue about the whole file rather than one named field. */
export const FILE_FIELD = '(file)';
/** The `field` of an issue about a whole CSV row (wrong number of cells). */
export const ROW_FIELD = '(row)';

export function makeIssue(
  code: IssueCode,
  field: string,
  at: Location,
  options: { severity?: Issue['severity']; ref?: string | undefined } = {},
): Issue {
  const issue: Issue = { kind: 'issue', field, code, severity: options.severity ?? 'error' };
  if (at.line !== undefined) issue.line = at.line;
  if (at.path !== undefined) issue.path = at.path;
  if (options.ref !== undefined) issue.ref = options.ref;
  return issue;
}

/** A file-level problem: an error that ends the adapter's stream. */
export const fileIssue = (code: IssueCode, field: string = FILE_FIELD, at: Location = {}): Issue =>
  makeIssue(code, field, at);
