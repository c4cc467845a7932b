// The schema-evolution guard used by tests/docs/schema-evolution.test.ts: which BREAKING
// changes between the released SDL (schema/released/) and the current one are not recorded
// in docs/CHANGELOG.md. A change is recorded when a line under the heading
// "## Unreleased — breaking" holds its path in backticks, e.g. "- `Query.agencies`: removed".
import { buildSchema } from 'graphql';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';

export const BREAKING_HEADING = /^## Unreleased — breaking\s*$/;

/** The backticked paths listed under the "Unreleased — breaking" heading. */
export function recordedBreakingPaths(changelog: string): Set<string> {
  const paths = new Set<string>();
  let inSection = false;
  for (const line of changelog.split('\n')) {
    if (line.startsWith('## ')) inSection = BREAKING_HEADING.test(line);
    else if (inSection) for (const m of line.matchAll(/`([^`]+)`/g)) paths.add(m[1]!);
  }
  return paths;
}

export async function breakingChanges(releasedSdl: string, currentSdl: string): Promise<Change[]> {
  const changes = await diff(buildSchema(releasedSdl), buildSchema(currentSdl));
  return changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
}

/** Breaking changes the changelog does not record: path and message, for a readable failure. */
export async function unrecordedBreakingChanges(releasedSdl: string, currentSdl: string, changelog: string) {
  const recorded = recordedBreakingPaths(changelog);
  return (await breakingChanges(releasedSdl, currentSdl))
    .map((c) => ({ path: c.path ?? c.type, message: c.message }))
    .filter((c) => !recorded.has(c.path));
}
