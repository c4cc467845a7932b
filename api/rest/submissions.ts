// The REST side of submissions (api/openapi.yaml): POST /v1/submissions streams
// the partner file into the ingest pipeline without buffering it, GET /v1/submissions/{id}
// returns the owner's report, GET /.well-known/jwks.json publishes the keys that verify
// receipts. Errors are application/problem+json through the app's error handler. Query,
// headers and reply bodies are typed from `paths` of api/openapi-types.ts (generated from
// api/openapi.yaml), so a change of the contract that the handlers do not follow fails to compile.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JWK } from 'jose';
import { getAdapter } from '../../adapters/index.ts';
import { findSubmission, ingestSubmission } from '../../ingest/pipeline.ts';
import { parseSubmissionDefaults } from '../../ingest/defaults.ts';
import { ingestLimits, type IngestServices } from '../../ingest/services.ts';
import { uploadTooLarge } from '../../ingest/spool.ts';
import type { AuditSink } from '../../kernel/audit.ts';
import type { TokenVerifier } from '../auth/verify-token.ts';
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import { isUuid } from '../../kernel/ids.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { SubmissionMode } from '../../prisma/generated/client/enums.ts';
import type { paths } from '../openapi-types.ts';
import { summariesBeforeCommit } from '../../schema/operations.ts';
import { authenticateRest } from './authenticate.ts';

export type SubmissionRouteDeps = IngestServices & {
  verifier: TokenVerifier;
  audit: AuditSink;
  logger: Logger;
  now: () => Date;
};

type SubmitOperation = paths['/v1/submissions']['post'];
type ReadOperation = paths['/v1/submissions/{id}']['get'];
type JwksOperation = paths['/.well-known/jwks.json']['get'];
/** The application/json body of a documented response. */
type JsonBody<R> = R extends { content: { 'application/json': infer B } } ? B : never;
/** Query parameters arrive as text and are checked here (coded errors, not Fastify's schema errors). */
type RawQuery<Q> = { [K in keyof Q]?: string };
/** Node lower-cases header names; a repeated header arrives as an array. */
type RawHeaders<H> = { [K in keyof H as Lowercase<K & string>]?: string | string[] };

type SubmitRoute = {
  Querystring: RawQuery<SubmitOperation['parameters']['query']>;
  Headers: RawHeaders<NonNullable<SubmitOperation['parameters']['header']>>;
  // The status is the pipeline's (201, 200 replay, 422 REJECTED), so the body is their union.
  Reply:
    | JsonBody<SubmitOperation['responses'][200]>
    | JsonBody<SubmitOperation['responses'][201]>
    | JsonBody<SubmitOperation['responses'][422]>;
};
type ReadRoute = {
  Params: ReadOperation['parameters']['path'];
  Reply: { 200: JsonBody<ReadOperation['responses'][200]> };
};
type GatewayJwks = JsonBody<JwksOperation['responses'][200]>;
type JwksRoute = { Reply: { 200: GatewayJwks } };

/**
 * The signer's public keys in the documented shape: exactly the members of an Ed25519 public
 * JWK (what the signer publishes), so no other member can ever leave by this route.
 */
function documentedJwks({ keys }: { keys: JWK[] }): GatewayJwks {
  return {
    keys: keys.map(({ kty, crv, x, kid, alg, use }) => {
      if (!kty || !kid || use !== 'sig') throw new Error('a gateway key without kty, kid or use=sig');
      return { kty, crv, x, kid, alg, use: 'sig' as const };
    }),
  };
}

const MODES: ReadonlySet<string> = new Set(Object.values(SubmissionMode));

function badQuery(field: string, message: string): LiaisonError {
  return new LiaisonError(ErrorCode.BAD_USER_INPUT, message, { issues: [{ field, code: 'INVALID' }] });
}

/** The media type the client declared must be one its format is sent as (FIL-10). */
function checkMediaType(request: FastifyRequest, mediaTypes: readonly string[]): void {
  const declared = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (declared && declared !== 'application/octet-stream' && !mediaTypes.includes(declared)) {
    throw new LiaisonError(ErrorCode.UNSUPPORTED_FORMAT, `Content-Type ${declared} does not match the format.`, {
      issues: [{ field: 'Content-Type', code: 'MEDIA_TYPE_MISMATCH' }],
    });
  }
  if ((request.headers['content-encoding'] ?? 'identity') !== 'identity') {
    throw new LiaisonError(ErrorCode.UNSUPPORTED_FORMAT, 'Compressed uploads are not accepted.', {
      issues: [{ field: 'Content-Encoding', code: 'UNSUPPORTED_ENCODING' }],
    });
  }
}

/**
 * What a 404 submission id really was, for the audit row of the refusal (api/rest/refusal-audit.ts)
 * and never for the caller, whose answer is the same 404 in every case (AUZ-08).
 */
async function submissionFinding(prisma: PrismaClient, agencyId: string, id: string): Promise<string> {
  if (!isUuid(id)) return 'malformed_id';
  const others = await prisma.submission.count({ where: { id, NOT: { agencyId } } });
  return others > 0 ? 'another_agency' : 'no_such_submission';
}

export function registerSubmissionRoutes(fastify: FastifyInstance, deps: SubmissionRouteDeps): void {
  fastify.register(async (scope) => {
    // Hand the body over as a stream: the pipeline enforces the size limit while reading.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    scope.post<SubmitRoute>(
      '/v1/submissions',
      async (request, reply) => {
        const viewer = await authenticateRest(request, deps.verifier, 'records:submit');
        const { format, operation, mode = 'ATOMIC', dryRun = 'false', handling, evaluation } = request.query;
        if (!format) throw badQuery('format', 'Query parameter format is required.');
        const adapter = getAdapter(format);
        if (!adapter) {
          throw new LiaisonError(ErrorCode.UNSUPPORTED_FORMAT, `Unknown format ${JSON.stringify(format.slice(0, 40))}.`, {
            issues: [{ field: 'format', code: 'UNKNOWN_FORMAT' }],
          });
        }
        if (!operation) throw badQuery('operation', 'Query parameter operation is required.');
        if (!MODES.has(mode)) throw badQuery('mode', 'mode must be ATOMIC or PARTIAL.');
        if (dryRun !== 'true' && dryRun !== 'false') throw badQuery('dryRun', 'dryRun must be true or false.');
        const defaults = parseSubmissionDefaults({ handling, evaluation });
        checkMediaType(request, adapter.mediaTypes);
        const declaredLength = Number(request.headers['content-length'] ?? 0);
        if (declaredLength > deps.maxUploadBytes) {
          throw uploadTooLarge(deps.maxUploadBytes);
        }
        const idempotencyKey = request.headers['idempotency-key'];
        if (Array.isArray(idempotencyKey)) throw badQuery('Idempotency-Key', 'Send one Idempotency-Key.');

        const result = await ingestSubmission({
          db: deps.db,
          pseudonymKey: deps.pseudonymKey,
          agency: { id: viewer.agencyId, code: viewer.agencyCode },
          subject: viewer.subject,
          format,
          operationCode: operation,
          mode: mode as SubmissionMode,
          dryRun: dryRun === 'true',
          ...(defaults ? { defaults } : {}),
          ...(idempotencyKey ? { idempotencyKey } : {}),
          body: request.body as AsyncIterable<Uint8Array>,
          ...ingestLimits(deps),
          now: deps.now,
          signer: deps.signer,
          log: request.log as Logger,
          beforeCommit: (tx, operationId) => summariesBeforeCommit(deps.db.prisma, tx, operationId),
        });
        const { report } = result;
        await deps.audit.append({
          agencyCode: viewer.agencyCode,
          subject: viewer.subject,
          action: report.dryRun ? 'submission.dry-run' : 'submission.create',
          target: report.id,
          outcome: report.status === 'ACCEPTED' ? 'ok' : 'denied',
          detail: { format, operation, counts: report.counts, replayed: result.replayed, jti: viewer.jti },
        });
        return reply
          .status(result.status)
          .header('location', `/v1/submissions/${report.id}`)
          .type('application/json')
          .send(report);
      },
    );
  });

  fastify.get<ReadRoute>('/v1/submissions/:id', async (request) => {
    const viewer = await authenticateRest(request, deps.verifier, 'records:submit');
    const report = await findSubmission(deps.db.prisma, viewer.agencyId, request.params.id);
    if (!report) {
      const finding = await submissionFinding(deps.db.prisma, viewer.agencyId, request.params.id);
      throw new LiaisonError(ErrorCode.NOT_FOUND, 'No such submission.', { logReason: finding });
    }
    await deps.audit.append({
      agencyCode: viewer.agencyCode,
      subject: viewer.subject,
      action: 'submission.read',
      target: report.id,
      outcome: 'ok',
      detail: { jti: viewer.jti },
    });
    return report;
  });

  fastify.get<JwksRoute>('/.well-known/jwks.json', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return documentedJwks(await deps.signer.jwks());
  });
}
