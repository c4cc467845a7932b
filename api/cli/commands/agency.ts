// `liaison agency add`: registers a partner agency, through the admin API while a server
// holds the embedded database.
import { Option } from 'commander';
import type { RegisterAgencyInput } from '../../agencies.ts';
import { SCOPES } from '../../../kernel/scopes.ts';
import { asUsage, changeData, defineCommand, readJson, scopeList, type LiaisonCommand } from '../support.ts';

/** Input fields of the agency service, as the command's options. */
const OPTION_OF = { code: '--code', name: '--name', country: '--country', jwks: '--jwks', jwksUri: '--jwks-uri', scopes: '--scopes' };

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
}
