// Reader of a umf-xml message, streamed (xml-stream.ts): each record element is mapped as soon
// as it closes, so a large message never sits in memory whole. The root `Message` must
// name the submitting agency as `sender` (SENDER_MISMATCH otherwise, fail closed when absent)
// and, when it names an `operation`, the submission's (OPERATION_MISMATCH). Its children are
// mapped in document order; elements other than Location, Person and MonetaryValue are
// skipped with a SKIPPED_OBJECT warning.
import type { Item, ParseContext } from '../contract.ts';
import { matchValue } from '../shared/enums.ts';
import type { MapResult } from '../shared/fields.ts';
import { fileIssue, makeIssue } from '../shared/issues.ts';
import { endOnFileError, itemsOf, RefTracker } from '../shared/records.ts';
import { sameCode } from '../shared/text.ts';
import { mapUmfLocation, mapUmfMonetaryValue, mapUmfPerson, TLP_MARKINGS, type UmfMapContext } from './map.ts';
import { streamXmlMessage, type XmlElement } from './xml-stream.ts';

const MAPPERS: Record<string, (element: XmlElement, context: UmfMapContext) => MapResult> = {
  Location: mapUmfLocation,
  Person: mapUmfPerson,
  MonetaryValue: mapUmfMonetaryValue,
};

function checkMessage(attrs: Record<string, string>, context: ParseContext): Item | undefined {
  const { sender, operation } = attrs;
  if (sender === undefined || !sameCode(sender, context.agencyCode)) {
    return fileIssue('SENDER_MISMATCH', 'sender', { path: '/Message/@sender' });
  }
  if (operation !== undefined && !sameCode(operation, context.operationCode)) {
    return fileIssue('OPERATION_MISMATCH', 'operation', { path: '/Message/@operation' });
  }
  return undefined;
}

async function* readUmfXml(input: AsyncIterable<Uint8Array>, context: ParseContext): AsyncGenerator<Item> {
  const refs = new RefTracker();
  let defaultMarking: UmfMapContext['defaultMarking'];
  for await (const event of streamXmlMessage(input)) {
    if (event.kind === 'message') {
      const problem = checkMessage(event.attrs, context);
      if (problem) return yield problem;
      const declared = event.attrs.defaultMarking;
      const level = declared === undefined ? undefined : matchValue(TLP_MARKINGS, declared);
      defaultMarking = level === undefined ? undefined : level.ok ? level.value : 'unknown';
      continue;
    }
    const element = event.element;
    const mapper = MAPPERS[element.name];
    if (!mapper) {
      yield makeIssue('SKIPPED_OBJECT', element.name, { path: element.path }, { severity: 'warning' });
      continue;
    }
    const at = (field: string) => ({ path: `${element.path}/${field}` });
    const result = mapper(element, { at, today: context.today, defaultSharing: undefined, defaultMarking });
    yield* itemsOf(result, { path: element.path }, refs, '@id', at('@id'));
  }
}

export function parseUmfXml(input: AsyncIterable<Uint8Array>, context: ParseContext): AsyncIterable<Item> {
  return endOnFileError(readUmfXml(input, context));
}
