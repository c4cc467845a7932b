// `liaison persisted add|list|only`: registered GraphQL documents (trusted documents), written
// directly to the database (the admin API does not offer them: stop the embedded server first).
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { CliError, defineCommand, withDatabase, type LiaisonCommand } from '../support.ts';

export function registerPersistedCommands(program: LiaisonCommand): void {
  const persisted = program.command('persisted').description('persisted operations (trusted documents) clients run by hash');
  const add = defineCommand(persisted, 'add', { data: 'changes', route: 'direct-only' })
    .description('register a GraphQL document; prints its hash (hex SHA-256 of the file text)')
    .argument('<file>', 'a .graphql file with the operation')
    .option('--agency <code>', 'only this agency may run it (default: every agency)')
    .option('--name <name>', 'a name for listings (default: the operation name)')
    .action(async (file: string, opts: { agency?: string; name?: string }) => {
      const document = await readFile(file, 'utf8').catch(() => {
        throw new CliError(`cannot read document file ${file}`);
      });
      const { registerPersistedOperation } = await import('../../persisted-operations.ts');
      const result = await withDatabase(add, (db) =>
        registerPersistedOperation(db.prisma, { document, name: opts.name, agencyCode: opts.agency }),
      );
      process.stdout.write(`${result.hash}  ${result.name ?? '-'}  ${result.created ? 'registered' : 'already registered'}\n`);
    });

  const list = defineCommand(persisted, 'list', { data: 'reads', route: 'direct-only' })
    .description('list registered operations: hash, name, agency (* = every agency)')
    .action(async () => {
      const { listPersistedOperations } = await import('../../persisted-operations.ts');
      const rows = await withDatabase(list, (db) => listPersistedOperations(db.prisma));
      for (const r of rows) process.stdout.write(`${r.hash}  ${r.name ?? '-'}  ${r.agencyCode ?? '*'}\n`);
    });

  const only = defineCommand(persisted, 'only', { data: 'changes', route: 'direct-only' })
    .description('switch an agency to registered operations only (on) or back (off)')
    .requiredOption('--agency <code>', 'agency code')
    .argument('<switch>', 'on or off', (value: string) => {
      const v = value.toLowerCase();
      if (v !== 'on' && v !== 'off') throw new InvalidArgumentError('on or off');
      return v;
    })
    .action(async (state: 'on' | 'off', opts: { agency: string }) => {
      const { setPersistedOnly } = await import('../../persisted-operations.ts');
      await withDatabase(only, (db) => setPersistedOnly(db.prisma, opts.agency, state === 'on'));
      process.stdout.write(`agency ${opts.agency}: persisted operations only ${state}\n`);
    });
}
