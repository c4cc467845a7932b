// The scopes a partner token may carry (docs/partner-onboarding.md). A token's `scope`
// claim is intersected with this list and with the agency's allowed scopes; anything
// else in the claim is ignored rather than refused.
export const SCOPES = ['records:read', 'records:submit', 'match:query', 'operations:manage', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const known: ReadonlySet<string> = new Set(SCOPES);

export const isScope = (value: unknown): value is Scope => typeof value === 'string' && known.has(value);

/** Scopes named by a space-separated `scope` claim that the agency is also allowed. */
export function grantedScopes(scopeClaim: string | undefined, allowed: readonly string[]): Scope[] {
  if (!scopeClaim) return [];
  const allowedSet = new Set(allowed);
  const granted = new Set<Scope>();
  for (const item of scopeClaim.split(' ')) {
    if (isScope(item) && allowedSet.has(item)) granted.add(item);
  }
  return SCOPES.filter((s) => granted.has(s));
}
