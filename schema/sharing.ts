// The sharing rules (docs/security.md) as Prisma `where` fragments built from the viewer. Every
// read path (lists, totalCount, node(id), nested relations, REST) filters through these,
// so a hidden record is never loaded and looks exactly like a missing one.
//   owner: always; CLEAR/GREEN: every active partner; AMBER: participants of the record's
//   operation; RED: owner only. Retracted records vanish for everyone but their owner.
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
        ],
      },
    ],
  };
}

/** Operations (and their summaries) are visible to their joined participants; the lead is one. */
export function visibleOperationWhere(viewer: Viewer) {
  return { participants: { some: { agencyId: viewer.agencyId, joinedAt: { not: null } } } };
}
