// Helpers for the adapter tests (not shipped code): running an adapter over bytes, a fixture
// or one of the shared partner samples, and picking records and issue codes out of the
// result. The samples are the ones the docs ship (docs/examples/), so a clone needs nothing
// beside it.
import { readFile } from 'node:fs/promises';
import type { Adapter, Issue, Item, MappedRecord, ParseContext } from './contract.ts';

export const CONTEXT: ParseContext = { agencyCode: 'DE-BKA', operationCode: 'FIRST-LIGHT-2022', today: '2024-01-01' };

export const SAMPLES_DIR = new URL('../docs/examples/', import.meta.url);

export async function* chunksOf(bytes: Uint8Array, sizes: readonly number[] = [bytes.length]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  let i = 0;
  while (offset < bytes.length) {
    const size = Math.max(1, sizes[i++ % sizes.length] ?? bytes.length);
    yield bytes.slice(offset, offset + size);
    offset += size;
  }
}

export async function run(adapter: Adapter, input: Uint8Array | string, context: ParseContext = CONTEXT, sizes?: readonly number[]): Promise<Item[]> {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const items: Item[] = [];
  // Iterable again, as the worker's spool is (a JSON reader reads it again to place a syntax error).
  for await (const item of adapter.parse({ [Symbol.asyncIterator]: () => chunksOf(bytes, sizes) }, context)) items.push(item);
  return items;
}

export const readFixture = async (format: string, name: string): Promise<Uint8Array> =>
  new Uint8Array(await readFile(new URL(`./${format}/fixtures/${name}`, import.meta.url)));

export const readSample = async (name: string): Promise<Uint8Array> => new Uint8Array(await readFile(new URL(name, SAMPLES_DIR)));

export const recordsOf = (items: readonly Item[]): MappedRecord[] =>
  items.flatMap((item) => (item.kind === 'record' ? [item.record] : []));

export const issuesOf = (items: readonly Item[]): Issue[] => items.flatMap((item) => (item.kind === 'issue' ? [item] : []));

/** `code@field` of every issue, the compact form tests assert on. */
export const issueKeys = (items: readonly Item[]): string[] => issuesOf(items).map((issue) => `${issue.code}@${issue.field}`);

export function recordByRef<K extends MappedRecord['kind']>(items: readonly Item[], kind: K, ref: string): Extract<MappedRecord, { kind: K }> {
  const found = recordsOf(items).find((r): r is Extract<MappedRecord, { kind: K }> => r.kind === kind && r.ref === ref);
  if (!found) throw new Error(`no ${kind} ${ref} in the output`);
  return found;
}
