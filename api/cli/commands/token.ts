// `liaison token`: a short-lived token signed with an agency's private key, printed on stdout.
// No gateway is involved; `submit --key` mints its own the same way. With --oauth the signed
// token is instead an assertion sent to the gateway's OAuth token endpoint, and what is printed
// is the reusable access token it returns (many requests until it expires; docs/access-tokens.md).
import { InvalidArgumentError, Option } from 'commander';
import type { mintToken } from '../../auth/keys.ts';
import { SCOPES } from '../../../kernel/scopes.ts';
import { CliError, config, defineCommand, note, readJson, resolveGateway, scopeList, type LiaisonCommand } from '../support.ts';

function ttl(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 300) throw new InvalidArgumentError('an integer from 1 to 300 (seconds)');
  return n;
}

export type MintOptions = { agency: string; key: string; scopes: string[]; sub: string; ttl: number; audience?: string | undefined };

export async function mintAgencyToken(opts: MintOptions): Promise<string> {
  const privateJwk = (await readJson(opts.key, 'private key')) as Parameters<typeof mintToken>[0]['privateJwk'];
  const { mintToken } = await import('../../auth/keys.ts');
  return mintToken({
    privateJwk,
    iss: opts.agency,
    sub: opts.sub,
    aud: opts.audience ?? config().audience,
    scope: opts.scopes.join(' '),
    ttlSeconds: opts.ttl,
    now: new Date(),
  });
}

async function fetchAgencyAccessToken(command: LiaisonCommand, opts: { agency: string; key: string; scope: string[]; sub: string; url?: string }): Promise<string> {
  const gateway = await resolveGateway(command, opts.url);
  note(`gateway: ${gateway.url} (from ${gateway.from}); asking its OAuth token endpoint for an access token`);
  const privateJwk = (await readJson(opts.key, 'private key')) as Parameters<typeof mintToken>[0]['privateJwk'];
  const { fetchAccessToken, OAuthClientError } = await import('../../auth/oauth-client.ts');
  try {
    const token = await fetchAccessToken({ url: gateway.url, agency: opts.agency, privateJwk, scope: opts.scope.join(' '), subject: opts.sub });
    note(`access token (${token.tokenType}) valid ${token.expiresIn} s for any number of requests; scopes: ${token.scope || '(none)'}`);
    return token.accessToken;
  } catch (error) {
    if (error instanceof OAuthClientError) throw new CliError(error.message);
    throw error;
  }
}

export function registerTokenCommand(program: LiaisonCommand): void {
  const token = defineCommand(program, 'token', { data: 'gateway' })
    .description('mint a short-lived token signed with an agency key (prints it on stdout)')
    .requiredOption('--agency <code>', 'agency code (the iss)')
    .requiredOption('--key <file>', 'private JWK file of the agency')
    .addOption(
      new Option('--scope <scopes>', `space-separated scopes: ${SCOPES.join(', ')}`)
        .argParser(scopeList(SCOPES))
        .default(['records:read', 'records:submit', 'match:query', 'operations:manage'], '"records:read records:submit match:query operations:manage"'),
    )
    .option('--sub <subject>', 'officer or system id (the sub)', 'officer-1')
    .option('--ttl <seconds>', 'lifetime in seconds, at most 300', ttl, 300)
    .option('--audience <aud>', 'audience (default: LIAISON_AUDIENCE or liaison-gateway)')
    .option('--oauth', "get a reusable access token from the gateway's OAuth token endpoint instead (RFC 7523 client assertion)")
    .addOption(new Option('--url <url>', 'with --oauth: gateway URL (default: the server running on LIAISON_DATA_DIR)').env('LIAISON_URL'))
    .action(async (opts: { agency: string; key: string; scope: string[]; sub: string; ttl: number; audience?: string; oauth?: boolean; url?: string }) => {
      const printed = opts.oauth ? await fetchAgencyAccessToken(token, opts) : await mintAgencyToken({ ...opts, scopes: opts.scope });
      process.stdout.write(`${printed}\n`);
    });
}
