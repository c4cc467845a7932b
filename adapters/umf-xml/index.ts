// The umf-xml adapter: the European UMF-style XML message (docs/formats/umf-xml.md).
import type { Adapter } from '../contract.ts';
import { UMF_ALLOWED_VALUES } from './map.ts';
import { parseUmfXml } from './parse.ts';

export const umfXmlAdapter: Adapter = {
  format: 'umf-xml',
  mediaTypes: ['application/xml', 'text/xml'],
  description: 'UMF XML message: Location, Person and MonetaryValue elements with TLP markings',
  allowedValues: UMF_ALLOWED_VALUES,
  parse: parseUmfXml,
};
