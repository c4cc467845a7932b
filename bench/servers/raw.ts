// The raw baseline for request (b): node:http + a pg Pool, no framework, no GraphQL, no auth.
// One prepared SQL statement per request in which PostgreSQL builds the whole JSON answer
// (json_agg/json_build_object, LATERAL subqueries for each den's suspects and funds), with the
// gateway's sharing predicate (schema/sharing.ts) for the same fixed viewer, the same orderings
// and page sizes, and the same output shape and scalar formats as the GraphQL answer: Relay
// global ids (base64 "Type:uuid"), dates as YYYY-MM-DD, decimals with at least two decimals.
// It reads the same POST body as the gateway and uses only `variables.code`.
import { createServer } from 'node:http';
import pg from 'pg';
import { runBenchChild, requiredEnv } from '../lib/child.ts';
import { ENV } from '../lib/protocol.ts';
import { DENS_PAGE, NESTED_PAGE } from '../lib/queries.ts';

/** Sharing rule of schema/sharing.ts for the alias `r`; $1 is the viewer's agency id. */
const visible = (r: string) => `(
  ${r}.owner_id = $1 OR (${r}.retracted_at IS NULL AND (
    ${r}.sharing_level IN ('CLEAR', 'GREEN')
    OR (${r}.sharing_level = 'AMBER' AND EXISTS (
      SELECT 1 FROM operation_participant op WHERE op.operation_id = ${r}.operation_id AND op.agency_id = $1)))))`;

const globalId = (type: string, column: string) => `encode(convert_to('${type}:' || ${column}::text, 'UTF8'), 'base64')`;
const date = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;
/** formatDecimal of schema/scalars.ts: no trailing zeros beyond two decimals. */
const decimal = (column: string) =>
  `CASE WHEN ${column} IS NULL THEN NULL WHEN scale(trim_scale(${column})) < 2 THEN round(${column}, 2)::text ELSE trim_scale(${column})::text END`;

export const DENS_SQL = `
  SELECT json_build_object('data', json_build_object('scamDens', json_build_object('edges',
           coalesce(json_agg(json_build_object('node', json_build_object(
             'id', ${globalId('ScamDen', 'd.id')},
             'country', d.country, 'region', d.region, 'denType', d.den_type, 'status', d.status,
             'raidedOn', ${date('d.raided_on')}, 'devicesSeized', d.devices_seized,
             'suspects', json_build_object('edges', s.edges),
             'interceptedFunds', json_build_object('edges', f.edges))) ORDER BY d.id), '[]'::json))))::text AS body
    FROM (SELECT * FROM scam_den d
           WHERE d.operation_id = (SELECT o.id FROM operation o WHERE o.code = $2) AND ${visible('d')}
           ORDER BY d.id LIMIT ${DENS_PAGE}) d
    CROSS JOIN LATERAL (
      SELECT coalesce(json_agg(json_build_object('node', json_build_object(
               'id', ${globalId('Suspect', 'x.id')}, 'personKey', x.person_key, 'role', x.role,
               'status', x.status, 'statusOn', ${date('x.status_on')})) ORDER BY x.id), '[]'::json) AS edges
        FROM (SELECT * FROM suspect x WHERE x.den_id = d.id AND ${visible('x')} ORDER BY x.id LIMIT ${NESTED_PAGE}) x
    ) s
    CROSS JOIN LATERAL (
      SELECT coalesce(json_agg(json_build_object('node', json_build_object(
               'id', ${globalId('InterceptedFund', 'x.id')}, 'amount', ${decimal('x.amount')}, 'currency', x.currency,
               'amountUsd', ${decimal('x.amount_usd')}, 'action', x.action)) ORDER BY x.id), '[]'::json) AS edges
        FROM (SELECT * FROM intercepted_fund x WHERE x.den_id = d.id AND ${visible('x')} ORDER BY x.id LIMIT ${NESTED_PAGE}) x
    ) f`;

await runBenchChild(async () => {
  const pool = new pg.Pool({
    connectionString: requiredEnv(ENV.databaseUrl),
    max: Number(process.env[ENV.poolSize] ?? 10),
  });
  const viewer = await pool.query<{ id: string }>('SELECT id FROM agency WHERE code = $1', [requiredEnv(ENV.viewerCode)]);
  const viewerId = viewer.rows[0]?.id;
  if (!viewerId) throw new Error('viewer agency not found');

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        try {
          const { variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables?: { code?: string } };
          const result = await pool.query<{ body: string }>({ name: 'bench_dens', text: DENS_SQL, values: [viewerId, variables?.code] });
          const body = result.rows[0]!.body;
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        } catch (error) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
});
