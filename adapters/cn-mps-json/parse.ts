// Streaming reader of a cn-mps-json file: header members 报送单位, 行动代号 (checked against the
// submission's operation: OPERATION_MISMATCH) and 共享级别 (the default level of the file's
// records) come first; the arrays 窝点, 嫌疑人 and 涉案资金 are mapped element by element. A
// 共享级别 after the first record, or one the table does not list, ends the stream: records
// already read would otherwise carry the wrong level (fail closed).
import type { Item, ParseContext, SharingLevel } from '../contract.ts';
import { textOf } from '../shared/fields.ts';
import { matchValue, spellingsOf } from '../shared/enums.ts';
import { fileIssue } from '../shared/issues.ts';
import { readJsonRecords } from '../shared/json-records.ts';
import { jsonPointer, type JsonValue } from '../shared/json-stream.ts';
import { sameCode } from '../shared/text.ts';
import { CN_SHARING, mapCnDen, mapCnFund, mapCnSuspect } from './map.ts';

function checkHeader(key: string, value: JsonValue, context: ParseContext): Item | { defaultSharing: SharingLevel } | undefined {
  const text = textOf(value);
  const at = { path: jsonPointer([key]) };
  if (key === '行动代号' && (text === undefined || !sameCode(text, context.operationCode))) {
    return fileIssue('OPERATION_MISMATCH', key, at);
  }
  if (key === '共享级别') {
    const level = text === undefined ? undefined : matchValue(CN_SHARING, text);
    return level?.ok ? { defaultSharing: level.value } : fileIssue('UNKNOWN_VALUE', key, at, { allowed: spellingsOf(CN_SHARING) });
  }
  return undefined;
}

export function parseCnMpsJson(input: AsyncIterable<Uint8Array>, context: ParseContext): AsyncIterable<Item> {
  return readJsonRecords(input, context, {
    arrays: { 窝点: mapCnDen, 嫌疑人: mapCnSuspect, 涉案资金: mapCnFund },
    refField: '编号',
    header: checkHeader,
    leadingMembers: new Set(['共享级别', '行动代号']),
  });
}
