// `liaison persisted add|list|only`: registered GraphQL documents (trusted documents), on the
// database, or through the admin API while `liaison serve` holds the embedded database (there
// the serving process applies a change at once).
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import type { PersistedOperationRow } from '../../persisted-operations.ts';
import { changeData, CliError, defineCommand, readData, type LiaisonCommand } from '../support.ts';

export function registerPersistedCommands(program: LiaisonCommand): void {
  const persisted = program.command('persisted').description('persisted operations (trusted documents) clients run by hash');
  const add = defineCommand(persisted, 'add', { data: 'changes', route: 'admin-api' })
    .description('register a GraphQL document; prints its hash (hex SHA-256 of the file text)')
    .argument('<file>', 'a .graphql file with the operation')
    .option('--agency <code>', 'only this agency may run it (default: every agency)')
    .option('--name <name>', 'a name for listings (default: the operation name)')
    .action(async (file: string, opts: { agency?: string; name?: string }) => {
      const document = await readFile(file, 'utf8').catch(() => {
        throw new CliError(`cannot read document file ${file}`);
      });
      const { registerPersistedOperation } = await import('../../persisted-operations.ts');
      const input = { document, ...(opts.name ? { name: opts.name } : {}), ...(opts.agency ? { agencyCode: opts.agency } : {}) };
      const result = await changeData(add, (db) => registerPersistedOperation(db.prisma, input), { path: '/admin/v1/persisted-operations', body: input });
      process.stdout.write(`${result.hash}  ${result.name ?? '-'}  ${result.created ? 'registered' : 'already registered'}\n`);
    });

  const list = defineCommand(persisted, 'list', { data: 'reads', route: 'admin-api' })
    .description('list registered operations: hash, name, agency (* = every agency)')
    .action(async () => {
      const { listPersistedOperations } = await import('../../persisted-operations.ts');
      // Through the admin API the rows come as JSON; only hash, name and agency are printed.
      const rows = await readData<Pick<PersistedOperationRow, 'hash' | 'name' | 'agencyCode'>[]>(list, (db) => listPersistedOperations(db.prisma), {
        path: '/admin/v1/persisted-operations',
      });
      for (const r of rows) process.stdout.write(`${r.hash}  ${r.name ?? '-'}  ${r.agencyCode ?? '*'}\n`);
    });

  const only = defineCommand(persisted, 'only', { data: 'changes', route: 'admin-api' })
    .description('switch an agency to registered operations only (on) or back (off)')
    .requiredOption('--agency <code>', 'agency code')
    .argument('<switch>', 'on or off', (value: string) => {
      const v = value.toLowerCase();
      if (v !== 'on' && v !== 'off') throw new InvalidArgumentError('on or off');
      return v;
    })
    .action(async (state: 'on' | 'off', opts: { agency: string }) => {
      const { setPersistedOnly } = await import('../../persisted-operations.ts');
      const input = { agencyCode: opts.agency, on: state === 'on' };
      await changeData(only, (db) => setPersistedOnly(db.prisma, input.agencyCode, input.on), { path: '/admin/v1/persisted-only', body: input });
      process.stdout.write(`agency ${opts.agency}: persisted operations only ${state}\n`);
    });
}
