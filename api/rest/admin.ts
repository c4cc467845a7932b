// The operator's admin API, used by the CLI's data-changing commands while `liaison serve`
// holds the embedded database (only one process may open a PGlite data directory). It
// answers on loopback only, to the operator credential that the server writes (mode 0600)
// into its data directory at start-up. It is not a partner API and is not in the OpenAPI
// contract for partners. The agency lifecycle (keys, status, scopes, JWKS URI) audits its
// changes itself, in the transaction of the change (api/agency-lifecycle.ts).
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { registerAgency, setAgencyLimits } from '../agencies.ts';
import { addAgencyKeys, listAgencyKeys, removeAgencyKey, setAgencyStatus, showAgency, updateAgency, type LifecycleActor } from '../agency-lifecycle.ts';
import { listPersistedOperations, registerPersistedOperation, setPersistedOnly } from '../persisted-operations.ts';
import type { AuditSink } from '../../kernel/audit.ts';
import type { Database } from '../../kernel/db.ts';
import { badInput, ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import { createOperation } from '../../schema/operations.ts';
import type { AgencyLimits } from '../limits/agency-limits.ts';
import { setAgencyWebhook } from '../webhooks/registry.ts';

export type AdminDeps = { operatorToken: string; audit: AuditSink };

/** Also spelled out in api/cli/support.ts, which must not load this module to start fast. */
export const OPERATOR_HEADER = 'x-liaison-operator';

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

function assertOperator(request: FastifyRequest, token: string): void {
  const presented = Buffer.from(String(request.headers[OPERATOR_HEADER] ?? ''));
  const expected = Buffer.from(token);
  const ok = presented.length === expected.length && timingSafeEqual(presented, expected);
  if (!isLoopback(request.ip) || !ok) {
    throw new LiaisonError(ErrorCode.UNAUTHENTICATED, 'Operator credential required.', {
      headers: { 'www-authenticate': 'Operator' },
    });
  }
}

const persistedInput = z.object({ document: z.string(), name: z.string().optional(), agencyCode: z.string().optional() });
const persistedOnlyInput = z.object({ agencyCode: z.string(), on: z.boolean() });

function checked<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw badInput(result.error);
  return result.data;
}

export function registerAdminRoutes(fastify: FastifyInstance, deps: AdminDeps & { db: Database; limits: AgencyLimits; webhookAllowLoopback: boolean }): void {
  fastify.register(async (admin) => {
    admin.addHook('onRequest', async (request) => assertOperator(request, deps.operatorToken));

    admin.post('/admin/v1/agencies', async (request, reply) => {
      const agency = await registerAgency(deps.db.prisma, request.body as Parameters<typeof registerAgency>[1]);
      await deps.audit.append({ subject: 'operator', action: 'agency.register', target: agency.code, outcome: 'ok' });
      return reply.status(201).send({ code: agency.code, name: agency.name, country: agency.country, scopes: agency.scopes });
    });

    admin.post('/admin/v1/operations', async (request, reply) => {
      const operation = await createOperation(deps.db.prisma, request.body as Parameters<typeof createOperation>[1]);
      await deps.audit.append({ subject: 'operator', action: 'operation.create', target: operation.code, outcome: 'ok' });
      return reply.status(201).send({ code: operation.code, name: operation.name });
    });

    admin.post('/admin/v1/agency-limits', async (request) => {
      const limits = await setAgencyLimits(deps.db.prisma, request.body as Parameters<typeof setAgencyLimits>[1]);
      // This process applies the change at once; other processes within seconds.
      deps.limits.forgetOverrides();
      await deps.audit.append({
        subject: 'operator',
        action: 'agency.limits',
        target: limits.code,
        outcome: 'ok',
        detail: { requestsPerMinute: limits.requestsPerMinute, costPerMinute: limits.costPerMinute },
      });
      return limits;
    });

    const actor: LifecycleActor = { via: 'admin-api' };
    type Body<F extends (...args: never[]) => unknown> = Parameters<F>[1];
    const codeParam = (request: FastifyRequest) => (request.params as { code: string }).code;

    admin.get('/admin/v1/agencies/:code', async (request) => showAgency(deps.db.prisma, codeParam(request)));
    admin.get('/admin/v1/agencies/:code/keys', async (request) => listAgencyKeys(deps.db.prisma, codeParam(request)));
    admin.post('/admin/v1/agency-keys', async (request, reply) =>
      reply.status(201).send(await addAgencyKeys(deps.db.prisma, request.body as Body<typeof addAgencyKeys>, actor)),
    );
    admin.post('/admin/v1/agency-keys/removal', async (request) => removeAgencyKey(deps.db.prisma, request.body as Body<typeof removeAgencyKey>, actor));
    admin.post('/admin/v1/agency-status', async (request) => setAgencyStatus(deps.db.prisma, request.body as Body<typeof setAgencyStatus>, actor));
    admin.post('/admin/v1/agency-settings', async (request) => updateAgency(deps.db.prisma, request.body as Body<typeof updateAgency>, actor));

    admin.get('/admin/v1/persisted-operations', async () => listPersistedOperations(deps.db.prisma));
    admin.post('/admin/v1/persisted-operations', async (request, reply) => {
      const input = checked(persistedInput, request.body);
      const result = await registerPersistedOperation(deps.db.prisma, input);
      await deps.audit.append({
        subject: 'operator',
        action: 'persisted.add',
        target: result.hash,
        outcome: 'ok',
        detail: { created: result.created, agency: input.agencyCode ?? null },
      });
      return reply.status(result.created ? 201 : 200).send(result);
    });
    admin.post('/admin/v1/persisted-only', async (request) => {
      const { agencyCode, on } = checked(persistedOnlyInput, request.body);
      await setPersistedOnly(deps.db.prisma, agencyCode, on);
      await deps.audit.append({ subject: 'operator', action: 'persisted.only', target: agencyCode, outcome: 'ok', detail: { on } });
      return { agencyCode, on };
    });

    admin.post('/admin/v1/agency-webhooks', async (request, reply) => {
      const set = await setAgencyWebhook(deps.db.prisma, request.body, { allowLoopback: deps.webhookAllowLoopback });
      await deps.audit.append({ subject: 'operator', action: set.url ? 'agency.webhook.set' : 'agency.webhook.remove', target: set.code, outcome: 'ok' });
      return reply.status(200).send(set);
    });
  });
}
