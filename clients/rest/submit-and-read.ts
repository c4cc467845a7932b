// Example REST client: submits a partner file with openapi-fetch on types generated from the
// gateway's served OpenAPI document (./openapi-types.ts, not committed: generate it with
// `npx openapi-typescript $LIAISON_URL/openapi.json -o rest/openapi-types.ts`), then reads the
// report back with the same access token. Prints one JSON line. Env: LIAISON_URL,
// LIAISON_ACCESS_TOKEN (from access-token.ts), SAMPLE_FILE, SAMPLE_FORMAT, OPERATION.
import { readFile } from 'node:fs/promises';
import createClient from 'openapi-fetch';
import type { paths } from './openapi-types.js';

type Format = paths['/v1/submissions']['post']['parameters']['query']['format'];

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

// One access token for every request until it expires.
const client = createClient<paths>({ baseUrl: env('LIAISON_URL'), headers: { authorization: `Bearer ${env('LIAISON_ACCESS_TOKEN')}` } });
const file = await readFile(env('SAMPLE_FILE'), 'utf8');

const submitted = await client.POST('/v1/submissions', {
  params: { query: { format: env('SAMPLE_FORMAT') as Format, operation: env('OPERATION'), mode: 'ATOMIC' } },
  headers: { 'content-type': 'application/octet-stream' },
  body: file,
  // openapi-fetch sends a body as JSON unless told otherwise: the file goes as it is.
  bodySerializer: (body: unknown) => body as string,
});
if (!submitted.data) {
  const problem = submitted.error;
  throw new Error(`submission refused: ${submitted.response.status} ${'code' in problem ? problem.code : problem.status}`);
}
const report = submitted.data;

const read = await client.GET('/v1/submissions/{id}', {
  params: { path: { id: report.id } },
});
if (!read.data) throw new Error(`read refused: ${read.response.status} ${read.error.code}`);

console.log(
  JSON.stringify({
    httpStatus: submitted.response.status,
    id: report.id,
    status: report.status,
    accepted: report.counts.accepted,
    issues: report.issues.length,
    readBack: read.data.id === report.id && read.data.receipt === report.receipt,
  }),
);
