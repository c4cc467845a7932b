// The stix-2.1 adapter: STIX 2.1 bundles from cyber and financial-crime units
// (docs/formats/stix-2.1.md).
import type { Adapter } from '../contract.ts';
import { STIX_ALLOWED_VALUES } from './map.ts';
import { parseStixBundle } from './parse.ts';

export const stixAdapter: Adapter = {
  format: 'stix-2.1',
  mediaTypes: ['application/stix+json', 'application/json'],
  description: 'STIX 2.1 bundle: scam-den infrastructure, criminal threat actors and x-liaison-intercepted-fund objects',
  allowedValues: STIX_ALLOWED_VALUES,
  parse: parseStixBundle,
};
