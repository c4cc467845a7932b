// `liaison agency add`: registers a partner agency; `liaison agency limits`: sets an agency's
// own rate limits. Both go through the admin API while a server holds the embedded database.
// The rest of an agency's life (show, keys, suspend, update) is in ./agency-lifecycle.ts.
import { InvalidArgumentError, Option } from 'commander';
import type { AgencyLimitsInput, RegisterAgencyInput } from '../../agencies.ts';
import { SCOPES } from '../../../kernel/scopes.ts';
import { registerAgencyLifecycleCommands } from './agency-lifecycle.ts';
import { asUsage, changeData, config, defineCommand, readJson, scopeList, UsageError, withDatabase, type LiaisonCommand } from '../support.ts';

/** Input fields of the agency service, as the command's options. */
const OPTION_OF = { code: '--code', name: '--name', country: '--country', jwks: '--jwks', jwksUri: '--jwks-uri', scopes: '--scopes' };
const LIMIT_OPTION_OF = { code: '--code', requestsPerMinute: '--requests-per-minute', costPerMinute: '--cost-per-minute' };

/** A positive whole number per minute, or `default` (the gateway's setting). */
function perMinute(value: string): number | 'default' {
  if (value === 'default') return value;
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new InvalidArgumentError('a whole number from 1 to 100000000, or "default".');
  return Number(value);
}

export function registerAgencyCommands(program: LiaisonCommand): void {
  const agency = program.command('agency').description('partner agencies');
  registerWebhookCommands(agency);
  registerAgencyLifecycleCommands(agency);
  const add = defineCommand(agency, 'add', { data: 'changes', route: 'admin-api' })
    .description('register a partner agency with its public keys')
    .requiredOption('--code <code>', 'agency code, e.g. ES-PN (the iss of its tokens)')
    .requiredOption('--name <name>', 'agency name')
    .requiredOption('--country <cc>', 'ISO 3166-1 alpha-2 country code')
    .option('--jwks <file>', 'JWKS file with the public keys (from `liaison keys generate`)')
    .option('--jwks-uri <url>', 'https URL the gateway fetches the JWKS from')
    .addOption(
      new Option('--scopes <scopes>', `allowed scopes, space or comma separated: ${SCOPES.join(', ')}`)
        .argParser(scopeList(SCOPES))
        .default(['records:read', 'records:submit', 'match:query'], '"records:read records:submit match:query"'),
    )
    .action(async (opts: { code: string; name: string; country: string; jwks?: string; jwksUri?: string; scopes: string[] }) => {
      const input: RegisterAgencyInput = {
        code: opts.code,
        name: opts.name,
        country: opts.country.toUpperCase(),
        scopes: opts.scopes as RegisterAgencyInput['scopes'],
        ...(opts.jwks ? { jwks: await readJson(opts.jwks, 'JWKS') } : {}),
        ...(opts.jwksUri ? { jwksUri: opts.jwksUri } : {}),
      };
      const { registerAgency } = await import('../../agencies.ts');
      await asUsage(OPTION_OF, () => changeData(add, (db) => registerAgency(db.prisma, input), { path: '/admin/v1/agencies', body: input }));
      process.stdout.write(`registered agency ${opts.code}\n`);
    });

  const limits = defineCommand(agency, 'limits', { data: 'changes', route: 'admin-api' })
    .description("set an agency's own rate limits (default: LIAISON_RATE_REQUESTS_PER_MINUTE, LIAISON_RATE_COST_PER_MINUTE)")
    .requiredOption('--code <code>', 'agency code')
    .option('--requests-per-minute <n>', 'requests per minute (GraphQL and REST), or "default"', perMinute)
    .option('--cost-per-minute <n>', 'GraphQL cost points per minute, or "default"', perMinute)
    .action(async (opts: { code: string; requestsPerMinute?: number | 'default'; costPerMinute?: number | 'default' }) => {
      // The service takes null for "the gateway's default" (commander would turn a null into '').
      const stored = (value: number | 'default') => (value === 'default' ? null : value);
      const input: AgencyLimitsInput = {
        code: opts.code,
        ...(opts.requestsPerMinute !== undefined ? { requestsPerMinute: stored(opts.requestsPerMinute) } : {}),
        ...(opts.costPerMinute !== undefined ? { costPerMinute: stored(opts.costPerMinute) } : {}),
      };
      const { setAgencyLimits } = await import('../../agencies.ts');
      await asUsage(LIMIT_OPTION_OF, () => changeData(limits, (db) => setAgencyLimits(db.prisma, input), { path: '/admin/v1/agency-limits', body: input }));
      const shown = (value: number | 'default' | undefined) => (value === undefined ? 'unchanged' : value === 'default' ? 'the default' : String(value));
      process.stdout.write(`limits of ${opts.code}: requests per minute ${shown(opts.requestsPerMinute)}, cost per minute ${shown(opts.costPerMinute)}\n`);
    });
}

/**
 * `liaison agency webhook`: sets or removes an agency's webhook (through the admin API while a
 * server holds the embedded database, so that server's setting on loopback URLs applies);
 * `liaison agency webhook-log`: its delivery counts and latest attempts.
 */
function registerWebhookCommands(agency: LiaisonCommand): void {
  const webhook = defineCommand(agency, 'webhook', { data: 'changes', route: 'admin-api' })
    .description("set or remove the HTTPS URL the agency's events are POSTed to, signed (docs/events.md)")
    .requiredOption('--code <code>', 'agency code, e.g. ES-PN')
    .option('--url <url>', 'https URL of the receiver')
    .option('--remove', 'remove the webhook (pending deliveries are dropped, the log is kept)')
    .action(async (opts: { code: string; url?: string; remove?: boolean }) => {
      if (Boolean(opts.url) === Boolean(opts.remove)) throw new UsageError('give either --url <url> or --remove');
      const input = { code: opts.code, url: opts.url ?? null };
      const { setAgencyWebhook } = await import('../../webhooks/registry.ts');
      const allowLoopback = config().webhookAllowLoopback;
      await asUsage({ code: '--code', url: '--url' }, () =>
        changeData(webhook, (db) => setAgencyWebhook(db.prisma, input, { allowLoopback }), { path: '/admin/v1/agency-webhooks', body: input }),
      );
      process.stdout.write(opts.url ? `webhook of ${opts.code}: ${opts.url}\n` : `webhook of ${opts.code} removed\n`);
    });

  const log = defineCommand(agency, 'webhook-log', { data: 'reads', route: 'direct-only' })
    .description("an agency's webhook deliveries: counts by state and the latest attempts")
    .requiredOption('--code <code>', 'agency code, e.g. ES-PN')
    .option('--limit <n>', 'attempts to show (1 to 500)', '20')
    .option('--json', 'print JSON')
    .action(async (opts: { code: string; limit: string; json?: boolean }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit: a whole number from 1 to 500');
      const { readWebhookLog } = await import('../../webhooks/registry.ts');
      const report = await withDatabase(log, (db) => readWebhookLog(db.prisma, opts.code, limit));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${report.code}: ${report.url ?? 'no webhook'}\n`);
      process.stdout.write(`delivered ${report.delivered}, pending ${report.pending}, failed ${report.failed}\n`);
      for (const a of report.attempts) {
        const answer = a.error ?? `HTTP ${a.httpStatus}`;
        const next = a.nextAttemptAt ? `, next try ${a.nextAttemptAt.toISOString()}` : '';
        process.stdout.write(`${a.at.toISOString()}  event ${a.eventId}  attempt ${a.attempt}  ${answer}${next}\n`);
      }
    });
}
