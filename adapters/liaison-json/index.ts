// The liaison-json adapter: the gateway's canonical JSON format (docs/formats/liaison-json.md).
import type { Adapter } from '../contract.ts';
import { LIAISON_ALLOWED_VALUES } from './map.ts';
import { parseLiaisonJson } from './parse.ts';

export const liaisonJsonAdapter: Adapter = {
  format: 'liaison-json',
  mediaTypes: ['application/json'],
  description: 'Liaison canonical JSON: records with the shared field names and enum values',
  allowedValues: LIAISON_ALLOWED_VALUES,
  parse: parseLiaisonJson,
};
