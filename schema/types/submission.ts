// Submissions over GraphQL: `submitRecords` (the file as a string, for small files and
// integrators; large files go to POST /v1/submissions, which streams) and `submission(id)`.
// Both run the same ingest pipeline as REST and return the same signed report.
import { Readable } from 'node:stream';
import { z } from 'zod';
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import { findSubmission, ingestSubmission } from '../../ingest/pipeline.ts';
import { parseSubmissionDefaults } from '../../ingest/defaults.ts';
import { ingestLimits } from '../../ingest/services.ts';
import {
  reportIssueSchema,
  submissionCountsSchema,
  submissionReportSchema,
  type ReportIssue,
  type SubmissionCounts as Counts,
  type SubmissionReport,
} from '../../ingest/report.ts';
import { builder } from '../builder.ts';
import { summariesBeforeCommit } from '../operations.ts';
import { HandlingCode, PartnerFormat, SubmissionMode, SubmissionStatus } from './enums.ts';
import { viewerOf, type Types } from './records.ts';

// The report types are built from the one definition of the report (ingest/report.ts): every
// property becomes a field with its description, optional or nullable ones nullable. A field
// whose GraphQL type is richer than its JSON one (an enum, DateTime, a nested object) is given
// explicitly below, but keeps the definition's name, description and nullability.

type JsonProperty = { type?: string | string[]; items?: { type?: string }; description?: string };
type ReportFieldType = 'Int' | 'String' | 'Boolean' | ['String'];
type FieldBuilderOf<Shape> = PothosSchemaTypes.ObjectFieldBuilder<Types, Shape>;

/** The GraphQL type of a plain JSON property (string, integer, boolean, array of strings). */
function graphqlTypeOf(name: string, property: JsonProperty): ReportFieldType {
  const type = [property.type].flat().find((t) => t !== 'null');
  if (type === 'integer') return 'Int';
  if (type === 'string') return 'String';
  if (type === 'boolean') return 'Boolean';
  if (type === 'array' && property.items?.type === 'string') return ['String'];
  throw new Error(`report field ${name}: no plain GraphQL type for ${JSON.stringify(property)}; give it explicitly`);
}

/** Name, description and nullability of each property of a report object, in definition order. */
export function reportFieldsOf(schema: z.ZodObject) {
  const json = z.toJSONSchema(schema) as { properties: Record<string, JsonProperty>; required?: string[] };
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties).map(([name, property]) => ({
    name,
    property,
    description: property.description,
    nullable: !required.has(name) || [property.type].flat().includes('null'),
  }));
}

function reportFields<Shape extends object>(
  t: FieldBuilderOf<Shape>,
  schema: z.ZodObject,
  explicit: Record<string, (options: { description?: string; nullable: boolean }) => unknown> = {},
) {
  const fields = reportFieldsOf(schema);
  const unknown = Object.keys(explicit).filter((name) => !fields.some((f) => f.name === name));
  if (unknown.length > 0) throw new Error(`report fields ${unknown.join(', ')} are not in the report definition (ingest/report.ts)`);
  return Object.fromEntries(
    fields.map(({ name, property, description, nullable }) => {
      const options = { nullable, ...(description ? { description } : {}) };
      const make = explicit[name];
      if (make) return [name, make(options)];
      const type = graphqlTypeOf(name, property);
      return [name, t.field({ type, ...options, resolve: (parent) => (parent as Record<string, never>)[name] })];
    }),
  ) as Record<string, ReturnType<FieldBuilderOf<Shape>['field']>>;
}

const SubmissionCounts = builder.objectRef<Counts>('SubmissionCounts').implement({
  description: submissionCountsSchema.description,
  fields: (t) => reportFields(t, submissionCountsSchema),
});

const SubmissionIssue = builder.objectRef<ReportIssue>('SubmissionIssue').implement({
  description: reportIssueSchema.description,
  fields: (t) => reportFields(t, reportIssueSchema),
});

const Submission = builder.objectRef<SubmissionReport>('Submission').implement({
  description: `${submissionReportSchema.description} Verify \`receipt\` with /.well-known/jwks.json.`,
  fields: (t) =>
    reportFields(t, submissionReportSchema, {
      id: (o) => t.exposeID('id', o),
      format: (o) => t.field({ type: PartnerFormat, ...o, resolve: (r) => r.format }),
      mode: (o) => t.field({ type: SubmissionMode, ...o, resolve: (r) => r.mode }),
      status: (o) => t.field({ type: SubmissionStatus, ...o, resolve: (r) => r.status }),
      counts: (o) => t.field({ type: SubmissionCounts, ...o, resolve: (r) => r.counts }),
      issues: (o) => t.field({ type: [SubmissionIssue], ...o, resolve: (r) => r.issues }),
      receivedAt: (o) => t.field({ type: 'DateTime', ...o, resolve: (r) => new Date(r.receivedAt) }),
      completedAt: (o) => t.field({ type: 'DateTime', ...o, resolve: (r) => new Date(r.completedAt) }),
    }),
});

const SubmitRecordsInput = builder.inputType('SubmitRecordsInput', {
  fields: (t) => ({
    format: t.field({ type: PartnerFormat, required: true, description: 'The format of `content`.' }),
    operationCode: t.string({ required: true }),
    content: t.string({ required: true, description: 'The file as the partner sent it (UTF-8).' }),
    mode: t.field({ type: SubmissionMode, description: 'ATOMIC (default): all or nothing. PARTIAL: store the valid records.' }),
    dryRun: t.boolean({ description: 'Check everything, store nothing.' }),
    handling: t.field({
      type: HandlingCode,
      description: 'Handling code for the records that carry none of their own (H0–H2; H3 is set per record, with its note).',
    }),
    evaluation: t.string({ description: 'Evaluation for the records that carry none of their own: source reliability then information assessment, e.g. B2.' }),
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
      const defaults = parseSubmissionDefaults({ handling: input.handling, evaluation: input.evaluation });
      const bytes = Buffer.from(input.content, 'utf8');
      // An ingestion is bulk work: from here this request no longer holds other ingestions back.
      ctx.edge.leaveForeground?.();
      const { report } = await ingestSubmission({
        db: ctx.ingest.db,
        pseudonymKey: ctx.ingest.pseudonymKey,
        agency: { id: viewer.agencyId, code: viewer.agencyCode },
        subject: viewer.subject,
        format: input.format,
        operationCode: input.operationCode,
        mode: input.mode ?? 'ATOMIC',
        dryRun: input.dryRun ?? false,
        ...(defaults ? { defaults } : {}),
        ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
        body: Readable.from([bytes]),
        ...ingestLimits(ctx.ingest),
        now: ctx.now,
        signer: ctx.ingest.signer,
        log: ctx.log,
        beforeCommit: (tx, operationId) => summariesBeforeCommit(ctx.prisma, tx, operationId),
      });
      return report;
    },
  }),
}));
