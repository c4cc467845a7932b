// The es-pn-csv adapter: the Spanish national police CSV export (docs/formats/es-pn-csv.md).
import type { Adapter } from '../contract.ts';
import { ES_PN_ALLOWED_VALUES } from './map.ts';
import { parseEsPnCsv } from './parse.ts';

export const esPnCsvAdapter: Adapter = {
  format: 'es-pn-csv',
  mediaTypes: ['text/csv'],
  description: 'Spanish national police CSV: one row per den (CENTRO), suspect (SOSPECHOSO) or fund (FONDOS)',
  allowedValues: ES_PN_ALLOWED_VALUES,
  parse: parseEsPnCsv,
};
