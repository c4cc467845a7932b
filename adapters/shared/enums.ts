// Value tables: a partner's spelling → a shared enum value. Lookup ignores case, accents and
// surrounding spaces (docs/formats/); a value the table does not list is UNKNOWN_VALUE,
// never a silent OTHER. Each adapter declares its tables in its map.ts with `valueTable`;
// formats that already use the shared names build theirs with `sharedNames`.
import { foldForMatch } from './text.ts';
import { fail, ok, type Result } from './issues.ts';

/**
 * Folded spelling → shared value, plus the spellings as the format writes them (what an
 * UNKNOWN_VALUE issue lists as allowed, and what the officer docs must list).
 */
export type ValueTable<T extends string> = ReadonlyMap<string, T> & {
  readonly spellings: ReadonlyMap<string, T>;
  /** Raw spellings already matched (matchValue): a file repeats a handful of them on every record. */
  readonly matched: Map<string, T>;
};

function tableOf<T extends string>(entries: Iterable<readonly [string, T]>): ValueTable<T> {
  const table = new Map<string, T>();
  const spellings = new Map<string, T>();
  for (const [name, value] of entries) {
    const key = foldForMatch(name);
    if (table.has(key)) throw new Error(`value table lists "${name}" twice`);
    table.set(key, value);
    spellings.set(name, value);
  }
  return Object.assign(table, { spellings, matched: new Map<string, T>() });
}

/** Builds a table from `{ SHARED_VALUE: [spellings…] }`. Throws at load on a spelling listed twice. */
export function valueTable<T extends string>(spellings: Record<T, readonly string[]>): ValueTable<T> {
  return tableOf(
    (Object.entries(spellings) as [T, readonly string[]][]).flatMap(([value, names]) => names.map((name) => [name, value] as const)),
  );
}

/** The table of a format that spells values with the shared enum names themselves. */
export function sharedNames<T extends string>(values: readonly T[]): ValueTable<T> {
  return tableOf(values.map((value) => [value, value] as const));
}

/** The spellings a table accepts, as the format writes them. */
export const spellingsOf = <T extends string>(table: ValueTable<T>): string[] => [...table.spellings.keys()];

/** Distinct raw spellings a table keeps matched; past it, a spelling is folded each time as before. */
const MATCHED_PER_TABLE = 256;

export function matchValue<T extends string>(table: ValueTable<T>, raw: string): Result<T, 'UNKNOWN_VALUE'> {
  const known = table.matched.get(raw);
  if (known !== undefined) return ok(known);
  const value = table.get(foldForMatch(raw));
  if (value === undefined) return fail('UNKNOWN_VALUE', { allowed: [...table.spellings.keys()] });
  if (table.matched.size < MATCHED_PER_TABLE) table.matched.set(raw, value);
  return ok(value);
}
