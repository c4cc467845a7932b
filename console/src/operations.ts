// The operations the signed-in agency can see, for the Submit and Dashboard selectors; those it
// leads or takes part in come first.
import { useEffect, useState } from 'react';
import { OperationsQuery } from './documents.ts';
import { gql } from './gateway.ts';
import type { Session } from './session.ts';

export type OperationChoice = { code: string; name: string; mine: boolean };

export function useOperations(session: Session): { operations: OperationChoice[] | null; error: unknown } {
  const [operations, setOperations] = useState<OperationChoice[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    gql(OperationsQuery, {})
      .then(({ operations: page }) => {
        const choices = page.edges.map(({ node }) => ({
          code: node.code,
          name: node.name,
          mine: node.lead.code === session.agency || node.participants.some((p) => p.code === session.agency),
        }));
        if (live) setOperations(choices.sort((a, b) => Number(b.mine) - Number(a.mine) || a.code.localeCompare(b.code)));
      })
      .catch((caught: unknown) => live && setError(caught));
    return () => {
      live = false;
    };
  }, [session]);
  return { operations, error };
}
