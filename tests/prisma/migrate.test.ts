// The WebAssembly migration runner: migrations apply on a fresh database, a second run
// applies nothing, and the committed migrations already describe schema.prisma (a schema
// change without its migration fails here; create one with `npx tsx prisma/new-migration.ts NAME`).
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingSchemaChange } from '../../prisma/migrate.ts';
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
