// Streaming reader of a STIX 2.1 bundle. `objects` is streamed element by element; objects
// that map to nothing (identity, indicator, …) are skipped at once with a SKIPPED_OBJECT
// warning. Because relationships and marking definitions may come after the objects they
// join or mark, the objects of interest (dens, suspects, funds, locations) are kept until the
// end as packed JSON text (one string each, not a graph of small objects: 84 MB of heap instead
// of 195 MB for 100,000 objects, and far less for the garbage collector to trace again and
// again), relationships and handling markings as what is read from them; at most 100,000
// objects in all (TOO_LARGE). Then relationships are resolved, records mapped in file order,
// each object unpacked just before it is mapped, and unjoined locations and relationships that
// join nothing are skipped with a warning.
import type { Item, ParseContext } from '../contract.ts';
import { FileError } from '../shared/bytes.ts';
import { textOf } from '../shared/fields.ts';
import { makeIssue } from '../shared/issues.ts';
import { isJsonObject, packJson, readJsonStream, unpackJson, type JsonObject } from '../shared/json-stream.ts';
import { endOnFileError, itemsOf, RefTracker } from '../shared/records.ts';
import {
  classifyStixObject,
  handlingMarkingOf,
  mapStixDen,
  mapStixFund,
  mapStixSuspect,
  type HandlingMarking,
  type JoinedLocation,
  type StixMapContext,
} from './map.ts';

export const MAX_STIX_OBJECTS = 100_000;

type Kept =
  | { index: number; kind: 'den' | 'suspect' | 'fund' | 'location'; id: string; packed: string }
  | { index: number; kind: 'relationship'; type: string | undefined; source: string; target: string }
  | { index: number; kind: 'marking'; id: string; marking: HandlingMarking };

/** What the end of the file needs of an object of interest. */
function keep(index: number, object: JsonObject, kind: Exclude<ReturnType<typeof classifyStixObject>, 'other'>): Kept {
  const id = textOf(object.id) ?? '';
  if (kind === 'relationship') return { index, kind, type: textOf(object.relationship_type), source: textOf(object.source_ref) ?? '', target: textOf(object.target_ref) ?? '' };
  if (kind === 'marking') return { index, kind, id, marking: handlingMarkingOf(object)! };
  return { index, kind, id, packed: packJson(object) };
}

const pathOf = (index: number) => `/objects/${index}`;
const skipped = (index: number, field: string): Item => makeIssue('SKIPPED_OBJECT', field, { path: pathOf(index) }, { severity: 'warning' });

/** What each relationship type joins: source kind → target kind. */
const JOINS = {
  'located-at': { source: 'den', target: 'location' },
  uses: { source: 'suspect', target: 'infrastructure' },
  'related-to': { source: 'fund', target: 'infrastructure' },
} as const;

type Located = { packed: string; index: number };
type Joins = { locationOf: Map<string, Located>; denOf: Map<string, string>; used: Set<number> };

/** Resolves relationships; the first relationship of a kind for a source wins. */
function resolveJoins(kept: readonly Kept[]): Joins {
  const byId = new Map<string, Kept & { id: string }>();
  for (const k of kept) if (k.kind !== 'relationship') byId.set(k.id, k);
  const joins: Joins = { locationOf: new Map(), denOf: new Map(), used: new Set() };
  for (const rel of kept) {
    if (rel.kind !== 'relationship') continue;
    const join = JOINS[rel.type as keyof typeof JOINS] as (typeof JOINS)[keyof typeof JOINS] | undefined;
    if (!join || byId.get(rel.source)?.kind !== join.source) continue;
    if (join.target === 'location') {
      const target = byId.get(rel.target);
      if (target?.kind !== 'location' || joins.locationOf.has(rel.source)) continue;
      joins.locationOf.set(rel.source, { packed: target.packed, index: target.index });
      joins.used.add(target.index);
    } else {
      // The den may come from an earlier submission: any infrastructure id will do.
      if (!rel.target.startsWith('infrastructure--') || joins.denOf.has(rel.source)) continue;
      joins.denOf.set(rel.source, rel.target);
    }
    joins.used.add(rel.index);
  }
  return joins;
}

const unpackLocation = (located: Located | undefined): JoinedLocation | undefined =>
  located && { object: unpackJson(located.packed), index: located.index };

function* mapKept(kept: readonly Kept[], context: ParseContext): Generator<Item> {
  const joins = resolveJoins(kept);
  const refs = new RefTracker();
  // Handling statements (marking-definitions) the objects name in object_marking_refs.
  const handlingMarkings = new Map(kept.flatMap((k) => (k.kind === 'marking' ? [[k.id, k.marking] as const] : [])));
  for (const k of kept) {
    const { index } = k;
    const at = (field: string) => ({ path: `${pathOf(index)}/${field}` });
    const mapContext: StixMapContext = { at, today: context.today, defaultSharing: undefined, handlingMarkings };
    let result;
    if (k.kind === 'den') result = mapStixDen(unpackJson(k.packed), unpackLocation(joins.locationOf.get(k.id)), mapContext);
    else if (k.kind === 'suspect') result = mapStixSuspect(unpackJson(k.packed), joins.denOf.get(k.id), mapContext);
    else if (k.kind === 'fund') result = mapStixFund(unpackJson(k.packed), joins.denOf.get(k.id), mapContext);
    else if (k.kind === 'marking') continue;
    else if (!joins.used.has(index)) yield skipped(index, k.kind === 'location' ? 'location' : 'relationship');
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
    else kept.push(keep(event.index, object, kind));
  }
  yield* mapKept(kept, context);
}

export function parseStixBundle(input: AsyncIterable<Uint8Array>, context: ParseContext): AsyncIterable<Item> {
  return endOnFileError(readStixBundle(input, context));
}
