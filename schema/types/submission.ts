// Submissions over GraphQL: `submitRecords` (the file as a string, for small files and
// integrators; large files go to POST /v1/submissions, which streams) and `submission(id)`.
// Both run the same ingest pipeline as REST and return the same signed report.
import { Readable } from 'node:stream';
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import { findSubmission, ingestSubmission, type ReportIssue, type SubmissionReport } from '../../ingest/pipeline.ts';
import { builder } from '../builder.ts';
import { SubmissionMode } from './enums.ts';
import { viewerOf } from './records.ts';

const SubmissionCounts = builder.objectRef<SubmissionReport['counts']>('SubmissionCounts').implement({
  fields: (t) => ({
    received: t.exposeInt('received', { description: 'Records read from the file.' }),
    accepted: t.exposeInt('accepted', { description: 'New records stored.' }),
    updated: t.exposeInt('updated', { description: 'Existing records (same ref) changed; earlier versions kept.' }),
    unchanged: t.exposeInt('unchanged', { description: 'Existing records sent again without change.' }),
    rejected: t.exposeInt('rejected'),
    skipped: t.exposeInt('skipped', { description: 'Objects of the file that map to no shared record.' }),
  }),
});

const SubmissionIssue = builder.objectRef<ReportIssue>('SubmissionIssue').implement({
  description: 'A problem in the file: where (line or path), which field, what code. Never the value itself.',
  fields: (t) => ({
    line: t.exposeInt('line', { nullable: true }),
    path: t.exposeString('path', { nullable: true }),
    field: t.exposeString('field'),
    code: t.exposeString('code'),
    severity: t.exposeString('severity'),
    ref: t.exposeString('ref', { nullable: true }),
  }),
});

const Submission = builder.objectRef<SubmissionReport>('Submission').implement({
  description: "The report of one partner file, signed by the gateway (verify `receipt` with /.well-known/jwks.json).",
  fields: (t) => ({
    id: t.exposeID('id'),
    agency: t.exposeString('agency'),
    subject: t.exposeString('subject'),
    format: t.exposeString('format'),
    operation: t.exposeString('operation'),
    mode: t.field({ type: SubmissionMode, resolve: (r) => r.mode }),
    dryRun: t.exposeBoolean('dryRun'),
    status: t.exposeString('status', { description: 'ACCEPTED or REJECTED.' }),
    contentSha256: t.exposeString('contentSha256'),
    idempotencyKey: t.exposeString('idempotencyKey', { nullable: true }),
    counts: t.field({ type: SubmissionCounts, resolve: (r) => r.counts }),
    issues: t.field({ type: [SubmissionIssue], resolve: (r) => r.issues }),
    receivedAt: t.field({ type: 'DateTime', resolve: (r) => new Date(r.receivedAt) }),
    completedAt: t.field({ type: 'DateTime', resolve: (r) => new Date(r.completedAt) }),
    receipt: t.exposeString('receipt', { description: 'Compact JWS (EdDSA) by the gateway over this report.' }),
  }),
});

const SubmitRecordsInput = builder.inputType('SubmitRecordsInput', {
  fields: (t) => ({
    format: t.string({ required: true, description: 'liaison-json, cn-mps-json, es-pn-csv, umf-xml or stix-2.1' }),
    operationCode: t.string({ required: true }),
    content: t.string({ required: true, description: 'The file as the partner sent it (UTF-8).' }),
    mode: t.field({ type: SubmissionMode, description: 'ATOMIC (default): all or nothing. PARTIAL: store the valid records.' }),
    dryRun: t.boolean({ description: 'Check everything, store nothing.' }),
    idempotencyKey: t.string({ description: 'Retrying with the same key returns the first report.' }),
  }),
});

builder.queryFields((t) => ({
  submission: t.field({
    type: Submission,
    nullable: true,
    description: "One of the caller's agency's submissions; another agency's is not found.",
    authScopes: { scope: 'records:submit' },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => findSubmission(ctx.prisma, viewerOf(ctx).agencyId, String(id)),
  }),
}));

builder.mutationFields((t) => ({
  submitRecords: t.field({
    type: Submission,
    authScopes: { scope: 'records:submit' },
    args: { input: t.arg({ type: SubmitRecordsInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const viewer = viewerOf(ctx);
      if (!ctx.ingest) throw new LiaisonError(ErrorCode.SERVICE_UNAVAILABLE, 'Submissions are not enabled on this gateway.');
      const bytes = Buffer.from(input.content, 'utf8');
      const { report } = await ingestSubmission({
        db: ctx.ingest.db,
        pseudonymKey: ctx.ingest.pseudonymKey,
        agency: { id: viewer.agencyId, code: viewer.agencyCode },
        subject: viewer.subject,
        format: input.format,
        operationCode: input.operationCode,
        mode: input.mode ?? 'ATOMIC',
        dryRun: input.dryRun ?? false,
        ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
        body: Readable.from([bytes]),
        maxBytes: ctx.ingest.maxUploadBytes,
        now: ctx.now,
        signer: ctx.ingest.signer,
        log: ctx.log,
      });
      return report;
    },
  }),
}));
