// The raw baseline for request (b) whose JSON PostgreSQL builds: node:http + a pg Pool, no
// framework, no GraphQL, no auth (bench/servers/raw-js.ts is the other raw baseline).
// One prepared SQL statement per request in which PostgreSQL builds the whole JSON answer
// (json_agg/json_build_object, LATERAL subqueries for each den's suspects and funds), with the
// gateway's sharing predicate (bench/lib/sharing-sql.ts) for the same fixed viewer, the same orderings
// and page sizes, and the same output shape and scalar formats as the GraphQL answer: Relay
// global ids (base64 "Type:uuid"), dates as YYYY-MM-DD, decimals with at least two decimals.
// It reads the same POST body as the gateway and uses only `variables.code`.
import { runBenchChild } from '../lib/child.ts';
import { benchPoolAndViewer, operationCodeOf, serveRaw } from '../lib/raw-http.ts';
import { DENS_PAGE, NESTED_PAGE } from '../lib/queries.ts';
import { dateSql as date, decimalSql as decimal, globalIdSql as globalId, visible } from '../lib/sharing-sql.ts';

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
  const { pool, viewerId } = await benchPoolAndViewer();
  return serveRaw(async (body) => {
    const result = await pool.query<{ body: string }>({ name: 'bench_dens', text: DENS_SQL, values: [viewerId, operationCodeOf(body)] });
    return { status: 200, body: result.rows[0]!.body };
  }, () => pool.end());
});
