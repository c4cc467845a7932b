// `liaison watch create|list|cancel`: standing matches (POST, GET and DELETE /v1/watches). A
// watch keeps the selectors of its identifiers — given as for `liaison match`, one by options or
// many from --file ids.csv — until --until (at most 90 days; 30 by default); when a later
// submission of another agency stores a record carrying one, your agency gets WATCH_HIT with a
// hitRef and the owner MATCH_HIT. Creating one takes its identifiers from the daily match
// quota. The values go to the gateway only and are never printed back.
import { addGatewayOptions, resolveToken, type TokenCliOptions } from '../gateway-token.ts';
import { cancelWatchCall, createWatchCall, listWatchesCall } from '../governance.ts';
import { defineCommand, note, resolveGateway, UsageError, type LiaisonCommand } from '../support.ts';
import { addIdentifierOptions, identifiersOf, type MatchCliOptions } from './match.ts';

type CreateCliOptions = MatchCliOptions & { until?: string };
type ListCliOptions = TokenCliOptions & { first?: string; after?: string; json: boolean };
type CancelCliOptions = TokenCliOptions & { json: boolean };

/** --until: an RFC 3339 time or a YYYY-MM-DD day (its end is not implied: 00:00 UTC of that day). */
function untilOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const at = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : new Date(text);
  if (Number.isNaN(at.getTime())) throw new UsageError('--until: a date (YYYY-MM-DD) or a date-time (RFC 3339)');
  return at.toISOString();
}

export function registerWatchCommands(program: LiaisonCommand): void {
  const group = program.command('watch').description('standing matches: told when a partner later stores a record with these identifiers');

  const create = addIdentifierOptions(
    defineCommand(group, 'create', { data: 'gateway' }).description(
      'watch identifiers until a date (counts against the daily match quota; owners of later hits are told)',
    ),
    'watch',
  )
    .option('--until <date>', 'when the watch ends: YYYY-MM-DD (00:00 UTC) or RFC 3339; at most 90 days ahead (default 30 days)');
  addGatewayOptions(create, 'match:query')
    .option('--json', 'print the watch as JSON', false)
    .addHelpText('after', '\nHits arrive as WATCH_HIT events (`GET /v1/events`), each with a hitRef to request disclosure with.')
    .action(async (opts: CreateCliOptions) => {
      const identifiers = await identifiersOf(opts);
      const until = untilOf(opts.until);
      const gateway = await resolveGateway(create, opts.url);
      const token = await resolveToken(create, opts, ['match:query']);
      note(`gateway: ${gateway.url} (from ${gateway.from})`);
      process.exitCode = await createWatchCall(
        { url: gateway.url, token, json: opts.json },
        { identifiers, purpose: opts.purpose, ...(opts.case ? { caseRef: opts.case } : {}), ...(until ? { until } : {}) },
      );
    });

  const list = defineCommand(group, 'list', { data: 'gateway' })
    .description("list your agency's watches, a page at a time (oldest first; each shows its status)")
    .option('--first <n>', 'watches per page, 1 to 100 (default 20)')
    .option('--after <cursor>', 'the next page: the cursor the previous page printed');
  addGatewayOptions(list, 'match:query')
    .option('--json', 'print the watches as JSON', false)
    .action(async (opts: ListCliOptions) => {
      const gateway = await resolveGateway(list, opts.url);
      const token = await resolveToken(list, opts, ['match:query']);
      note(`gateway: ${gateway.url} (from ${gateway.from})`);
      if (opts.first !== undefined && !/^(100|[1-9][0-9]?)$/.test(opts.first)) throw new UsageError('--first: a number from 1 to 100');
      process.exitCode = await listWatchesCall(
        { url: gateway.url, token, json: opts.json },
        { ...(opts.first ? { first: Number(opts.first) } : {}), ...(opts.after ? { after: opts.after } : {}) },
      );
    });

  const cancel = defineCommand(group, 'cancel', { data: 'gateway' })
    .description('cancel one of your watches: it never fires again')
    .argument('<id>', 'the watch id (from `liaison watch list`)');
  addGatewayOptions(cancel, 'match:query')
    .option('--json', 'print the cancelled watch as JSON', false)
    .action(async (id: string, opts: CancelCliOptions) => {
      const gateway = await resolveGateway(cancel, opts.url);
      const token = await resolveToken(cancel, opts, ['match:query']);
      note(`gateway: ${gateway.url} (from ${gateway.from})`);
      process.exitCode = await cancelWatchCall({ url: gateway.url, token, json: opts.json }, id);
    });
}
