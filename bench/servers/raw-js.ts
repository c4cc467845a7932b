// The second raw baseline for request (b): node:http + a pg Pool and three plain queries — the
// page of dens, then the first suspects and the first funds of those dens — with the JSON built
// in JavaScript, the shape Prisma's default strategy sends, without Prisma, GraphQL or auth.
// The same sharing predicate (bench/lib/sharing-sql.ts) for the same fixed viewer, the same
// orderings and page sizes, and the same output and scalar formats as the gateway's answer
// (bench/run.ts checks its data equals the other variants' before measuring it).
import { formatDecimal } from '../../schema/scalars.ts';
import { runBenchChild } from '../lib/child.ts';
import { DENS_PAGE, NESTED_PAGE } from '../lib/queries.ts';
import { benchPoolAndViewer, operationCodeOf, serveRaw } from '../lib/raw-http.ts';
import { globalId, visible } from '../lib/sharing-sql.ts';

const DENS = `
  SELECT d.id, d.country, d.region, d.den_type, d.status, d.raided_on::text AS raided_on, d.devices_seized
    FROM scam_den d
   WHERE d.operation_id = (SELECT o.id FROM operation o WHERE o.code = $2) AND ${visible('d')}
   ORDER BY d.id LIMIT ${DENS_PAGE}`;

/** The first NESTED_PAGE visible rows of `table` per den of $2, in id order. */
const firstPerDen = (table: string, columns: string) => `
  SELECT ${columns} FROM (
    SELECT x.*, row_number() OVER (PARTITION BY x.den_id ORDER BY x.id) AS n
      FROM ${table} x WHERE x.den_id = ANY($2::uuid[]) AND ${visible('x')}) x
   WHERE n <= ${NESTED_PAGE} ORDER BY x.den_id, x.id`;

const SUSPECTS = firstPerDen('suspect', 'x.den_id, x.id, x.person_key, x.role, x.status, x.status_on::text AS status_on');
const FUNDS = firstPerDen('intercepted_fund', 'x.den_id, x.id, x.amount::text AS amount, x.currency, x.amount_usd::text AS amount_usd, x.action');

type Den = { id: string; country: string; region: string | null; den_type: string; status: string; raided_on: string | null; devices_seized: number | null };
type SuspectRow = { den_id: string; id: string; person_key: string | null; role: string; status: string; status_on: string | null };
type FundRow = { den_id: string; id: string; amount: string; currency: string; amount_usd: string | null; action: string };

function byDen<T extends { den_id: string }>(rows: T[]): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const row of rows) {
    const list = grouped.get(row.den_id);
    if (list) list.push(row);
    else grouped.set(row.den_id, [row]);
  }
  return grouped;
}

await runBenchChild(async () => {
  const { pool, viewerId } = await benchPoolAndViewer();
  return serveRaw(async (body) => {
    const dens = (await pool.query<Den>({ name: 'bench_js_dens', text: DENS, values: [viewerId, operationCodeOf(body)] })).rows;
    const ids = dens.map((d) => d.id);
    const [suspects, funds] = await Promise.all([
      pool.query<SuspectRow>({ name: 'bench_js_suspects', text: SUSPECTS, values: [viewerId, ids] }),
      pool.query<FundRow>({ name: 'bench_js_funds', text: FUNDS, values: [viewerId, ids] }),
    ]);
    const suspectsOf = byDen(suspects.rows);
    const fundsOf = byDen(funds.rows);
    const edges = dens.map((d) => ({
      node: {
        id: globalId('ScamDen', d.id),
        country: d.country,
        region: d.region,
        denType: d.den_type,
        status: d.status,
        raidedOn: d.raided_on,
        devicesSeized: d.devices_seized,
        suspects: {
          edges: (suspectsOf.get(d.id) ?? []).map((s) => ({
            node: { id: globalId('Suspect', s.id), personKey: s.person_key, role: s.role, status: s.status, statusOn: s.status_on },
          })),
        },
        interceptedFunds: {
          edges: (fundsOf.get(d.id) ?? []).map((f) => ({
            node: {
              id: globalId('InterceptedFund', f.id),
              amount: formatDecimal(f.amount),
              currency: f.currency,
              amountUsd: f.amount_usd === null ? null : formatDecimal(f.amount_usd),
              action: f.action,
            },
          })),
        },
      },
    }));
    return { status: 200, body: JSON.stringify({ data: { scamDens: { edges } } }) };
  }, () => pool.end());
});
