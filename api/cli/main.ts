// The `liaison` command (README.md, "Command line"): builds the program and registers each
// group of commands, one file per group under commands/. What a command touches (and how it
// changes data while `liaison serve` holds the embedded database) is declared where it is
// registered (support.ts, `Access`).
import { createRequire } from 'node:module';
import { CommanderError, Help, type Option } from 'commander';
import { LiaisonError } from '../../kernel/errors.ts';
import { registerAgencyCommands } from './commands/agency.ts';
import { registerAuditCommands } from './commands/audit.ts';
import { registerKeysCommands } from './commands/keys.ts';
import { registerMigrateCommands } from './commands/migrate.ts';
import { registerOperationCommands } from './commands/operation.ts';
import { registerPersistedCommands } from './commands/persisted.ts';
import { registerRatesCommands } from './commands/rates.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerSubmitCommand } from './commands/submit.ts';
import { registerMatchCommand } from './commands/match.ts';
import { registerWatchCommands } from './commands/watch.ts';
import { registerDisclosureCommands } from './commands/disclosures.ts';
import { registerTokenCommand } from './commands/token.ts';
import { CliError, EXIT, LiaisonCommand } from './support.ts';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export const EXIT_CODES_HELP = `
Exit codes:
  0   done (submit: every record accepted)
  1   refused or failed (submit: nothing stored)
  2   submit: accepted, but some records were rejected (PARTIAL mode)
  64  usage error: a missing, unknown or invalid option or argument

Where commands go: a gateway from --url, else LIAISON_URL, else the server running on the
data directory (LIAISON_DATA_DIR, default ./.liaison); a database from DATABASE_URL, else the
embedded one in the data directory. Each command names its target on stderr.`;

export function buildCli(): LiaisonCommand {
  const program = new LiaisonCommand('liaison')
    .description('Liaison — data-exchange gateway for police cooperation against telecom and online fraud')
    .version(version, '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride()
    .configureHelp({
      optionDescription(option: Option) {
        const text = Help.prototype.optionDescription.call(this, option);
        return option.mandatory ? `${text} (required)` : text;
      },
    })
    .configureOutput({ outputError: (text, write) => write(text) })
    .addHelpText('after', EXIT_CODES_HELP) as LiaisonCommand;

  registerServeCommand(program);
  registerMigrateCommands(program);
  registerKeysCommands(program);
  registerAgencyCommands(program);
  registerOperationCommands(program);
  registerTokenCommand(program);
  registerSubmitCommand(program);
  registerMatchCommand(program);
  registerWatchCommands(program);
  registerDisclosureCommands(program);
  registerRatesCommands(program);
  registerPersistedCommands(program);
  registerAuditCommands(program);
  return program;
}

function describe(error: unknown): string {
  if (error instanceof LiaisonError) {
    return `${error.message}${error.issues ? `\n${JSON.stringify(error.issues, null, 2)}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message (or the help, or the version) already.
      process.exitCode = error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    process.stderr.write(`liaison: ${describe(error)}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : EXIT.REFUSED;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/api/cli/main.ts')) {
  await runCli(process.argv);
}
