// The WebAssembly migration runner: migrations apply on a fresh database, a second run
// applies nothing, and the committed migrations already describe schema.prisma (a schema
// change without its migration fails here; create one with `npx tsx prisma/new-migration.ts NAME`).
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingSchemaChange } from '../../prisma/migrate.ts';
import { MIGRATION_TURN_LOCK, openDatabase } from '../../kernel/db.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

describe('prisma/migrate.ts', () => {
  it('has applied every migration, and a second run applies none', async () => {
    const tables = await db.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_name IN ('agency', 'scam_den', 'suspect', 'intercepted_fund', 'audit_event', 'replay_cache')`;
    expect(tables[0]!.n).toBe(6);
    expect(await db.migrate()).toEqual([]);
  });

  it('has no schema change without a migration', async () => {
    // The diff replays the migrations on a shadow database: an in-memory PGlite, whatever
    // database this run targets (the PostgreSQL adapter would reuse the target itself).
    const shadow = new PGlite();
    try {
      expect(await pendingSchemaChange(new PrismaPGlite(shadow))).toBe('');
    } finally {
      await shadow.close();
    }
  });

  // Prisma's schema engine waits 10 s for its migration lock and then gives up; two gateway
  // processes starting together on a busy machine met that in CI. A process waits its turn.
  it.skipIf(!process.env.DATABASE_URL)('REL-20 waits its turn while another process migrates for longer than the engine would wait', async () => {
    const other = await openDatabase({ databaseUrl: db.url });
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      // Another process's migration run: it holds the turn for 12 s.
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_TURN_LOCK.toString()]);
      const migrating = other.migrate();
      const outcome = await Promise.race([migrating.then(() => 'done', (e: Error) => e.message), new Promise((r) => setTimeout(() => r('waiting'), 12_000))]);
      expect(outcome).toBe('waiting');
      await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_TURN_LOCK.toString()]);
      expect(await migrating).toEqual([]);
    } finally {
      await holder.end();
      await other.close();
    }
  }, 60_000);

  it('keeps a unique (owner, sourceRef) per record type', async () => {
    const rows = await db.prisma.$queryRaw<{ indexname: string }[]>`
      SELECT indexname FROM pg_indexes WHERE indexname LIKE '%owner_id_source_ref_key' ORDER BY indexname`;
    expect(rows.map((r) => r.indexname)).toEqual([
      'intercepted_fund_owner_id_source_ref_key',
      'scam_den_owner_id_source_ref_key',
      'suspect_owner_id_source_ref_key',
    ]);
  });
});
