// Development helper: writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL
// that brings the committed migrations up to schema.prisma (runs on an in-memory PGlite).
// Usage: npx tsx prisma/new-migration.ts add_something
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { createMigration } from './migrate.ts';

const name = process.argv[2];
if (!name) {
  console.error('usage: npx tsx prisma/new-migration.ts NAME');
  process.exit(2);
}
const pglite = new PGlite();
const dir = await createMigration(new PrismaPGlite(pglite), name);
console.log(dir ? `wrote ${dir}/migration.sql` : 'schema.prisma matches the migrations: nothing to write');
await pglite.close();
