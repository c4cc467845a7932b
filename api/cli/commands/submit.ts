// `liaison submit FILE`: sends a partner file to a gateway. The gateway comes from --url, else
// LIAISON_URL, else the server running on the data directory; the token from --token (or
// LIAISON_TOKEN), --token-file, or is minted here from --key and --agency. The format
// choices are the adapter registry's.
import { writeFile } from 'node:fs/promises';
import { ADAPTER_FORMATS } from '../../../adapters/index.ts';
import { addGatewayOptions, resolveToken, type TokenCliOptions } from '../gateway-token.ts';
import { defineCommand, enumOption, note, resolveGateway, type LiaisonCommand } from '../support.ts';

type SubmitCliOptions = TokenCliOptions & {
  format: string;
  operation: string;
  mode: 'ATOMIC' | 'PARTIAL';
  dryRun: boolean;
  handling?: 'H0' | 'H1' | 'H2';
  evaluation?: string;
  idempotencyKey?: string;
  json: boolean;
  out?: string;
};

export function registerSubmitCommand(program: LiaisonCommand): void {
  const submit = defineCommand(program, 'submit', { data: 'gateway' })
    .description('send a partner file to the gateway and print the signed report')
    .argument('<file>', 'the file as the partner produced it')
    .addOption(enumOption('--format <format>', 'the file format', ADAPTER_FORMATS).makeOptionMandatory())
    .requiredOption('--operation <code>', 'operation code, e.g. FIRST-LIGHT-2022');
  addGatewayOptions(submit, 'records:submit')
    .addOption(enumOption('--mode <mode>', 'ATOMIC: all or nothing; PARTIAL: store the valid records', ['ATOMIC', 'PARTIAL'] as const).default('ATOMIC'))
    .option('--dry-run', 'check everything, store nothing (the report is not kept and has no id)', false)
    .addOption(enumOption('--handling <code>', 'handling code for records that carry none (H3 is set per record)', ['H0', 'H1', 'H2'] as const))
    .option('--evaluation <code>', 'evaluation for records that carry none: source reliability A/B/C/X then 1-4, e.g. B2')
    .option('--idempotency-key <key>', 'retrying with the same key returns the first report')
    .option('--json', 'print the whole report with its receipt as JSON', false)
    .option('--out <file>', 'also write the whole report with its receipt as JSON to FILE')
    .addHelpText('after', '\nExit codes: 0 every record accepted, 2 accepted with rejected records (PARTIAL), 1 refused, 64 usage.')
    .action(async (file: string, opts: SubmitCliOptions) => {
      const gateway = await resolveGateway(submit, opts.url);
      const token = await resolveToken(submit, opts, ['records:submit']);
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
        ...(opts.handling ? { handling: opts.handling } : {}),
        ...(opts.evaluation ? { evaluation: opts.evaluation } : {}),
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
