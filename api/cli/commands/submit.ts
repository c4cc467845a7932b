// `liaison submit FILE`: sends a partner file to a gateway. The gateway comes from --url, else
// LIAISON_URL, else the server running on the data directory; the token from --token (or
// LIAISON_TOKEN), --token-file, or is minted here from --key and --agency. The format
// choices are the adapter registry's.
import { readFile, writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import { ADAPTER_FORMATS } from '../../../adapters/index.ts';
import { defineCommand, enumOption, note, resolveGateway, UsageError, type LiaisonCommand } from '../support.ts';
import { mintAgencyToken } from './token.ts';

type SubmitCliOptions = {
  format: string;
  operation: string;
  token?: string;
  tokenFile?: string;
  key?: string;
  agency?: string;
  audience?: string;
  url?: string;
  mode: 'ATOMIC' | 'PARTIAL';
  dryRun: boolean;
  idempotencyKey?: string;
  json: boolean;
  out?: string;
};

async function resolveToken(command: LiaisonCommand, opts: SubmitCliOptions): Promise<string> {
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
    return mintAgencyToken({ agency: opts.agency, key: opts.key, scopes: ['records:submit'], sub: 'officer-1', ttl: 120, audience: opts.audience });
  }
  if (opts.token) return opts.token;
  throw new UsageError('--token: a token is needed: --token, --token-file, LIAISON_TOKEN, or --key with --agency to mint one');
}

export function registerSubmitCommand(program: LiaisonCommand): void {
  const submit = defineCommand(program, 'submit', { data: 'gateway' })
    .description('send a partner file to the gateway and print the signed report')
    .argument('<file>', 'the file as the partner produced it')
    .addOption(enumOption('--format <format>', 'the file format', ADAPTER_FORMATS).makeOptionMandatory())
    .requiredOption('--operation <code>', 'operation code, e.g. FIRST-LIGHT-2022')
    .addOption(new Option('--token <token>', 'a token with the records:submit scope (from `liaison token`)').env('LIAISON_TOKEN'))
    .option('--token-file <file>', 'read the token from a file')
    .option('--key <file>', 'mint the token here with this private JWK (scope records:submit, 120 s)')
    .option('--agency <code>', 'the agency of --key (the iss of the minted token)')
    .option('--audience <aud>', 'audience of the minted token (default: LIAISON_AUDIENCE or liaison-gateway)')
    .addOption(new Option('--url <url>', 'gateway URL (default: the server running on LIAISON_DATA_DIR)').env('LIAISON_URL'))
    .addOption(enumOption('--mode <mode>', 'ATOMIC: all or nothing; PARTIAL: store the valid records', ['ATOMIC', 'PARTIAL'] as const).default('ATOMIC'))
    .option('--dry-run', 'check everything, store nothing (the report is not kept and has no id)', false)
    .option('--idempotency-key <key>', 'retrying with the same key returns the first report')
    .option('--json', 'print the whole report with its receipt as JSON', false)
    .option('--out <file>', 'also write the whole report with its receipt as JSON to FILE')
    .addHelpText('after', '\nExit codes: 0 every record accepted, 2 accepted with rejected records (PARTIAL), 1 refused, 64 usage.')
    .action(async (file: string, opts: SubmitCliOptions) => {
      const gateway = await resolveGateway(submit, opts.url);
      const token = await resolveToken(submit, opts);
      note(`gateway: ${gateway.url} (from ${gateway.from})`);
      const { submitFile } = await import('../submit.ts');
      const outcome = await submitFile({
        file,
        format: opts.format,
        operation: opts.operation,
        token,
        url: gateway.url,
        mode: opts.mode,
        dryRun: opts.dryRun,
        ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
        progress: Boolean(process.stderr.isTTY) && !opts.json,
        json: opts.json,
      });
      if (opts.out) {
        await writeFile(opts.out, `${JSON.stringify(outcome.body, null, 2)}\n`);
        note(`report and receipt written to ${opts.out}`);
      }
      process.exitCode = outcome.exitCode;
    });
}
