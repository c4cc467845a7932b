// Stream plumbing shared by the five parse.ts files: turning one map result into contract
// items (issues first, then the record), refusing a second record with the same ref and kind
// in one file (DUPLICATE_REF), and ending a stream with a file-level error issue when reading
// hits a FileError. What does not live here: mapping (each format's map.ts).
import type { Item, Location, MappedRecord } from '../contract.ts';
import { FileError } from './bytes.ts';
import type { MapResult } from './fields.ts';
import { FILE_FIELD, makeIssue } from './issues.ts';

export class RefTracker {
  private readonly seen = new Set<string>();

  /** Records the ref; true when this kind already had it in this file. */
  isDuplicate(record: MappedRecord): boolean {
    const key = `${record.kind}\u0000${record.ref}`;
    if (this.seen.has(key)) return true;
    this.seen.add(key);
    return false;
  }
}

/**
 * The items of one mapped record. `refAt` locates the partner's ref field, for DUPLICATE_REF.
 */
export function* itemsOf(result: MapResult, at: Location, refs: RefTracker, refField: string, refAt: Location): Generator<Item> {
  yield* result.issues;
  const { record } = result;
  if (!record) return;
  if (refs.isDuplicate(record)) {
    yield makeIssue('DUPLICATE_REF', refField, refAt, { ref: record.ref });
    return;
  }
  yield { kind: 'record', record, ...at };
}

/** Ends `items` with an error issue instead of throwing when the file itself is unreadable. */
export async function* endOnFileError(items: AsyncIterable<Item>): AsyncGenerator<Item> {
  try {
    yield* items;
  } catch (error) {
    if (!(error instanceof FileError)) throw error;
    const { field = FILE_FIELD, line, column, path } = error.at;
    yield makeIssue(error.code, field, { line, column, path }, { detail: error.detail });
  }
}
