// The gateway calls behind `liaison match`, `liaison watch create|list|cancel` and
// `liaison disclosures list|decide`: openapi-fetch
// on the types generated from api/openapi.yaml, so a change of the contract that these calls do
// not follow fails to compile. Each prints a short human answer (or the JSON body with --json)
// to `out` and returns the exit code: 0 done, 1 refused. The identifiers of a match come from
// options or from a CSV file (header `type,value[,country,birthDate,ticker]`); they are sent
// to the gateway and never printed back.
import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import createClient from 'openapi-fetch';
import type { components, paths } from '../openapi-types.ts';
import { EXIT, UsageError, unreachable } from './support.ts';

type Problem = components['schemas']['Problem'];
type Identifier = components['schemas']['MatchIdentifier'];
type Disclosure = components['schemas']['DisclosureRequest'];

export type GatewayCall = { url: string; token: string; json?: boolean; out?: Writable };

const IDENTIFIER_TYPES: readonly string[] = ['PASSPORT', 'NATIONAL_ID', 'PHONE', 'EMAIL', 'MESSENGER', 'BANK_ACCOUNT', 'CRYPTO_WALLET', 'IMEI', 'NAME_DOB'];
const CSV_COLUMNS = ['type', 'value', 'country', 'birthDate', 'ticker'] as const;

/** The identifiers of an ids.csv file; a bad line is a usage error naming the line (never its value). */
export async function readIdentifierCsv(path: string): Promise<Identifier[]> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new UsageError(`--file: cannot read ${path}`);
  });
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: (header: string[]) => header.map((h) => h.trim()), skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new UsageError(`--file: ${path} is not a CSV file${line ? ` (line ${line})` : ''}`);
  }
  if (rows.length === 0) throw new UsageError(`--file: ${path} has no identifiers (header: type,value,country,birthDate,ticker)`);
  return rows.map((row, i) => {
    const line = i + 2;
    const unknown = Object.keys(row).filter((k) => !(CSV_COLUMNS as readonly string[]).includes(k));
    if (unknown.length) throw new UsageError(`--file: unknown column ${unknown[0]} (allowed: ${CSV_COLUMNS.join(', ')})`);
    const type = (row.type ?? '').toUpperCase();
    if (!IDENTIFIER_TYPES.includes(type)) throw new UsageError(`--file: line ${line}, column type: one of ${IDENTIFIER_TYPES.join(', ')}`);
    if (!row.value) throw new UsageError(`--file: line ${line}, column value: empty`);
    return {
      type: type as Identifier['type'],
      value: row.value,
      ...(row.country ? { country: row.country } : {}),
      ...(row.birthDate ? { birthDate: row.birthDate } : {}),
      ...(row.ticker ? { ticker: row.ticker } : {}),
    };
  });
}

export const identifierTypes = IDENTIFIER_TYPES;

function client(call: GatewayCall) {
  return createClient<paths>({ baseUrl: call.url, headers: { authorization: `Bearer ${call.token}` } });
}

/** Prints a refusal (status, code, detail, issues) and answers exit code 1. */
function refused(out: Writable, what: string, status: number, problem: Problem | undefined): number {
  out.write(`${what} refused (${status} ${problem?.code ?? ''}): ${problem?.detail ?? problem?.title ?? ''}\n`);
  if (problem?.issues) out.write(`${JSON.stringify(problem.issues, null, 2)}\n`);
  return EXIT.REFUSED;
}

/** A refusal that may name when to try again (quota, rate limit): its Retry-After joins the detail. */
function refusedUntil(out: Writable, what: string, response: Response, problem: Problem): number {
  const wait = response.headers.get('retry-after');
  return refused(out, what, response.status, { ...problem, ...(wait ? { detail: `${problem.detail} (retry after ${wait} s)` } : {}) });
}

const writer = (call: GatewayCall) => call.out ?? process.stdout;

/** POST /v1/matches: one line per identifier (by index), the hitRefs to request disclosure with. */
export async function matchIdentifiers(call: GatewayCall, request: { identifiers: Identifier[]; purpose: string; caseRef?: string }): Promise<number> {
  const out = writer(call);
  const { data, error, response } = await client(call)
    .POST('/v1/matches', { body: request })
    .catch((cause: unknown) => {
      throw unreachable(call.url, cause);
    });
  if (!data) return refusedUntil(out, 'match', response, error as Problem);
  if (call.json) {
    out.write(`${JSON.stringify({ ...data, quotaRemaining: Number(response.headers.get('quota-remaining')) }, null, 2)}\n`);
    return EXIT.OK;
  }
  for (const result of data.results) {
    out.write(`[${result.index}] ${result.hit ? `hit (${result.hits.length})` : 'no hit'}\n`);
    for (const hit of result.hits) {
      const record = hit.own ? `your own ${hit.recordType} ${hit.recordId}` : hit.recordId ? `${hit.recordType} ${hit.recordId}` : `${hit.recordType}, not visible to you`;
      out.write(`    ${hit.owner.padEnd(12)} ${record}\n      hitRef ${hit.hitRef}\n`);
    }
  }
  out.write(`quota left today: ${response.headers.get('quota-remaining')}\n`);
  return EXIT.OK;
}

function formatDisclosure(r: Disclosure): string {
  const party = r.direction === 'INCOMING' ? `from ${r.requester}` : `to ${r.owner}`;
  const record = r.recordId ? ` record ${r.recordId}` : '';
  const until = r.expiresOn ? ` until ${r.expiresOn}` : '';
  return `${r.id}  ${r.status.padEnd(8)} ${party.padEnd(16)} ${r.recordType}${record}${until}  due ${r.dueAt}\n    legal basis: ${r.legalBasis}\n    justification: ${r.justification}\n${r.reason ? `    reason: ${r.reason}\n` : ''}`;
}

/** GET /v1/disclosure-requests: the agency's requests of one direction (and status). */
export async function listDisclosures(call: GatewayCall, query: { direction: 'incoming' | 'outgoing'; status?: Disclosure['status'] }): Promise<number> {
  const out = writer(call);
  const { data, error, response } = await client(call)
    .GET('/v1/disclosure-requests', { params: { query } })
    .catch((cause: unknown) => {
      throw unreachable(call.url, cause);
    });
  if (!data) return refused(out, 'listing', response.status, error as Problem);
  if (call.json) out.write(`${JSON.stringify(data, null, 2)}\n`);
  else if (data.requests.length === 0) out.write(`no ${query.direction} disclosure requests${query.status ? ` ${query.status}` : ''}\n`);
  else for (const r of data.requests) out.write(formatDisclosure(r));
  return EXIT.OK;
}

/** POST /v1/disclosure-requests/{id}/decision: the owner approves or denies. */
export async function decideDisclosureRequest(
  call: GatewayCall,
  id: string,
  decision: { decision: 'APPROVE' | 'DENY'; reason: string; expiresOn?: string },
): Promise<number> {
  const out = writer(call);
  const { data, error, response } = await client(call)
    .POST('/v1/disclosure-requests/{id}/decision', { params: { path: { id } }, body: decision })
    .catch((cause: unknown) => {
      throw unreachable(call.url, cause);
    });
  if (!data) return refused(out, 'decision', response.status, error as Problem);
  out.write(call.json ? `${JSON.stringify(data, null, 2)}\n` : formatDisclosure(data));
  return EXIT.OK;
}

type WatchBody = components['schemas']['Watch'];

const formatWatch = (w: WatchBody) =>
  `${w.id}  ${w.status.padEnd(9)} ${String(w.identifiers).padStart(3)} identifier(s)  until ${w.until}${w.cancelledAt ? `  cancelled ${w.cancelledAt}` : ''}\n` +
  `    purpose: ${w.purpose}${w.caseRef ? `  case: ${w.caseRef}` : ''}\n`;

/** POST /v1/watches: a standing match; prints the watch (never the identifiers) and the quota it took. */
export async function createWatchCall(call: GatewayCall, request: { identifiers: Identifier[]; purpose: string; caseRef?: string; until?: string }): Promise<number> {
  const out = writer(call);
  const { data, error, response } = await client(call)
    .POST('/v1/watches', { body: request })
    .catch((cause: unknown) => {
      throw unreachable(call.url, cause);
    });
  if (!data) return refusedUntil(out, 'watch', response, error as Problem);
  out.write(call.json ? `${JSON.stringify(data, null, 2)}\n` : formatWatch(data));
  return EXIT.OK;
}

/**
 * GET /v1/watches: one page of the agency's watches, oldest first (a self-signed token is good
 * for one request, so each page is its own call); the next page's cursor is printed last.
 */
export async function listWatchesCall(call: GatewayCall, query: { first?: number; after?: string } = {}): Promise<number> {
  const out = writer(call);
  const { data, error, response } = await client(call)
    .GET('/v1/watches', { params: { query: { ...(query.first ? { first: String(query.first) } : {}), ...(query.after ? { after: query.after } : {}) } } })
    .catch((cause: unknown) => {
      throw unreachable(call.url, cause);
    });
  if (!data) return refused(out, 'listing', response.status, error as Problem);
  if (call.json) out.write(`${JSON.stringify(data, null, 2)}\n`);
  else {
    if (data.watches.length === 0) out.write('no watches\n');
    for (const w of data.watches) out.write(formatWatch(w));
    if (data.next) out.write(`more: --after ${data.next}\n`);
  }
  return EXIT.OK;
}

/** DELETE /v1/watches/{id}: the watch never fires again (cancelling twice changes nothing). */
export async function cancelWatchCall(call: GatewayCall, id: string): Promise<number> {
  const out = writer(call);
  const { data, error, response } = await client(call)
    .DELETE('/v1/watches/{id}', { params: { path: { id } } })
    .catch((cause: unknown) => {
      throw unreachable(call.url, cause);
    });
  if (!data) return refused(out, 'cancel', response.status, error as Problem);
  out.write(call.json ? `${JSON.stringify(data, null, 2)}\n` : formatWatch(data));
  return EXIT.OK;
}
