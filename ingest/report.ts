// The submission report: its types, the collector of issues and counts that the pipeline
// feeds while streaming, and the conversion of adapter and pseudonymization issues into
// report issues. An issue says where (line or path), which field and what code, never a
// value. The list is capped (MAX_REPORT_ISSUES, then one ISSUES_TRUNCATED warning) so that a
// 50 MB file of errors cannot grow the report without bound; the counts stay exact.
import { z } from 'zod';
import type { Issue } from '../adapters/contract.ts';
import * as E from '../prisma/generated/client/enums.ts';

export const MAX_REPORT_ISSUES = 1000;

// ---- the one definition of the report ------------------------------------------------------
// The GraphQL types (schema/types/submission.ts) are built from these schemas, the OpenAPI
// `SubmissionReport` is compared with them (tests/contract/openapi.test.ts), and the TypeScript
// types below are inferred from them. Descriptions are written here only.

export const RECORD_KIND_NAMES = ['scamDen', 'suspect', 'interceptedFund'] as const;

export const reportIssueSchema = z
  .strictObject({
    line: z.int().min(1).optional().describe('1-based line of the file where the problem is (CSV; JSON and XML syntax errors).'),
    column: z.int().min(1).optional().describe('With `line`: the character on the line (JSON, XML) or the cell in the row (CSV), from 1.'),
    path: z.string().optional().describe('Where in a JSON or XML document: the path of the member or element.'),
    field: z.string().describe("The partner's own field or column name; `(file)` for the file as a whole."),
    code: z.string().describe('What is wrong, as a stable code (e.g. UNKNOWN_VALUE, MISSING_FIELD, DANGLING_REFERENCE, ISSUES_TRUNCATED).'),
    severity: z.enum(['error', 'warning']).describe('`error` rejects the record (or the file); `warning` is kept for information.'),
    ref: z.string().optional().describe("The partner's own id of the record."),
    kind: z.enum(RECORD_KIND_NAMES).optional().describe('The kind of shared record the issue belongs to, when known.'),
    allowed: z.array(z.string()).optional().describe('UNKNOWN_VALUE: every value the field accepts, as the format spells them.'),
    expected: z.string().optional().describe('The shape required: a date format (DD/MM/YYYY), a number spelling, a CSV delimiter, an encoding.'),
    found: z.string().optional().describe('What the file has instead, only where that is no record data (WRONG_DELIMITER: the delimiter found).'),
    limit: z.int().min(0).optional().describe('TOO_LARGE, TOO_DEEP: the limit crossed (bytes, records, objects, cells or nesting levels).'),
  })
  .describe('One problem with a record or the file, located by line or path; never the submitted value.');

export const submissionCountsSchema = z
  .strictObject({
    received: z.int().min(0).describe('Records read from the file, valid and invalid; objects that map to no shared record are counted under `skipped`, not here.'),
    accepted: z.int().min(0).describe('New records stored.'),
    updated: z.int().min(0).describe('Existing records (same ref) changed; their earlier version is kept.'),
    unchanged: z.int().min(0).describe('Existing records sent again without any change (not rewritten).'),
    rejected: z.int().min(0).describe('Invalid records (not stored).'),
    skipped: z.int().min(0).describe('Objects of the file that map to no shared record.'),
  })
  .describe('What happened to the records of the file; exact even when the issue list is truncated.');

export const submissionReportSchema = z
  .strictObject({
    id: z.uuid().describe('The submission id (read the report again with it).'),
    agency: z.string().describe('Code of the submitting agency.'),
    subject: z.string().describe("The submitting officer or system: the token's `sub`."),
    format: z.string().describe('The partner format of the file.'),
    operation: z.string().describe('Code of the joint operation the records belong to.'),
    mode: z.enum(E.SubmissionMode).describe('ATOMIC: all or nothing. PARTIAL: the valid records are stored.'),
    dryRun: z.boolean().describe('True when everything was checked and nothing stored.'),
    status: z.enum(E.SubmissionStatus).extract(['ACCEPTED', 'REJECTED']).describe('ACCEPTED or REJECTED.'),
    contentSha256: z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256 of the file as received, in hex.'),
    idempotencyKey: z.string().nullable().describe('The Idempotency-Key the submission was made with, if any.'),
    counts: submissionCountsSchema,
    issues: z.array(reportIssueSchema).describe(`At most ${MAX_REPORT_ISSUES}, then one ISSUES_TRUNCATED warning; the counts stay exact.`),
    receivedAt: z.iso.datetime().describe('When the gateway started reading the file.'),
    completedAt: z.iso.datetime().describe('When the gateway finished with it.'),
    receipt: z
      .string()
      .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
      .describe('Compact JWS (EdDSA) by the gateway over this report without `receipt`; verify it with /.well-known/jwks.json.'),
  })
  .describe('The report of one partner file, signed by the gateway.');

export type SubmissionMode = E.SubmissionMode;
export type RecordKindName = (typeof RECORD_KIND_NAMES)[number];
export type ReportIssue = z.infer<typeof reportIssueSchema>;
export type SubmissionCounts = z.infer<typeof submissionCountsSchema>;
export type SubmissionReport = z.infer<typeof submissionReportSchema>;

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
