// How a command that calls a gateway gets its partner token, shared by `liaison submit`,
// `liaison match` and `liaison disclosures`: --token (or LIAISON_TOKEN), --token-file, or minted
// here from --key and --agency with exactly the scopes the command needs (120 s). The token is
// never taken from anything else on the command line, and never printed.
import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import { mintAgencyToken } from './commands/token.ts';
import { UsageError, type LiaisonCommand } from './support.ts';

export type TokenCliOptions = { token?: string; tokenFile?: string; key?: string; agency?: string; audience?: string; url?: string };

/** Adds --token, --token-file, --key, --agency, --audience and --url to a gateway command. */
export function addGatewayOptions(command: LiaisonCommand, scopes: string): LiaisonCommand {
  return command
    .addOption(new Option('--token <token>', `a token with the ${scopes} scope (from \`liaison token\`)`).env('LIAISON_TOKEN'))
    .option('--token-file <file>', 'read the token from a file')
    .option('--key <file>', `mint the token here with this private JWK (scope ${scopes}, 120 s)`)
    .option('--agency <code>', 'the agency of --key (the iss of the minted token)')
    .option('--audience <aud>', 'audience of the minted token (default: LIAISON_AUDIENCE or liaison-gateway)')
    .addOption(new Option('--url <url>', 'gateway URL (default: the server running on LIAISON_DATA_DIR)').env('LIAISON_URL')) as LiaisonCommand;
}

/** The token from exactly one of the ways above; a usage error names what is missing or doubled. */
export async function resolveToken(command: LiaisonCommand, opts: TokenCliOptions, scopes: string[]): Promise<string> {
  const explicit = [
    command.getOptionValueSource('token') === 'cli' ? '--token' : undefined,
    opts.tokenFile !== undefined ? '--token-file' : undefined,
    opts.key !== undefined ? '--key' : undefined,
  ].filter(Boolean);
  if (explicit.length > 1) throw new UsageError(`${explicit.join(' and ')}: give one way to the token`);
  if (opts.tokenFile !== undefined) {
    const text = await readFile(opts.tokenFile, 'utf8').catch(() => {
      throw new UsageError(`--token-file: cannot read ${opts.tokenFile}`);
    });
    if (!text.trim()) throw new UsageError(`--token-file: ${opts.tokenFile} is empty`);
    return text.trim();
  }
  if (opts.key !== undefined) {
    if (!opts.agency) throw new UsageError('--agency: required with --key (the agency the key belongs to)');
    return mintAgencyToken({ agency: opts.agency, key: opts.key, scopes, sub: 'officer-1', ttl: 120, audience: opts.audience });
  }
  if (opts.token) return opts.token;
  throw new UsageError('--token: a token is needed: --token, --token-file, LIAISON_TOKEN, or --key with --agency to mint one');
}
