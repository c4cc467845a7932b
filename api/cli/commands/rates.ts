// `liaison rates load FILE`: reference exchange rates for amountUsd, written directly to the
// database (the admin API does not offer it: stop the embedded server first).
import { readFile } from 'node:fs/promises';
import { CliError, defineCommand, withDatabase, type LiaisonCommand } from '../support.ts';

export function registerRatesCommands(program: LiaisonCommand): void {
  const rates = program.command('rates').description('reference exchange rates for amountUsd');
  const load = defineCommand(rates, 'load', { data: 'changes', route: 'direct-only' })
    .description('load a rates file (same format as ingest/rates/) into the database')
    .argument('<file>', 'rates file')
    .action(async (file: string) => {
      const { parseRatesFile, loadRates } = await import('../../../ingest/rates.ts');
      const text = await readFile(file, 'utf8').catch(() => {
        throw new CliError(`cannot read rates file ${file}`);
      });
      const parsed = parseRatesFile(text);
      if (!parsed.ok) {
        throw new CliError(`rates file ${file} is invalid:\n${parsed.issues.map((i) => `  line ${i.line}: ${i.field} ${i.code}`).join('\n')}`);
      }
      const result = await withDatabase(load, (db) => loadRates(db.prisma, parsed.rows));
      process.stdout.write(`rates loaded: ${result.inserted} new, ${result.updated} updated\n`);
    });
}
