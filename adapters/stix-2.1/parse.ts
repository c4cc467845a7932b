// Streaming reader of a STIX 2.1 bundle. `objects` is streamed element by element; objects
// that map to nothing (identity, indicator, …) are skipped at once with a SKIPPED_OBJECT
// warning. Because relationships may come after the objects they join, the objects of
// interest (dens, suspects, funds, locations, relationships) are kept as parsed objects (not
// raw text) until the end, capped at 100,000 objects in all (TOO_LARGE). Then relationships
// are resolved, records mapped in file order, and unjoined locations and relationships that
// join nothing are skipped with a warning.
import type { Item, ParseContext } from '../contract.ts';
import { FileError } from '../shared/bytes.ts';
import { textOf } from '../shared/fields.ts';
import { makeIssue } from '../shared/issues.ts';
import { isJsonObject, readJsonStream, type JsonObject } from '../shared/json-stream.ts';
import { endOnFileError, itemsOf, RefTracker } from '../shared/records.ts';
import { classifyStixObject, handlingMarkingOf, mapStixDen, mapStixFund, mapStixSuspect, type JoinedLocation, type StixMapContext } from './map.ts';

export const MAX_STIX_OBJECTS = 100_000;

type Kept = { index: number; object: JsonObject; kind: 'den' | 'suspect' | 'fund' | 'location' | 'relationship' | 'marking' };

const pathOf = (index: number) => `/objects/${index}`;
const skipped = (index: number, field: string): Item => makeIssue('SKIPPED_OBJECT', field, { path: pathOf(index) }, { severity: 'warning' });

/** What each relationship type joins: source kind → target kind. */
const JOINS = {
  'located-at': { source: 'den', target: 'location' },
  uses: { source: 'suspect', target: 'infrastructure' },
  'related-to': { source: 'fund', target: 'infrastructure' },
} as const;

type Joins = { locationOf: Map<string, JoinedLocation>; denOf: Map<string, string>; used: Set<number> };

/** Resolves relationships; the first relationship of a kind for a source wins. */
function resolveJoins(kept: readonly Kept[]): Joins {
  const byId = new Map(kept.filter((k) => k.kind !== 'relationship').map((k) => [textOf(k.object.id) ?? '', k] as const));
  const joins: Joins = { locationOf: new Map(), denOf: new Map(), used: new Set() };
  for (const rel of kept.filter((k) => k.kind === 'relationship')) {
    const join = JOINS[textOf(rel.object.relationship_type) as keyof typeof JOINS] as (typeof JOINS)[keyof typeof JOINS] | undefined;
    const sourceId = textOf(rel.object.source_ref) ?? '';
    const targetId = textOf(rel.object.target_ref) ?? '';
    if (!join || byId.get(sourceId)?.kind !== join.source) continue;
    if (join.target === 'location') {
      const target = byId.get(targetId);
      if (target?.kind !== 'location' || joins.locationOf.has(sourceId)) continue;
      joins.locationOf.set(sourceId, { object: target.object, index: target.index });
      joins.used.add(target.index);
    } else {
      // The den may come from an earlier submission: any infrastructure id will do.
      if (!targetId.startsWith('infrastructure--') || joins.denOf.has(sourceId)) continue;
      joins.denOf.set(sourceId, targetId);
    }
    joins.used.add(rel.index);
  }
  return joins;
}

function* mapKept(kept: readonly Kept[], context: ParseContext): Generator<Item> {
  const joins = resolveJoins(kept);
  const refs = new RefTracker();
  // Handling statements (marking-definitions) the objects name in object_marking_refs.
  const handlingMarkings = new Map(kept.flatMap((k) => (k.kind === 'marking' ? [[textOf(k.object.id) ?? '', handlingMarkingOf(k.object)!] as const] : [])));
  for (const { index, object, kind } of kept) {
    const id = textOf(object.id) ?? '';
    const at = (field: string) => ({ path: `${pathOf(index)}/${field}` });
    const mapContext: StixMapContext = { at, today: context.today, defaultSharing: undefined, handlingMarkings };
    let result;
    if (kind === 'den') result = mapStixDen(object, joins.locationOf.get(id), mapContext);
    else if (kind === 'suspect') result = mapStixSuspect(object, joins.denOf.get(id), mapContext);
    else if (kind === 'fund') result = mapStixFund(object, joins.denOf.get(id), mapContext);
    else if (kind === 'marking') continue;
    else if (!joins.used.has(index)) yield skipped(index, kind === 'location' ? 'location' : 'relationship');
    if (result) yield* itemsOf(result, { path: pathOf(index) }, refs, 'id', at('id'));
  }
}

async function* readStixBundle(input: AsyncIterable<Uint8Array>, context: ParseContext): AsyncGenerator<Item> {
  const kept: Kept[] = [];
  for await (const event of readJsonStream(input, { streamed: new Set(['objects']) })) {
    if (event.kind === 'member') {
      if (event.key === 'type' && textOf(event.value) !== 'bundle') throw new FileError('MALFORMED_FILE', { path: '/type', field: 'type' });
      if (event.key === 'objects') throw new FileError('MALFORMED_FILE', { path: '/objects', field: 'objects' });
      continue;
    }
    if (event.index >= MAX_STIX_OBJECTS) throw new FileError('TOO_LARGE', { path: pathOf(event.index), field: 'objects' }, { limit: MAX_STIX_OBJECTS });
    const object = event.value;
    if (!isJsonObject(object) || textOf(object.type) === undefined) {
      yield makeIssue('MISSING_FIELD', 'type', { path: `${pathOf(event.index)}/type` });
      continue;
    }
    const kind = classifyStixObject(object);
    if (kind === 'other') yield skipped(event.index, textOf(object.type) ?? 'type');
    else kept.push({ index: event.index, object, kind });
  }
  yield* mapKept(kept, context);
}

export function parseStixBundle(input: AsyncIterable<Uint8Array>, context: ParseContext): AsyncIterable<Item> {
  return endOnFileError(readStixBundle(input, context));
}
