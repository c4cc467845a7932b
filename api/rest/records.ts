// The REST side of a record's lifecycle (api/openapi.yaml): the owner retracts one of its
// records. The route runs the one implementation in schema/retraction.ts that GraphQL's
// retractRecord runs; another agency's record answers 404 exactly like a missing id.
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { retractRecord } from '../../schema/retraction.ts';
import type { components, paths } from '../openapi-types.ts';
import type { TokenVerifier } from '../auth/verify-token.ts';
import { authenticateRest } from './authenticate.ts';

export type RecordRouteDeps = { prisma: PrismaClient; verifier: TokenVerifier; now: () => Date };

type RetractionBody = paths['/v1/records/{id}/retraction']['post']['requestBody']['content']['application/json'];

export function registerRecordRoutes(fastify: FastifyInstance, deps: RecordRouteDeps): void {
  fastify.post<{ Params: { id: string }; Body: RetractionBody }>('/v1/records/:id/retraction', async (request): Promise<components['schemas']['Retraction']> => {
    const viewer = await authenticateRest(request, deps.verifier, 'records:submit');
    const body = (request.body ?? {}) as Partial<RetractionBody>;
    const done = await retractRecord(deps.prisma, viewer, { id: request.params.id, reason: body.reason as string }, { now: deps.now });
    return { ...done, retractedAt: done.retractedAt.toISOString() };
  });
}
