// `liaison agency add`: registers a partner agency; `liaison agency limits`: sets an agency's
// own rate limits. Both go through the admin API while a server holds the embedded database.
import { InvalidArgumentError, Option } from 'commander';
import type { AgencyLimitsInput, RegisterAgencyInput } from '../../agencies.ts';
import { SCOPES } from '../../../kernel/scopes.ts';
import { asUsage, changeData, defineCommand, readJson, scopeList, type LiaisonCommand } from '../support.ts';

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
