// The sharing rules (docs/security.md) as Prisma `where` fragments built from the viewer. Every
// read path (lists, totalCount, node(id), nested relations, REST) filters through these,
// so a hidden record is never loaded and looks exactly like a missing one.
//   owner: always; CLEAR/GREEN: every active partner; AMBER: participants of the record's
//   operation; RED: owner only; any level: an agency holding a live disclosure grant for that
//   very record (schema/disclosure.ts). Retracted records vanish for everyone but their owner.
//   A participant is an agency that joined: an invited agency counts once it accepts.
import type { Viewer } from './context.ts';

/** Visibility of a shared record (ScamDen, Suspect, InterceptedFund: same provenance columns). */
export function visibleRecordWhere(viewer: Viewer) {
  return {
    OR: [
      { ownerId: viewer.agencyId },
      {
        retractedAt: null,
        OR: [
          { sharingLevel: { in: ['CLEAR' as const, 'GREEN' as const] } },
          {
            sharingLevel: 'AMBER' as const,
            operation: { is: { participants: { some: { agencyId: viewer.agencyId, joinedAt: { not: null } } } } },
          },
          { grants: { some: liveGrantWhere(viewer) } },
        ],
      },
    ],
  };
}

/**
 * A disclosure grant to the viewer's agency that is neither revoked nor expired at the
 * request's instant (`viewer.at`; the current time for a viewer built outside a request).
 */
export function liveGrantWhere(viewer: Viewer) {
  const at = viewer.at ?? new Date();
  return { granteeId: viewer.agencyId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: at } }] };
}

/** Operations (and their summaries) are visible to their joined participants; the lead is one. */
export function visibleOperationWhere(viewer: Viewer) {
  return { participants: { some: { agencyId: viewer.agencyId, joinedAt: { not: null } } } };
}

/** Positional parameters of one SQL statement: values are only ever bound, never written into the text. */
export class SqlParams {
  readonly values: unknown[] = [];
  private readonly named = new Map<string, string>();
  /** `$n::cast` for `value`, a new position each call. */
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
  /** One position shared by every use of the same named value (the viewer's agency, the request's instant). */
  shared(name: string, value: unknown, cast: string): string {
    let placeholder = this.named.get(name);
    if (placeholder === undefined) {
      placeholder = this.add(value, cast);
      this.named.set(name, placeholder);
    }
    return placeholder;
  }
}

/** The grant column of record_grant naming a record of each table. */
const GRANT_COLUMN = { scam_den: 'scam_den_id', suspect: 'suspect_id', intercepted_fund: 'intercepted_fund_id' } as const;
export type RecordTable = keyof typeof GRANT_COLUMN;

/**
 * visibleRecordWhere as one SQL condition over the row `alias` of `table`, for the compiled
 * reads (schema/compiled/): the same rules, clause for clause, with the viewer and the
 * request's instant bound as parameters. `table` and `alias` come from the compiler, never from input.
 */
export function visibleRecordSql(viewer: Viewer, table: RecordTable, alias: string, params: SqlParams): string {
  const agency = params.shared('viewer', viewer.agencyId, 'uuid');
  const at = params.shared('at', (viewer.at ?? new Date()).toISOString(), 'timestamptz');
  return `(${alias}.owner_id = ${agency} OR (${alias}.retracted_at IS NULL AND (
    ${alias}.sharing_level IN ('CLEAR', 'GREEN')
    OR (${alias}.sharing_level = 'AMBER' AND EXISTS (SELECT 1 FROM operation_participant vp
         WHERE vp.operation_id = ${alias}.operation_id AND vp.agency_id = ${agency} AND vp.joined_at IS NOT NULL))
    OR EXISTS (SELECT 1 FROM record_grant vg WHERE vg.${GRANT_COLUMN[table]} = ${alias}.id AND vg.grantee_id = ${agency}
         AND vg.revoked_at IS NULL AND (vg.expires_at IS NULL OR vg.expires_at > ${at})))))`;
}

/** visibleOperationWhere as SQL over the operation id `operationId` (a column reference). */
export function visibleOperationSql(viewer: Viewer, operationId: string, params: SqlParams): string {
  const agency = params.shared('viewer', viewer.agencyId, 'uuid');
  return `EXISTS (SELECT 1 FROM operation_participant op WHERE op.operation_id = ${operationId} AND op.agency_id = ${agency} AND op.joined_at IS NOT NULL)`;
}
