// `liaison init` and `liaison migrate`: the only commands besides `serve` that may create a
// new embedded database; every other command refuses a data directory without one.
import { embeddedDatabaseExists } from '../../../kernel/data-dir.ts';
import { config, defineCommand, withDatabase, type LiaisonCommand } from '../support.ts';

export function registerMigrateCommands(program: LiaisonCommand): void {
  const init = defineCommand(program, 'init', { data: 'changes', route: 'direct-only', createsDatabase: true })
    .description('create the embedded database in LIAISON_DATA_DIR (default ./.liaison), or prepare DATABASE_URL')
    .action(async () => {
      const cfg = config();
      const existed = !cfg.databaseUrl && (await embeddedDatabaseExists(cfg.dataDir));
      const applied = await withDatabase(init, async (db) => {
        const { loadPseudonymKey } = await import('../../../kernel/data-dir.ts');
        await loadPseudonymKey(cfg);
        return db.migrate();
      });
      const where = cfg.databaseUrl ? 'the PostgreSQL database' : `the embedded database in ${cfg.dataDir}`;
      process.stdout.write(
        existed ? `${where} already exists${applied.length ? `; applied: ${applied.join(', ')}` : ''}\n` : `initialised ${where}\n`,
      );
    });

  const migrate = defineCommand(program, 'migrate', { data: 'changes', route: 'direct-only', createsDatabase: true })
    .description('apply pending database migrations (creates the embedded database when there is none)')
    .action(async () => {
      const applied = await withDatabase(migrate, (db) => db.migrate());
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    });
}
