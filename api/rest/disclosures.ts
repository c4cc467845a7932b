// The REST side of disclosure (api/openapi.yaml): request a hit's record, list and read
// requests, and — the owner only — decide and revoke. Each route runs the one implementation in
// schema/disclosure.ts that GraphQL runs; a request of other agencies answers 404 exactly like
// a missing id. Reading a request shows its record while the sharing rules, the request's
// grant included, let the caller see it.
import type { FastifyInstance } from 'fastify';
import type { AuditSink } from '../../kernel/audit.ts';
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import type { Viewer } from '../../kernel/viewer.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import {
  DISCLOSURE_STATUSES,
  decideDisclosure,
  disclosedRecord,
  findDisclosureRequest,
  listDisclosureRequests,
  requestDisclosure,
  revokeDisclosure,
  type DisclosureServices,
  type DisclosureStatus,
  type DisclosureView,
} from '../../schema/disclosure.ts';
import { formatDate } from '../../schema/scalars.ts';
import type { components, paths } from '../openapi-types.ts';
import type { TokenVerifier } from '../auth/verify-token.ts';
import { authenticateRest } from './authenticate.ts';

export type DisclosureRouteDeps = {
  prisma: PrismaClient;
  verifier: TokenVerifier;
  audit: AuditSink;
  now: () => Date;
  /** LIAISON_DISCLOSURE_DUE_HOURS. */
  dueHours: number;
};

type RequestBody = components['schemas']['DisclosureRequest'];
type Json<Op> = Op extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;
type ListQuery = { [K in keyof NonNullable<paths['/v1/disclosure-requests']['get']['parameters']['query']>]?: string };
type IdParams = { id: string };

const STATUSES: ReadonlySet<string> = new Set(DISCLOSURE_STATUSES);

/** The documented JSON of a request (dates as ISO text), with its record when visible. */
async function bodyOf(deps: DisclosureRouteDeps, viewer: Viewer, request: DisclosureView, withRecord = false): Promise<RequestBody> {
  const record = withRecord ? await disclosedRecord(deps.prisma, { ...viewer, at: deps.now() }, request) : null;
  return {
    id: request.id,
    status: request.status,
    direction: request.direction,
    requester: request.requester,
    owner: request.owner,
    recordType: request.recordType,
    recordId: request.recordId,
    justification: request.justification,
    legalBasis: request.legalBasis,
    createdAt: request.createdAt.toISOString(),
    dueAt: request.dueAt.toISOString(),
    decidedAt: request.decidedAt?.toISOString() ?? null,
    reason: request.reason,
    expiresOn: request.expiresOn ? formatDate(request.expiresOn) : null,
    ...(record ? { record } : {}),
  };
}

const badInput = (field: string, message: string) => new LiaisonError(ErrorCode.BAD_USER_INPUT, message, { issues: [{ field, code: 'INVALID' }] });

/** `expiresOn` as a calendar date, or a BAD_USER_INPUT naming it. */
function parseExpiresOn(text: unknown): Date | null {
  if (text === undefined || text === null) return null;
  const date = typeof text === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : null;
  if (!date || Number.isNaN(date.getTime()) || formatDate(date) !== text) throw badInput('expiresOn', 'expiresOn must be a date YYYY-MM-DD.');
  return date;
}

function parseList(query: ListQuery): { direction: 'INCOMING' | 'OUTGOING'; status?: DisclosureStatus; first?: number } {
  const direction = query.direction?.toUpperCase();
  if (direction !== 'INCOMING' && direction !== 'OUTGOING') throw badInput('direction', 'direction must be incoming or outgoing.');
  if (query.status !== undefined && !STATUSES.has(query.status)) throw badInput('status', `status must be one of ${DISCLOSURE_STATUSES.join(', ')}.`);
  if (query.first !== undefined && !/^[0-9]{1,3}$/.test(query.first)) throw badInput('first', 'first must be a number from 1 to 100.');
  return {
    direction,
    ...(query.status ? { status: query.status as DisclosureStatus } : {}),
    ...(query.first ? { first: Number(query.first) } : {}),
  };
}

export function registerDisclosureRoutes(fastify: FastifyInstance, deps: DisclosureRouteDeps): void {
  const services: DisclosureServices = { now: deps.now, dueHours: deps.dueHours };
  const audited = (viewer: Viewer, action: string, target?: string) =>
    deps.audit.append({ agencyCode: viewer.agencyCode, subject: viewer.subject, action, ...(target ? { target } : {}), outcome: 'ok', detail: { jti: viewer.jti } });

  fastify.post<{ Body: Json<paths['/v1/disclosure-requests']['post']> }>('/v1/disclosure-requests', async (request, reply) => {
    const viewer = await authenticateRest(request, deps.verifier, 'match:query');
    const body = (request.body ?? {}) as Partial<Json<paths['/v1/disclosure-requests']['post']>>;
    const { request: made, created } = await requestDisclosure(
      deps.prisma,
      viewer,
      { hitRef: body.hitRef as string, justification: body.justification as string, legalBasis: body.legalBasis as string },
      services,
    );
    if (created) reply.status(201).header('location', `/v1/disclosure-requests/${made.id}`);
    return bodyOf(deps, viewer, made);
  });

  fastify.get<{ Querystring: ListQuery }>('/v1/disclosure-requests', async (request) => {
    const viewer = await authenticateRest(request, deps.verifier, 'records:read');
    const requests = await listDisclosureRequests(deps.prisma, viewer, parseList(request.query), services);
    await audited(viewer, 'disclosure.list');
    return { requests: await Promise.all(requests.map((r) => bodyOf(deps, viewer, r))) };
  });

  fastify.get<{ Params: IdParams }>('/v1/disclosure-requests/:id', async (request) => {
    const viewer = await authenticateRest(request, deps.verifier, 'records:read');
    const found = await findDisclosureRequest(deps.prisma, viewer, request.params.id, services);
    if (!found) throw new LiaisonError(ErrorCode.NOT_FOUND, 'No such disclosure request.');
    await audited(viewer, 'disclosure.read', found.id);
    return bodyOf(deps, viewer, found, true);
  });

  fastify.post<{ Params: IdParams; Body: Json<paths['/v1/disclosure-requests/{id}/decision']['post']> }>(
    '/v1/disclosure-requests/:id/decision',
    async (request) => {
      const viewer = await authenticateRest(request, deps.verifier, 'records:submit');
      const body = (request.body ?? {}) as Partial<Json<paths['/v1/disclosure-requests/{id}/decision']['post']>>;
      const decided = await decideDisclosure(
        deps.prisma,
        viewer,
        { id: request.params.id, decision: body.decision as 'APPROVE', reason: body.reason as string, expiresOn: parseExpiresOn(body.expiresOn) },
        services,
      );
      return bodyOf(deps, viewer, decided, true);
    },
  );

  fastify.post<{ Params: IdParams }>('/v1/disclosure-requests/:id/revocation', async (request) => {
    const viewer = await authenticateRest(request, deps.verifier, 'records:submit');
    return bodyOf(deps, viewer, await revokeDisclosure(deps.prisma, viewer, request.params.id, services));
  });
}
