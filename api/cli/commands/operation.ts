// `liaison operation create`: a joint operation, through the admin API while a server holds
// the embedded database. Bad dates or unknown agencies come back naming the option. The
// operator registers participants that agreed offline, so they join at once (partners invite
// each other over GraphQL instead, and invitees join when they accept).
import type { CreateOperationInput } from '../../../schema/operations.ts';
import { asUsage, changeData, defineCommand, list, type LiaisonCommand } from '../support.ts';

/** Input fields of the operation service, as the command's options. */
const OPTION_OF = { code: '--code', name: '--name', lead: '--lead', participants: '--participants', startsOn: '--starts', endsOn: '--ends' };

export function registerOperationCommands(program: LiaisonCommand): void {
  const operation = program.command('operation').description('joint operations');
  const create = defineCommand(operation, 'create', { data: 'changes', route: 'admin-api' })
    .description('create a joint operation')
    .requiredOption('--code <code>', 'operation code, e.g. FIRST-LIGHT-2022')
    .requiredOption('--name <name>', 'operation name')
    .requiredOption('--lead <agency>', 'code of the lead agency')
    .option('--participants <list>', 'codes of the other agencies, which agreed offline and join at once, comma separated', list, [])
    .option('--starts <date>', 'start date YYYY-MM-DD')
    .option('--ends <date>', 'end date YYYY-MM-DD')
    .action(async (opts: { code: string; name: string; lead: string; participants: string[]; starts?: string; ends?: string }) => {
      const input: CreateOperationInput = {
        code: opts.code,
        name: opts.name,
        lead: opts.lead,
        participants: opts.participants,
        ...(opts.starts ? { startsOn: opts.starts } : {}),
        ...(opts.ends ? { endsOn: opts.ends } : {}),
      };
      const { createOperation, createOperationInput } = await import('../../../schema/operations.ts');
      const { badInput } = await import('../../../kernel/errors.ts');
      await asUsage(OPTION_OF, async () => {
        // Checked here too, so that a bad date fails before any database or gateway is reached.
        const checked = createOperationInput.safeParse(input);
        if (!checked.success) throw badInput(checked.error);
        return changeData(create, (db) => createOperation(db.prisma, input), { path: '/admin/v1/operations', body: input });
      });
      process.stdout.write(`created operation ${opts.code} led by ${opts.lead}\n`);
    });
}
