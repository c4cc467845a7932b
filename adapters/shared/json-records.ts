// The loop shared by the JSON formats whose records sit in top-level arrays (liaison-json,
// cn-mps-json): header members are checked as they arrive, each array element is mapped as
// soon as it is complete, refs are checked for duplicates, and a file-level problem ends the
// stream. Each format supplies its header check and one mapper per array.
import type { Item, ParseContext, SharingLevel } from '../contract.ts';
import type { MapContext, MapResult } from './fields.ts';
import { fileIssue, makeIssue } from './issues.ts';
import { isJsonObject, jsonPointer, readJsonStream, type JsonObject, type JsonValue } from './json-stream.ts';
import { endOnFileError, itemsOf, RefTracker } from './records.ts';

export type JsonRecordsSpec = {
  /** Top-level array key → the mapper of its elements. */
  arrays: Record<string, (record: JsonObject, context: MapContext) => MapResult>;
  /** The partner's name of the ref field (for DUPLICATE_REF and non-object elements). */
  refField: string;
  /**
   * Checks one top-level member; answers a file-level issue to end the stream, a sharing
   * level when the member sets the file's default, or undefined.
   */
  header: (key: string, value: JsonValue, context: ParseContext) => Item | { defaultSharing: SharingLevel } | undefined;
  /** Members that must come before the first record (they change how records read). */
  leadingMembers?: ReadonlySet<string>;
};

async function* readRecords(input: AsyncIterable<Uint8Array>, context: ParseContext, spec: JsonRecordsSpec): AsyncGenerator<Item> {
  const refs = new RefTracker();
  let defaultSharing: SharingLevel | undefined;
  let sawRecords = false;
  const streamed = new Set(Object.keys(spec.arrays));
  for await (const event of readJsonStream(input, { streamed })) {
    if (event.kind === 'member') {
      const at = { path: jsonPointer([event.key]) };
      if (streamed.has(event.key)) return yield fileIssue('MALFORMED_FILE', event.key, at);
      if (sawRecords && spec.leadingMembers?.has(event.key)) return yield fileIssue('MALFORMED_FILE', event.key, at);
      const outcome = spec.header(event.key, event.value, context);
      if (outcome && 'defaultSharing' in outcome) defaultSharing = outcome.defaultSharing;
      else if (outcome) return yield outcome;
      continue;
    }
    sawRecords = true;
    const base = jsonPointer([event.key, event.index]);
    const at = (field: string) => ({ path: `${base}/${field}` });
    const mapper = spec.arrays[event.key];
    if (!mapper || !isJsonObject(event.value)) {
      yield makeIssue('MISSING_FIELD', spec.refField, at(spec.refField));
      continue;
    }
    const result = mapper(event.value, { at, today: context.today, defaultSharing });
    yield* itemsOf(result, { path: base }, refs, spec.refField, at(spec.refField));
  }
  if (!sawRecords && Object.keys(spec.arrays).length === 1) {
    const [key = ''] = Object.keys(spec.arrays);
    yield fileIssue('MISSING_FIELD', key, { path: jsonPointer([key]) });
  }
}

/** Streams the items of a JSON file laid out as header members plus record arrays. */
export function readJsonRecords(input: AsyncIterable<Uint8Array>, context: ParseContext, spec: JsonRecordsSpec): AsyncIterable<Item> {
  return endOnFileError(readRecords(input, context, spec));
}
