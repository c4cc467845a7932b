// Which partner format a file probably is, from its name and first bytes; the officer can
// always override the guess. The names are the REST `format` values (api/openapi.yaml).
import type { PartnerFormatName } from './gateway.ts';

export const FORMATS: readonly PartnerFormatName[] = ['es-pn-csv', 'cn-mps-json', 'liaison-json', 'umf-xml', 'stix-2.1'];

export function guessFormat(fileName: string, head: string): PartnerFormatName {
  const name = fileName.toLowerCase();
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (name.endsWith('.csv') || /^[^{<\n]*;[^\n]*;/.test(text)) return 'es-pn-csv';
  if (name.endsWith('.xml') || text.startsWith('<')) return 'umf-xml';
  if (/"type"\s*:\s*"bundle"/.test(text) || /"spec_version"\s*:\s*"2\.1"/.test(text)) return 'stix-2.1';
  if (/"format"\s*:\s*"liaison-json"/.test(text)) return 'liaison-json';
  return 'cn-mps-json';
}
