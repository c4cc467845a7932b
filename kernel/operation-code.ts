// Naming an operation. Operation codes are unique per lead agency only (so that choosing a code
// tells a partner nothing about other agencies' operations): `CODE` names an operation among
// those a caller may reach, and `LEAD/CODE` (ES-PN/FIRST-LIGHT-2022) names exactly one. Every
// floor that takes an operation code from a caller (GraphQL, REST submissions, the CLI)
// resolves it here, always within a `where` that admits only what that caller may reach, so
// neither a miss nor an ambiguity says anything about operations outside it.
import type { Prisma } from '../prisma/generated/client/client.ts';
import { ErrorCode, LiaisonError } from './errors.ts';

/** Longer than any `LEAD/CODE` (an agency code is at most 40, an operation code 63). */
export const MAX_OPERATION_REF_LENGTH = 110;

export const qualifiedOperationCode = (leadCode: string, code: string): string => `${leadCode}/${code}`;

/** The operations a reference names: `CODE` whatever the lead, `LEAD/CODE` of that lead. */
export function operationCodeWhere(ref: string): Prisma.OperationWhereInput {
  const slash = ref.indexOf('/');
  if (slash < 0) return { code: ref };
  return { code: ref.slice(slash + 1), lead: { is: { code: ref.slice(0, slash) } } };
}

export type NamedOperation = { id: string; code: string; leadId: string; lead: { code: string } };

/**
 * The one operation `ref` names among those `within` admits, or null. A bare code that names
 * two of them (two leads chose it, the caller reaches both) is refused as ambiguous, naming
 * `field`; only operations the caller reaches are counted, so this reveals nothing else.
 */
export async function findNamedOperation(
  db: { operation: Pick<Prisma.TransactionClient['operation'], 'findMany'> },
  ref: string,
  within: Prisma.OperationWhereInput,
  field: string,
): Promise<NamedOperation | null> {
  if (ref.length === 0 || ref.length > MAX_OPERATION_REF_LENGTH) return null;
  const found = await db.operation.findMany({
    where: { AND: [operationCodeWhere(ref), within] },
    select: { id: true, code: true, leadId: true, lead: { select: { code: true } } },
    orderBy: { id: 'asc' },
    take: 2,
  });
  if (found.length > 1) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `Operation code ${found[0]!.code} names more than one of your operations.`, {
      issues: [{ field, code: 'AMBIGUOUS_OPERATION', message: 'name it as LEAD/CODE, e.g. ES-PN/FIRST-LIGHT-2022' }],
    });
  }
  return found[0] ?? null;
}
