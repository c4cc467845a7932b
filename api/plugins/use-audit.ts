// Writes every authenticated GraphQL operation to the hash-chained audit log before it
// executes: if the audit log cannot be written, nothing is disclosed (LOG-07, docs/security-tests.md).
import type { DefinitionNode, DocumentNode, OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { AuditSink } from '../../kernel/audit.ts';
import type { RequestContext } from '../../schema/context.ts';
import { ErrorCode, LiaisonError } from '../../kernel/errors.ts';
import { databaseLogLine, maskError } from '../error-response.ts';

type OperationArgs = { contextValue: RequestContext; document: unknown; operationName?: string | null | undefined };

export function useAudit(audit: AuditSink): Plugin<RequestContext> {
  // A subscription is audited once, when it starts (its events are not operations).
  return {
    onExecute: ({ args }) => auditOperation(audit, args),
    onSubscribe: ({ args }) => auditOperation(audit, args),
  };
}

async function auditOperation(audit: AuditSink, args: OperationArgs): Promise<void> {
      const ctx = args.contextValue;
      if (!ctx.viewer) return;
      const operation = (args.document as DocumentNode).definitions.find(
        (d: DefinitionNode): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
      );
      const operationType = operation?.operation ?? 'query';
      const target =
        args.operationName ?? operation?.name?.value ?? 'anonymous';
      ctx.edge.operationName = target;
      try {
        await audit.append({
          agencyCode: ctx.viewer.agencyCode,
          subject: ctx.viewer.subject,
          action: `graphql.${operationType}`,
          target,
          outcome: 'ok',
          detail: { jti: ctx.viewer.jti, requestId: ctx.requestId },
        });
      } catch (cause) {
        // A database that is restarting or over its statement timeout is a retry, and says so.
        const masked = maskError(cause);
        const database = databaseLogLine(masked);
        ctx.log[database?.level ?? 'error']({ err: cause }, `audit append failed${database ? `: ${database.msg}` : ''}`);
        throw new LiaisonError(ErrorCode.SERVICE_UNAVAILABLE, 'The audit log is unavailable; try again later.', {
          headers: { 'retry-after': '5' },
          ...(database && masked.reason ? { reason: masked.reason } : {}),
          cause,
        });
      }
}
