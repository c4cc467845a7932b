// The cn-mps-json adapter: the Chinese Ministry of Public Security JSON export with Chinese
// keys (docs/formats/cn-mps-json.md).
import type { Adapter } from '../contract.ts';
import { CN_ALLOWED_VALUES } from './map.ts';
import { parseCnMpsJson } from './parse.ts';

export const cnMpsJsonAdapter: Adapter = {
  format: 'cn-mps-json',
  mediaTypes: ['application/json'],
  description: 'Chinese MPS export: 窝点, 嫌疑人 and 涉案资金 arrays with Chinese keys and values',
  allowedValues: CN_ALLOWED_VALUES,
  parse: parseCnMpsJson,
};
