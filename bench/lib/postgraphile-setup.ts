// What PostGraphile needs to serve the bench database with the gateway's sharing rule: a role
// of its own (NOLOGIN; the child's connection switches to it per request through PostGraphile's
// `pgSettings`), read access to the record tables, and row-level security policies for that
// role only that apply the rule of bench/lib/sharing-sql.ts to the viewer named in the request
// setting `bench.viewer_id`. The gateway and the raw baselines connect as the tables' owner,
// which row-level security does not apply to, so they read exactly as before. The role is the
// cluster's: dropRole() removes it once the bench database is dropped.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { visible } from './sharing-sql.ts';

const RECORD_TABLES = ['scam_den', 'suspect', 'intercepted_fund'] as const;
const READ_TABLES = [...RECORD_TABLES, 'operation', 'operation_participant', 'agency'];
export const VIEWER_SETTING = 'bench.viewer_id';

async function run(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates the role and the policies in the bench database at `url`; returns the role's name. */
export async function preparePostgraphile(url: string): Promise<string> {
  const role = `liaison_bench_pg_${randomBytes(4).toString('hex')}`;
  const viewer = `current_setting('${VIEWER_SETTING}')::uuid`;
  await run(url, [
    `CREATE ROLE ${role} NOLOGIN`,
    `GRANT ${role} TO CURRENT_USER`,
    `GRANT USAGE ON SCHEMA public TO ${role}`,
    `GRANT SELECT ON ${READ_TABLES.join(', ')} TO ${role}`,
    ...RECORD_TABLES.flatMap((table) => [
      `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
      `CREATE POLICY bench_sharing ON ${table} FOR SELECT TO ${role} USING ${visible(table, viewer)}`,
    ]),
  ]);
  return role;
}

/** Drops the role (after the bench database that held its grants and policies is gone). */
export async function dropRole(serverUrl: string, role: string): Promise<void> {
  await run(serverUrl, [`DROP ROLE IF EXISTS ${role}`]);
}
