// Streaming reader of a liaison-json file: the header members (`format`, `version`,
// `operation`) are checked as they arrive and each element of `records` is mapped as soon as
// it is complete, so a large file is never held whole. A `format` other than liaison-json or
// a `version` other than 1 is MALFORMED_FILE; an `operation` other than the submission's is
// OPERATION_MISMATCH; both end the stream. Record elements dispatch on `kind`; an unknown
// kind is UNKNOWN_VALUE, a missing one MISSING_FIELD.
import type { Item, ParseContext } from '../contract.ts';
import { FieldReader, textOf, type MapContext, type MapResult } from '../shared/fields.ts';
import { fileIssue } from '../shared/issues.ts';
import { readJsonRecords } from '../shared/json-records.ts';
import { jsonPointer, type JsonObject, type JsonValue } from '../shared/json-stream.ts';
import { sameCode } from '../shared/text.ts';
import { mapLiaisonDen, mapLiaisonFund, mapLiaisonSuspect } from './map.ts';

const MAPPERS: Record<string, (o: JsonObject, context: MapContext) => MapResult> = {
  scamDen: mapLiaisonDen,
  suspect: mapLiaisonSuspect,
  interceptedFund: mapLiaisonFund,
};

function mapLiaisonRecord(o: JsonObject, context: MapContext): MapResult {
  const kind = textOf(o.kind);
  const mapper = kind !== undefined && Object.hasOwn(MAPPERS, kind) ? MAPPERS[kind] : undefined;
  if (mapper) return mapper(o, context);
  const r = new FieldReader(context);
  if (kind === undefined) r.report('kind', 'MISSING_FIELD');
  else r.report('kind', 'UNKNOWN_VALUE', { detail: { allowed: Object.keys(MAPPERS) } });
  return { issues: r.issues };
}

function checkHeader(key: string, value: JsonValue, context: ParseContext): Item | undefined {
  const text = textOf(value);
  const at = { path: jsonPointer([key]) };
  if (key === 'format' && text !== 'liaison-json') return fileIssue('MALFORMED_FILE', key, at);
  if (key === 'version' && text !== '1') return fileIssue('MALFORMED_FILE', key, at);
  if (key === 'operation' && (text === undefined || !sameCode(text, context.operationCode))) {
    return fileIssue('OPERATION_MISMATCH', key, at);
  }
  return undefined;
}

export function parseLiaisonJson(input: AsyncIterable<Uint8Array>, context: ParseContext): AsyncIterable<Item> {
  return readJsonRecords(input, context, { arrays: { records: mapLiaisonRecord }, refField: 'ref', header: checkHeader });
}
