// A fresh, migrated database for one test file: PGlite restored from the template that
// global-setup made, or (DATABASE_URL set) a new uniquely named PostgreSQL database that is
// dropped again when the file ends. Runs never see each other's data.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../kernel/db.ts';

export type TestDatabase = Database & { readonly url: string | undefined };

function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(baseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const bytes = await readFile(inject('pgliteTemplate'));
    const db = await openDatabase({ dataDir: 'memory://', pgliteDump: new Blob([bytes]) });
    return Object.assign(db, { url: undefined });
  }
  const name = `liaison_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(baseUrl, `CREATE DATABASE ${name}`);
  const url = withDatabaseName(baseUrl, name);
  const db = await openDatabase({ databaseUrl: url, poolSize: 5 });
  await db.migrate();
  return {
    ...db,
    url,
    close: async () => {
      await db.close();
      await adminQuery(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
