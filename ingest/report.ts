// The submission report: its types, the collector of issues and counts that the pipeline
// feeds while streaming, and the conversion of adapter and pseudonymization issues into
// report issues. An issue says where (line or path), which field and what code, never a
// value. The list is capped (MAX_REPORT_ISSUES, then one ISSUES_TRUNCATED warning) so that a
// 50 MB file of errors cannot grow the report without bound; the counts stay exact.
import type { Issue } from '../adapters/contract.ts';

export type SubmissionMode = 'ATOMIC' | 'PARTIAL';
export type RecordKindName = 'scamDen' | 'suspect' | 'interceptedFund';

export type ReportIssue = {
  line?: number;
  /** With `line`: the character on the line (JSON, XML) or the cell in the row (CSV), from 1. */
  column?: number;
  path?: string;
  field: string;
  code: string;
  severity: 'error' | 'warning';
  ref?: string;
  kind?: RecordKindName;
  /** UNKNOWN_VALUE: every value the field accepts, as the format spells them. */
  allowed?: string[];
  /** The shape required: a date format (`DD/MM/YYYY`), a number spelling, a CSV delimiter, an encoding. */
  expected?: string;
  /** What the file has instead, only where that is no record data (WRONG_DELIMITER: the delimiter found). */
  found?: string;
  /** TOO_LARGE, TOO_DEEP: the limit crossed (bytes, records, objects, cells or nesting levels). */
  limit?: number;
};

export type SubmissionCounts = {
  /** Records read from the file: valid and invalid (skipped objects not included). */
  received: number;
  /** New records stored. */
  accepted: number;
  /** Existing records (same ref) changed; their earlier version went to record_version. */
  updated: number;
  /** Existing records sent again without any change (not rewritten). */
  unchanged: number;
  /** Invalid records (not stored). */
  rejected: number;
  /** Objects of the file that map to no shared record. */
  skipped: number;
};

export type SubmissionReport = {
  id: string;
  agency: string;
  subject: string;
  format: string;
  operation: string;
  mode: SubmissionMode;
  dryRun: boolean;
  status: 'ACCEPTED' | 'REJECTED';
  contentSha256: string;
  idempotencyKey: string | null;
  counts: SubmissionCounts;
  issues: ReportIssue[];
  receivedAt: string;
  completedAt: string;
  receipt: string;
};

export const MAX_REPORT_ISSUES = 1000;
/** The `field` of issues about the file or the report as a whole (adapters use the same). */
export const FILE_FIELD = '(file)';

/**
 * Codes an adapter only ever raises about the file as a whole. The contract says a file
 * error "ends the stream" but does not mark it; see ingest/PROPOSALS.md (Issue.scope).
 */
const FILE_ONLY_CODES = new Set([
  'MALFORMED_FILE',
  'DOCTYPE_FORBIDDEN',
  'TOO_DEEP',
  'MISSING_COLUMN',
  'WRONG_DELIMITER',
  'OPERATION_MISMATCH',
  'SENDER_MISMATCH',
]);

/** True for an error about the whole file (which rejects the submission in any mode). */
export function isFileIssue(issue: Issue): boolean {
  if (issue.severity !== 'error') return false;
  if (FILE_ONLY_CODES.has(issue.code) || issue.field === FILE_FIELD) return true;
  // A file-level member of a JSON file (`/records` missing, `/共享级别` unknown) or the
  // object cap of a STIX bundle: no record owns these locations.
  if (issue.ref === undefined && issue.path !== undefined && /^\/[^/]+$/.test(issue.path)) return true;
  return issue.code === 'TOO_LARGE' && issue.field === 'objects';
}

/**
 * The record an issue belongs to: its line, or the first two steps of its path
 * (`/records/3`, `/嫌疑人/0`, `/Message/Person[2]`, `/objects/5`).
 */
export function recordKeyOf(at: { line?: number | undefined; path?: string | undefined }): string | undefined {
  if (at.line !== undefined) return `L${at.line}`;
  if (at.path === undefined) return undefined;
  return at.path.split('/').slice(0, 3).join('/');
}

/** An adapter's (or pseudonymization's) issue as the report shows it; `kind` when known. */
export function toReportIssue(issue: Issue, kind?: RecordKindName): ReportIssue {
  const out: ReportIssue = { field: issue.field, code: issue.code, severity: issue.severity };
  if (issue.line !== undefined) out.line = issue.line;
  if (issue.column !== undefined) out.column = issue.column;
  if (issue.path !== undefined) out.path = issue.path;
  if (issue.ref !== undefined) out.ref = issue.ref;
  if (kind !== undefined) out.kind = kind;
  if (issue.allowed !== undefined) out.allowed = [...issue.allowed];
  if (issue.expected !== undefined) out.expected = issue.expected;
  if (issue.found !== undefined) out.found = issue.found;
  if (issue.limit !== undefined) out.limit = issue.limit;
  return out;
}

/** Issues and counts of one submission while it streams. */
export class ReportBuilder {
  readonly counts: SubmissionCounts = { received: 0, accepted: 0, updated: 0, unchanged: 0, rejected: 0, skipped: 0 };
  private readonly kept: ReportIssue[] = [];
  private dropped = 0;
  private readonly rejectedKeys = new Set<string>();
  fileError = false;

  add(issue: ReportIssue): void {
    if (this.kept.length < MAX_REPORT_ISSUES) this.kept.push(issue);
    else this.dropped++;
  }

  /** An adapter issue: counts a rejected record once per record, notes file errors. */
  addAdapterIssue(issue: Issue): void {
    if (issue.code === 'SKIPPED_OBJECT') this.counts.skipped++;
    if (isFileIssue(issue)) this.fileError = true;
    else if (issue.severity === 'error') this.rejectRecord(recordKeyOf(issue));
    this.add(toReportIssue(issue));
  }

  /** Counts one invalid record the adapter refused (key: its line or path; undefined counts every time). */
  private rejectRecord(key: string | undefined): void {
    if (key !== undefined) {
      if (this.rejectedKeys.has(key)) return;
      // The set only grows up to the record cap; beyond it the submission is refused anyway.
      this.rejectedKeys.add(key);
    }
    this.counts.rejected++;
    this.counts.received++;
  }

  get hasRecordErrors(): boolean {
    return this.counts.rejected > 0;
  }

  issues(): ReportIssue[] {
    if (this.dropped === 0) return [...this.kept];
    return [...this.kept, { field: '(report)', code: 'ISSUES_TRUNCATED', severity: 'warning' }];
  }
}
