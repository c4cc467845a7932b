// `liaison agency show|suspend|reactivate|update C` and `liaison agency keys list|add|remove
// --agency C`: an agency's life after registration (api/agency-lifecycle.ts). Each goes
// through the admin API while `liaison serve` holds the embedded database, and each change is
// audited (subject `operator`). docs/operations.md, "Compromised key", is the runbook.
import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import type { AgencyKeyView, AgencyView, RemovedKey } from '../../agency-lifecycle.ts';
import { ALLOWED_ALGS, type AllowedAlg } from '../../auth/key-policy.ts';
import { SCOPES } from '../../../kernel/scopes.ts';
import { asUsage, changeData, CliError, defineCommand, enumOption, note, readData, scopeList, UsageError, type LiaisonCommand } from '../support.ts';

const lifecycle = () => import('../../agency-lifecycle.ts');
const CLI = { via: 'cli' } as const;
const agencyPath = (code: string) => `/admin/v1/agencies/${encodeURIComponent(code)}`;

function printKeys(keys: readonly AgencyKeyView[]): void {
  if (keys.length === 0) {
    process.stdout.write('no registered keys\n');
    return;
  }
  process.stdout.write('KID\tALG\tADDED\tSTATE\n');
  for (const k of keys) process.stdout.write(`${k.kid}\t${k.alg}\t${k.added}\t${k.state === 'removed' ? `removed ${k.removed}` : 'active'}\n`);
}

function json(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function registerAgencyLifecycleCommands(agency: LiaisonCommand): void {
  const show = defineCommand(agency, 'show', { data: 'reads', route: 'admin-api' })
    .description("an agency's status, scopes, JWKS URI, limits and keys")
    .argument('<code>', 'agency code, e.g. ES-PN')
    .option('--json', 'print JSON')
    .action(async (code: string, opts: { json?: boolean }) => {
      const view = await asUsage({ code: 'agency code' }, () =>
        readData<AgencyView>(show, async (db) => (await lifecycle()).showAgency(db.prisma, code), { path: agencyPath(code) }),
      );
      if (opts.json) return json(view);
      const limit = (n: number | null) => (n === null ? 'default' : String(n));
      process.stdout.write(
        `${view.code}  ${view.name} (${view.country})  ${view.status}\n` +
          `scopes: ${view.scopes.join(' ')}\n` +
          `jwks uri: ${view.jwksUri ?? '-'}\n` +
          `limits: requests per minute ${limit(view.requestsPerMinute)}, cost per minute ${limit(view.costPerMinute)}\n` +
          `persisted operations only: ${view.persistedOnly ? 'on' : 'off'}\n` +
          `registered: ${view.registered}\n`,
      );
      printKeys(view.keys);
    });

  for (const [name, status, verb] of [
    ['suspend', 'SUSPENDED', 'suspended'],
    ['reactivate', 'ACTIVE', 'reactivated'],
  ] as const) {
    const command = defineCommand(agency, name, { data: 'changes', route: 'admin-api' })
      .description(
        status === 'SUSPENDED'
          ? "refuse every token of the agency at once, end its event streams and hold its webhook deliveries (in every gateway process)"
          : 'let a suspended agency in again (its keys as they are now)',
      )
      .argument('<code>', 'agency code, e.g. ES-PN')
      .action(async (code: string) => {
        const input = { code, status };
        const result = await asUsage({ code: 'agency code' }, async () =>
          changeData(command, async (db) => (await lifecycle()).setAgencyStatus(db.prisma, input, CLI), { path: '/admin/v1/agency-status', body: input }),
        );
        process.stdout.write(result.changed ? `agency ${result.code} ${verb}\n` : `agency ${result.code} was already ${status === 'SUSPENDED' ? 'suspended' : 'active'}\n`);
      });
  }

  const update = defineCommand(agency, 'update', { data: 'changes', route: 'admin-api' })
    .description("change an agency's allowed scopes and/or its JWKS URI")
    .argument('<code>', 'agency code, e.g. ES-PN')
    .addOption(new Option('--scopes <scopes>', `allowed scopes, space or comma separated: ${SCOPES.join(', ')}`).argParser(scopeList(SCOPES)))
    .option('--jwks-uri <url>', 'https URL the gateway fetches the JWKS from')
    .option('--remove-jwks-uri', 'stop fetching a JWKS (only registered keys verify)')
    .action(async (code: string, opts: { scopes?: string[]; jwksUri?: string; removeJwksUri?: boolean }) => {
      if (opts.jwksUri && opts.removeJwksUri) throw new UsageError('give --jwks-uri or --remove-jwks-uri, not both');
      const input = {
        code,
        ...(opts.scopes ? { scopes: opts.scopes as (typeof SCOPES)[number][] } : {}),
        ...(opts.jwksUri ? { jwksUri: opts.jwksUri } : opts.removeJwksUri ? { jwksUri: null } : {}),
      };
      const result = await asUsage({ code: 'agency code', scopes: '--scopes', jwksUri: '--jwks-uri' }, async () =>
        changeData(update, async (db) => (await lifecycle()).updateAgency(db.prisma, input, CLI), { path: '/admin/v1/agency-settings', body: input }),
      );
      if (result.warning) note(`warning: ${result.warning}`);
      process.stdout.write(`agency ${result.code}: scopes ${result.scopes.join(' ')}; jwks uri ${result.jwksUri ?? '-'}\n`);
    });

  registerKeyCommands(agency);
}

function registerKeyCommands(agency: LiaisonCommand): void {
  const keys = agency.command('keys').description("an agency's registered public keys");
  const KEY_OPTIONS = { code: '--agency', jwks: '--jwks', kid: '--kid', alg: '--alg' };

  const list = defineCommand(keys, 'list', { data: 'reads', route: 'admin-api' })
    .description('kid, alg, when added, and state (active, or removed and when) of each key')
    .requiredOption('--agency <code>', 'agency code, e.g. ES-PN')
    .option('--json', 'print JSON')
    .action(async (opts: { agency: string; json?: boolean }) => {
      const listed = await asUsage(KEY_OPTIONS, () =>
        readData(list, async (db) => (await lifecycle()).listAgencyKeys(db.prisma, opts.agency), { path: `${agencyPath(opts.agency)}/keys` }),
      );
      if (opts.json) return json(listed);
      if (listed.jwksUri) process.stdout.write(`keys also fetched from ${listed.jwksUri}\n`);
      printKeys(listed.keys);
    });

  const add = defineCommand(keys, 'add', { data: 'changes', route: 'admin-api' })
    .description('register more public keys of an agency: a JWKS, a JWK, or a PEM public key (give --kid and --alg)')
    .requiredOption('--agency <code>', 'agency code, e.g. ES-PN')
    .requiredOption('--jwks <file>', 'JWKS or JWK JSON file (from `liaison keys generate`), or a PEM public key')
    .option('--kid <kid>', 'key id, for a PEM key or a JWK without one')
    .addOption(enumOption('--alg <alg>', 'signature algorithm, for a PEM key or a JWK without one', ALLOWED_ALGS))
    .action(async (opts: { agency: string; jwks: string; kid?: string; alg?: AllowedAlg }) => {
      const text = await readFile(opts.jwks, 'utf8').catch(() => {
        throw new CliError(`cannot read key file ${opts.jwks}`);
      });
      const result = await asUsage(KEY_OPTIONS, async () => {
        const { jwksFromKeyFile } = await import('../../auth/keys.ts');
        const input = { code: opts.agency, jwks: await jwksFromKeyFile(text, { kid: opts.kid, alg: opts.alg }) };
        return changeData(add, async (db) => (await lifecycle()).addAgencyKeys(db.prisma, input, CLI), { path: '/admin/v1/agency-keys', body: input });
      });
      for (const k of result.added) process.stdout.write(`added key ${k.kid} (${k.alg}) to ${result.code}\n`);
    });

  const remove = defineCommand(keys, 'remove', { data: 'changes', route: 'admin-api' })
    .description('withdraw a key at once, in every gateway process; the kid is never accepted again')
    .requiredOption('--agency <code>', 'agency code, e.g. ES-PN')
    .requiredOption('--kid <kid>', 'the key id to withdraw')
    .action(async (opts: { agency: string; kid: string }) => {
      const input = { code: opts.agency, kid: opts.kid };
      const result = await asUsage(KEY_OPTIONS, async () =>
        changeData<RemovedKey>(remove, async (db) => (await lifecycle()).removeAgencyKey(db.prisma, input, CLI), {
          path: '/admin/v1/agency-keys/removal',
          body: input,
        }),
      );
      if (result.warning) note(`warning: ${result.warning}`);
      process.stdout.write(`removed key ${result.kid} of ${result.code}; ${result.activeKeys} active registered key(s) left\n`);
    });
}
