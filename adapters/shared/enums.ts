// Value tables: a partner's spelling → a shared enum value. Lookup ignores case, accents and
// surrounding spaces (formats/README.md); a value the table does not list is UNKNOWN_VALUE,
// never a silent OTHER. Each adapter declares its tables in its map.ts with `valueTable`;
// formats that already use the shared names build theirs with `sharedNames`.
import { foldForMatch } from './text.ts';
import { fail, ok, type Result } from './issues.ts';

export type ValueTable<T extends string> = ReadonlyMap<string, T>;

/** Builds a table from `{ SHARED_VALUE: [spellings…] }`. Throws at load on a spelling listed twice. */
export function valueTable<T extends string>(spellings: Record<T, readonly string[]>): ValueTable<T> {
  const table = new Map<string, T>();
  for (const [value, names] of Object.entries(spellings) as [T, readonly string[]][]) {
    for (const name of names) {
      const key = foldForMatch(name);
      if (table.has(key)) throw new Error(`value table lists "${name}" twice`);
      table.set(key, value);
    }
  }
  return table;
}

/** The table of a format that spells values with the shared enum names themselves. */
export function sharedNames<T extends string>(values: readonly T[]): ValueTable<T> {
  return new Map(values.map((value) => [foldForMatch(value), value] as const));
}

export function matchValue<T extends string>(table: ValueTable<T>, raw: string): Result<T, 'UNKNOWN_VALUE'> {
  const value = table.get(foldForMatch(raw));
  return value === undefined ? fail('UNKNOWN_VALUE') : ok(value);
}
