// `liaison disclosures list|decide`: the disclosure requests of your agency (incoming: for your
// records, to decide; outgoing: those you made) and the owner's decision on one. Both call the
// gateway (GET /v1/disclosure-requests, POST /v1/disclosure-requests/{id}/decision) with a
// token that comes as for `liaison submit`.
import { addGatewayOptions, resolveToken, type TokenCliOptions } from '../gateway-token.ts';
import { decideDisclosureRequest, listDisclosures } from '../governance.ts';
import { defineCommand, enumOption, note, resolveGateway, UsageError, type LiaisonCommand } from '../support.ts';

const STATUSES = ['PENDING', 'OVERDUE', 'APPROVED', 'DENIED', 'REVOKED', 'EXPIRED'] as const;

type ListCliOptions = TokenCliOptions & { direction: 'incoming' | 'outgoing'; status?: (typeof STATUSES)[number]; json: boolean };
type DecideCliOptions = TokenCliOptions & { approve: boolean; deny: boolean; reason: string; expiresOn?: string; json: boolean };

export function registerDisclosureCommands(program: LiaisonCommand): void {
  const group = program.command('disclosures').description('disclosure requests: list them, and decide those for your records');

  const list = defineCommand(group, 'list', { data: 'gateway' })
    .description("list your agency's disclosure requests, newest first")
    .addOption(enumOption('--direction <direction>', 'incoming: for your records; outgoing: those you made', ['incoming', 'outgoing'] as const).default('incoming'))
    .addOption(enumOption('--status <status>', 'only requests of this status', STATUSES));
  addGatewayOptions(list, 'records:read')
    .option('--json', 'print the requests as JSON', false)
    .action(async (opts: ListCliOptions) => {
      const gateway = await resolveGateway(list, opts.url);
      const token = await resolveToken(list, opts, ['records:read']);
      note(`gateway: ${gateway.url} (from ${gateway.from})`);
      process.exitCode = await listDisclosures({ url: gateway.url, token, json: opts.json }, { direction: opts.direction, ...(opts.status ? { status: opts.status } : {}) });
    });

  const decide = defineCommand(group, 'decide', { data: 'gateway' })
    .description('approve or deny a disclosure request for one of your records (the requester is told)')
    .argument('<id>', 'the request id (from `liaison disclosures list`)')
    .option('--approve', 'let the requester read that record, and only it', false)
    .option('--deny', 'refuse', false)
    .requiredOption('--reason <text>', 'your reason (the requester reads it)')
    .option('--expires-on <yyyy-mm-dd>', 'with --approve: the last day (UTC) the requester may read the record');
  addGatewayOptions(decide, 'records:submit')
    .option('--json', 'print the decided request as JSON', false)
    .action(async (id: string, opts: DecideCliOptions) => {
      if (opts.approve === opts.deny) throw new UsageError('--approve or --deny: give exactly one');
      if (opts.expiresOn !== undefined && !opts.approve) throw new UsageError('--expires-on: goes with --approve only');
      const gateway = await resolveGateway(decide, opts.url);
      const token = await resolveToken(decide, opts, ['records:submit']);
      note(`gateway: ${gateway.url} (from ${gateway.from})`);
      process.exitCode = await decideDisclosureRequest({ url: gateway.url, token, json: opts.json }, id, {
        decision: opts.approve ? 'APPROVE' : 'DENY',
        reason: opts.reason,
        ...(opts.expiresOn ? { expiresOn: opts.expiresOn } : {}),
      });
    });
}
