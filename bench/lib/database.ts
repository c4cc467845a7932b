// The bench's own PostgreSQL database: created fresh with a unique name on the server of
// DATABASE_URL (else postgres://postgres@127.0.0.1:5432), migrated with the project's
// migrations, filled by the deterministic generator (api/cli/seed/generate.ts) with three
// agencies in one operation, analysed, and dropped at the end (also after a failure).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { registerAgency } from '../../api/agencies.ts';
import { generateAgencyKeyPair, type AgencyKeyPair } from '../../api/auth/keys.ts';
import { openDatabase } from '../../kernel/db.ts';
import { createOperation } from '../../schema/operations.ts';
import { generateRecords, type GeneratedCounts } from '../../api/cli/seed/generate.ts';

export const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export type BenchAgency = { id: string; code: string; keys: AgencyKeyPair };

export type SeededDatabase = {
  name: string;
  url: string;
  pseudonymKey: string;
  operationCode: string;
  operationId: string;
  agencies: BenchAgency[];
  counts: GeneratedCounts;
  seedSeconds: number;
};

export type DataShape = { dens: number; suspects: number; funds: number; seed: number };

const AGENCIES = [
  { code: 'ES-PN', name: 'Policía Nacional (bench)', country: 'ES' },
  { code: 'CN-MPS', name: 'Ministry of Public Security (bench)', country: 'CN' },
  { code: 'PH-PNP', name: 'Philippine National Police (bench)', country: 'PH' },
];
const OPERATION_CODE = 'BENCH-FIRST-LIGHT';

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function benchServerUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL || DEFAULT_SERVER_URL;
}

/** Creates the uniquely named database; the returned drop() is safe to call more than once. */
export async function createBenchDatabase(serverUrl: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `liaison_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  let dropped = false;
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Migrates and fills the database; returns what the load phase needs (agency keys, codes). */
export async function seedBenchDatabase(target: { name: string; url: string }, shape: DataShape): Promise<SeededDatabase> {
  const started = performance.now();
  const pseudonymKey = randomBytes(32).toString('hex');
  const db = await openDatabase({ databaseUrl: target.url, poolSize: 4, statementTimeoutMs: 600_000 });
  try {
    await db.migrate();
    const agencies: BenchAgency[] = [];
    for (const a of AGENCIES) {
      const keys = await generateAgencyKeyPair({ kid: `${a.code.toLowerCase()}-bench` });
      const row = await registerAgency(db.prisma, { ...a, jwks: keys.jwks, scopes: ['records:read'] });
      agencies.push({ id: row.id, code: row.code, keys });
    }
    const operation = await createOperation(db.prisma, {
      code: OPERATION_CODE,
      name: 'Bench operation',
      lead: AGENCIES[0]!.code,
      participants: AGENCIES.slice(1).map((a) => a.code),
      startsOn: '2024-01-01',
    });
    const counts = await generateRecords(db.prisma, {
      seed: shape.seed,
      pseudonymKey,
      owners: agencies.map((a) => ({ id: a.id, code: a.code })),
      operationId: operation.id,
      dens: shape.dens,
      suspects: shape.suspects,
      funds: shape.funds,
    });
    // Fresh bulk-loaded tables: give the planner statistics and the visibility map up front.
    await db.prisma.$executeRawUnsafe('VACUUM (ANALYZE) scam_den, suspect, intercepted_fund, selector, operation_participant, agency');
    return {
      ...target,
      pseudonymKey,
      operationCode: OPERATION_CODE,
      operationId: operation.id,
      agencies,
      counts,
      seedSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await db.close();
  }
}
