// `liaison match`: asks the gateway whether any partner holds a record with these identifiers
// (POST /v1/matches, governed: purpose, quota, the owner is told). One identifier from --type,
// --value and --country, or many from --file ids.csv. The token comes as for `liaison submit`;
// the values go to the gateway only and are never printed back.
import { addGatewayOptions, resolveToken, type TokenCliOptions } from '../gateway-token.ts';
import { defineCommand, enumOption, note, resolveGateway, UsageError, type LiaisonCommand } from '../support.ts';
import { identifierTypes, matchIdentifiers, readIdentifierCsv } from '../governance.ts';

export type MatchCliOptions = TokenCliOptions & {
  purpose: string;
  case?: string;
  type?: string;
  value?: string;
  country?: string;
  birthDate?: string;
  file?: string;
  json: boolean;
};

type Identifier = Awaited<ReturnType<typeof readIdentifierCsv>>[number];

/** The identifiers: exactly one of --file or --type with --value. */
export async function identifiersOf(opts: Pick<MatchCliOptions, 'file' | 'type' | 'value' | 'country' | 'birthDate'>): Promise<Identifier[]> {
  if (opts.file !== undefined) {
    if (opts.type !== undefined || opts.value !== undefined) throw new UsageError('--file: give either --file or --type with --value, not both');
    return readIdentifierCsv(opts.file);
  }
  if (opts.type === undefined || opts.value === undefined) throw new UsageError('--type and --value: required without --file');
  return [
    {
      type: opts.type as Identifier['type'],
      value: opts.value,
      ...(opts.country ? { country: opts.country } : {}),
      ...(opts.birthDate ? { birthDate: opts.birthDate } : {}),
    },
  ];
}

/** The purpose, case and identifier options `liaison match` and `liaison watch create` share. */
export function addIdentifierOptions(command: LiaisonCommand, verb: 'ask' | 'watch'): LiaisonCommand {
  return command
    .requiredOption('--purpose <text>', `why you ${verb} (the owners of records hit read it)`)
    .option('--case <ref>', 'your case reference (the owners of records hit read it)')
    .addOption(enumOption('--type <type>', 'the identifier type', identifierTypes))
    .option('--value <value>', 'the identifier (NAME_DOB: the full name)')
    .option('--country <cc>', 'issuing country of a document, or country of a phone or account without one')
    .option('--birth-date <yyyy-mm-dd>', 'NAME_DOB only: the birth date')
    .option('--file <ids.csv>', 'many identifiers: a CSV with the header type,value,country,birthDate,ticker') as LiaisonCommand;
}

export function registerMatchCommand(program: LiaisonCommand): void {
  const match = addIdentifierOptions(
    defineCommand(program, 'match', { data: 'gateway' }).description(
      'hit/no-hit: does any partner hold a record with these identifiers? (counts against the daily quota; owners are told)',
    ),
    'ask',
  );
  addGatewayOptions(match, 'match:query')
    .option('--json', 'print the answer as JSON', false)
    .addHelpText('after', '\nEach hit prints its hitRef: quote it to `POST /v1/disclosure-requests` (or requestDisclosure) to ask the owner for the record.')
    .action(async (opts: MatchCliOptions) => {
      const identifiers = await identifiersOf(opts);
      const gateway = await resolveGateway(match, opts.url);
      const token = await resolveToken(match, opts, ['match:query']);
      note(`gateway: ${gateway.url} (from ${gateway.from})`);
      process.exitCode = await matchIdentifiers(
        { url: gateway.url, token, json: opts.json },
        { identifiers, purpose: opts.purpose, ...(opts.case ? { caseRef: opts.case } : {}) },
      );
    });
}
