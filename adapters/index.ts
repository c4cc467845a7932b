// The list of partner-format adapters, one line each (docs/adapters.md: adding a format is one folder,
// one fixture set, one test file and one line here). `getAdapter` resolves the `format` query
// parameter of a submission.
import type { Adapter } from './contract.ts';
import { cnMpsJsonAdapter } from './cn-mps-json/index.ts';
import { esPnCsvAdapter } from './es-pn-csv/index.ts';
import { liaisonJsonAdapter } from './liaison-json/index.ts';
import { stixAdapter } from './stix-2.1/index.ts';
import { umfXmlAdapter } from './umf-xml/index.ts';

export const ADAPTERS: readonly Adapter[] = [liaisonJsonAdapter, cnMpsJsonAdapter, esPnCsvAdapter, umfXmlAdapter, stixAdapter];

const BY_FORMAT: ReadonlyMap<string, Adapter> = new Map(ADAPTERS.map((adapter) => [adapter.format, adapter]));

export const ADAPTER_FORMATS: readonly string[] = ADAPTERS.map((adapter) => adapter.format);

export function getAdapter(format: string): Adapter | undefined {
  return BY_FORMAT.get(format);
}
