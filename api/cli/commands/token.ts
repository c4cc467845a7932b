// `liaison token`: a short-lived token signed with an agency's private key, printed on stdout.
// No gateway is involved; `submit --key` mints its own the same way.
import { InvalidArgumentError, Option } from 'commander';
import type { mintToken } from '../../auth/keys.ts';
import { SCOPES } from '../../../kernel/scopes.ts';
import { config, defineCommand, readJson, scopeList, type LiaisonCommand } from '../support.ts';

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

export function registerTokenCommand(program: LiaisonCommand): void {
  defineCommand(program, 'token', { data: 'none' })
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
    .action(async (opts: { agency: string; key: string; scope: string[]; sub: string; ttl: number; audience?: string }) => {
      process.stdout.write(`${await mintAgencyToken({ ...opts, scopes: opts.scope })}\n`);
    });
}
