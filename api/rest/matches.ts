// POST /v1/matches (api/openapi.yaml): the governed hit/no-hit match over REST. It runs the one
// implementation (schema/match.ts, runMatch) that GraphQL's `match` runs, and answers its
// results in the documented shape (runMatch writes the audit event), with the quota left in the Quota-Remaining header; over
// the quota runMatch's RATE_LIMITED becomes 429 with Retry-After through the app's error handler.
import type { FastifyInstance } from 'fastify';
import type { PlainStatements } from '../../kernel/db.ts';
import { runMatch, type MatchRequest, type MatchResponse } from '../../schema/match.ts';
import type { TokenVerifier } from '../auth/verify-token.ts';
import type { paths } from '../openapi-types.ts';
import { authenticateRest } from './authenticate.ts';

export type MatchRouteDeps = {
  /** The gateway's plain statements (kernel/db.ts): a match is two of them. */
  prisma: PlainStatements;
  pseudonymKey: string;
  verifier: TokenVerifier;
  now: () => Date;
};

type MatchOperation = paths['/v1/matches']['post'];
type MatchBody = MatchOperation['responses'][200]['content']['application/json'];
type MatchRoute = { Body: MatchOperation['requestBody']['content']['application/json']; Reply: { 200: MatchBody } };

/** The documented answer: results only; owners by code, no internal agency ids. */
export function matchBody(response: MatchResponse): MatchBody {
  return {
    results: response.results.map(({ index, hit, hits }) => ({
      index,
      hit,
      hits: hits.map(({ hitRef, owner, recordType, own, recordId, handling, handlingNote, sourceReliability, informationAssessment }) => ({
        hitRef,
        owner,
        recordType,
        own,
        recordId,
        handling,
        handlingNote,
        sourceReliability,
        informationAssessment,
      })),
    })),
  };
}

export function registerMatchRoutes(fastify: FastifyInstance, deps: MatchRouteDeps): void {
  fastify.post<MatchRoute>('/v1/matches', async (request, reply) => {
    // The request's instant decides which disclosure grants are live (schema/sharing.ts).
    const viewer = { ...(await authenticateRest(request, deps.verifier, 'match:query')), at: deps.now() };
    const response = await runMatch(deps.prisma, viewer, (request.body ?? {}) as MatchRequest, { pseudonymKey: deps.pseudonymKey, now: deps.now });
    reply.header('quota-remaining', String(response.quotaRemaining));
    return matchBody(response);
  });
}
