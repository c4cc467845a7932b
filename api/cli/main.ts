// The `liaison` command (DESIGN.md, "Command line"). Data-changing commands open the
// database directly, except on the embedded database while `liaison serve` holds it: then
// they go through the server's loopback admin API with the operator credential the server
// published in the data directory (kernel/data-dir.ts).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { RegisterAgencyInput } from '../agencies.ts';
import type { mintToken } from '../auth/keys.ts';
import { ALLOWED_ALGS } from '../auth/key-policy.ts';
import { loadConfig, type Config } from '../../kernel/config.ts';
import { acquireLock, loadPseudonymKey, readLock } from '../../kernel/data-dir.ts';
import type { Database } from '../../kernel/db.ts';
import { LiaisonError } from '../../kernel/errors.ts';
import type { CreateOperationInput } from '../../schema/operations.ts';

// Heavy modules (database, schema, server) load only in the commands that need them, so
// `--help`, `token` and `keys generate` start quickly.
const OPERATOR_HEADER = 'x-liaison-operator';

class CliError extends Error {}

function config(): Config {
  return loadConfig();
}

async function withDatabase<T>(cfg: Config, work: (db: Database) => Promise<T>): Promise<T> {
  const release = cfg.databaseUrl ? async () => {} : await acquireLock(cfg.dataDir, { role: 'cli' });
  const { openDatabase } = await import('../../kernel/db.ts');
  const db = await openDatabase({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir });
  try {
    await db.migrate();
    return await work(db);
  } finally {
    await db.close();
    await release();
  }
}

/** For commands the admin API does not offer: the embedded database must be free. */
async function withDirectDatabase<T>(cfg: Config, work: (db: Database) => Promise<T>): Promise<T> {
  if (!cfg.databaseUrl && (await readLock(cfg.dataDir))) {
    throw new CliError('stop `liaison serve` first (the embedded database is in use), or run against DATABASE_URL');
  }
  return withDatabase(cfg, work);
}

/** Runs `direct` on the database, or `viaServer` when a running server holds the embedded database. */
async function changeData<T>(
  cfg: Config,
  direct: (db: Database) => Promise<T>,
  viaServer: { path: string; body: unknown },
): Promise<T> {
  const holder = cfg.databaseUrl ? undefined : await readLock(cfg.dataDir);
  if (!holder) return withDatabase(cfg, direct);
  if (holder.role !== 'serve' || !holder.url || !holder.operatorToken) {
    throw new CliError(`the data directory ${cfg.dataDir} is in use by process ${holder.pid}; try again shortly`);
  }
  const response = await fetch(new URL(viaServer.path, holder.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', [OPERATOR_HEADER]: holder.operatorToken },
    body: JSON.stringify(viaServer.body),
  });
  const payload = (await response.json()) as { detail?: string; issues?: unknown[] };
  if (!response.ok) {
    throw new CliError(`${payload.detail ?? response.statusText}${payload.issues ? `\n${JSON.stringify(payload.issues, null, 2)}` : ''}`);
  }
  return payload as T;
}

async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new CliError(`cannot read ${what} file ${path}`);
  });
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${what} file ${path} is not valid JSON`);
  }
}

function list(value: string): string[] {
  return value.split(/[,\s]+/).filter(Boolean);
}

function ttl(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 300) throw new InvalidArgumentError('an integer from 1 to 300 (seconds)');
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number');
  return n;
}

export function buildCli(): Command {
  const program = new Command('liaison')
    .description('Liaison — data-exchange gateway for police cooperation against telecom and online fraud')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command('serve')
    .description('run the gateway (migrates the database first)')
    .option('--port <port>', 'port to listen on (default: PORT or 4000)', port)
    .option('--demo', 'seed demo agencies, keys and records once (embedded database)', false)
    .action(async (opts: { port?: number; demo: boolean }) => {
      const cfg = loadConfig(process.env, opts.port === undefined ? {} : { port: opts.port });
      const { createLogger } = await import('../../kernel/logger.ts');
      const { startServer } = await import('../server.ts');
      const logger = createLogger({ level: cfg.logLevel, pretty: cfg.prettyLogs });
      const { url, demo } = await startServer({ config: cfg, logger, demo: opts.demo });
      const lines = [
        '',
        `  Liaison gateway listening on ${url}`,
        `  GraphiQL:  ${url}/graphql${cfg.graphiql ? '' : ' (disabled: set LIAISON_GRAPHIQL=true)'}`,
        `  Health:    ${url}/healthz   Metrics: ${url}/metrics`,
      ];
      if (demo) {
        const key = join(demo.keyDir, 'ES-PN.private.jwk.json');
        lines.push(
          '',
          `  Demo data ${demo.seeded ? 'seeded' : 'already present'}: agencies ${demo.agencies.join(', ')}, operation ${demo.operation}.`,
          '  Mint a demo token (valid 300 s, usable once) and paste it into GraphiQL\'s Headers tab:',
          `    npx liaison token --agency ES-PN --key ${key}`,
          '  as   { "Authorization": "Bearer <token>" }',
        );
      }
      process.stdout.write(`${lines.join('\n')}\n\n`);
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const cfg = config();
      const applied = await withDatabase(cfg, (db) => db.migrate());
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    });

  const keys = program.command('keys').description('key tooling for partner agencies');
  keys
    .command('generate')
    .description('generate a signing key pair: DIR/private.jwk.json (keep secret) and DIR/jwks.json (register it)')
    .requiredOption('--kid <kid>', 'key id, e.g. es-pn-2026-1')
    .addOption(new Option('--alg <alg>', 'signature algorithm').choices([...ALLOWED_ALGS]).default('EdDSA'))
    .requiredOption('--out <dir>', 'directory to write the files to')
    .action(async (opts: { kid: string; alg: (typeof ALLOWED_ALGS)[number]; out: string }) => {
      const { generateAgencyKeyPair } = await import('../auth/keys.ts');
      const pair = await generateAgencyKeyPair({ kid: opts.kid, alg: opts.alg });
      const dir = resolve(opts.out);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'private.jwk.json'), `${JSON.stringify(pair.privateJwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' }).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'EEXIST') throw new CliError(`${join(dir, 'private.jwk.json')} exists; not overwriting a key`);
          throw error;
        },
      );
      await writeFile(join(dir, 'jwks.json'), `${JSON.stringify(pair.jwks, null, 2)}\n`);
      process.stdout.write(`wrote ${join(dir, 'private.jwk.json')} (secret, mode 600) and ${join(dir, 'jwks.json')}\n`);
    });

  keys
    .command('rotate-gateway')
    .description('retire the gateway receipt-signing key and create a new one (old receipts keep verifying)')
    .action(async () => {
      const cfg = config();
      if (!cfg.databaseUrl && (await readLock(cfg.dataDir))) {
        throw new CliError('stop `liaison serve` first (the embedded database is in use), or run against DATABASE_URL');
      }
      const kid = await withDatabase(cfg, async (db) => {
        const { createReceiptSigner } = await import('../../ingest/receipts.ts');
        const signer = await createReceiptSigner(db.prisma, await loadPseudonymKey(cfg));
        return signer.rotate();
      });
      process.stdout.write(`new receipt key ${kid}; earlier keys stay published at /.well-known/jwks.json\n`);
    });

  const agency = program.command('agency').description('partner agencies');
  agency
    .command('add')
    .description('register a partner agency with its public keys')
    .requiredOption('--code <code>', 'agency code, e.g. ES-PN (the iss of its tokens)')
    .requiredOption('--name <name>', 'agency name')
    .requiredOption('--country <cc>', 'ISO 3166-1 alpha-2 country code')
    .option('--jwks <file>', 'JWKS file with the public keys (from `liaison keys generate`)')
    .option('--jwks-uri <url>', 'https URL the gateway fetches the JWKS from')
    .option('--scopes <scopes>', 'allowed scopes, space or comma separated', 'records:read records:submit match:query')
    .action(async (opts: { code: string; name: string; country: string; jwks?: string; jwksUri?: string; scopes: string }) => {
      const input: RegisterAgencyInput = {
        code: opts.code,
        name: opts.name,
        country: opts.country.toUpperCase(),
        scopes: list(opts.scopes) as RegisterAgencyInput['scopes'],
        ...(opts.jwks ? { jwks: await readJson(opts.jwks, 'JWKS') } : {}),
        ...(opts.jwksUri ? { jwksUri: opts.jwksUri } : {}),
      };
      const cfg = config();
      const { registerAgency } = await import('../agencies.ts');
      await changeData(cfg, (db) => registerAgency(db.prisma, input), { path: '/admin/v1/agencies', body: input });
      process.stdout.write(`registered agency ${opts.code}\n`);
    });

  const operation = program.command('operation').description('joint operations');
  operation
    .command('create')
    .description('create a joint operation')
    .requiredOption('--code <code>', 'operation code, e.g. FIRST-LIGHT-2022')
    .requiredOption('--name <name>', 'operation name')
    .requiredOption('--lead <agency>', 'code of the lead agency')
    .option('--participants <list>', 'codes of the other participating agencies, comma separated', list, [])
    .option('--starts <date>', 'start date YYYY-MM-DD')
    .option('--ends <date>', 'end date YYYY-MM-DD')
    .action(async (opts: { code: string; name: string; lead: string; participants: string[]; starts?: string; ends?: string }) => {
      const input: CreateOperationInput = {
        code: opts.code,
        name: opts.name,
        lead: opts.lead,
        participants: opts.participants,
        ...(opts.starts ? { startsOn: opts.starts } : {}),
        ...(opts.ends ? { endsOn: opts.ends } : {}),
      };
      const cfg = config();
      const { createOperation } = await import('../../schema/operations.ts');
      await changeData(cfg, (db) => createOperation(db.prisma, input), { path: '/admin/v1/operations', body: input });
      process.stdout.write(`created operation ${opts.code} led by ${opts.lead}\n`);
    });

  program
    .command('token')
    .description('mint a short-lived token signed with an agency key (prints it on stdout)')
    .requiredOption('--agency <code>', 'agency code (the iss)')
    .requiredOption('--key <file>', 'private JWK file of the agency')
    .option('--scope <scopes>', 'space-separated scopes', 'records:read records:submit match:query operations:manage')
    .option('--sub <subject>', 'officer or system id (the sub)', 'officer-1')
    .option('--ttl <seconds>', 'lifetime in seconds, at most 300', ttl, 300)
    .option('--audience <aud>', 'audience (default: LIAISON_AUDIENCE or liaison-gateway)')
    .action(async (opts: { agency: string; key: string; scope: string; sub: string; ttl: number; audience?: string }) => {
      const privateJwk = (await readJson(opts.key, 'private key')) as Parameters<typeof mintToken>[0]['privateJwk'];
      const { mintToken } = await import('../auth/keys.ts');
      const token = await mintToken({
        privateJwk,
        iss: opts.agency,
        sub: opts.sub,
        aud: opts.audience ?? config().audience,
        scope: opts.scope,
        ttlSeconds: opts.ttl,
        now: new Date(),
      });
      process.stdout.write(`${token}\n`);
    });

  program
    .command('submit')
    .description('send a partner file to the gateway and print the signed report')
    .argument('<file>', 'the file as the partner produced it')
    .requiredOption('--format <format>', 'liaison-json, cn-mps-json, es-pn-csv, umf-xml or stix-2.1')
    .requiredOption('--operation <code>', 'operation code, e.g. FIRST-LIGHT-2022')
    .requiredOption('--token <token>', 'a token with the records:submit scope (from `liaison token`)')
    .option('--url <url>', 'gateway URL (default: the local server, else http://127.0.0.1:4000)')
    .addOption(new Option('--mode <mode>', 'ATOMIC: all or nothing; PARTIAL: store valid records').choices(['ATOMIC', 'PARTIAL']).default('ATOMIC'))
    .option('--dry-run', 'check everything, store nothing', false)
    .option('--idempotency-key <key>', 'retrying with the same key returns the first report')
    .action(async (file: string, opts: { format: string; operation: string; token: string; url?: string; mode: 'ATOMIC' | 'PARTIAL'; dryRun: boolean; idempotencyKey?: string }) => {
      const cfg = config();
      const holder = cfg.databaseUrl ? undefined : await readLock(cfg.dataDir);
      const { submitFile } = await import('./submit.ts');
      const ok = await submitFile({
        file,
        format: opts.format,
        operation: opts.operation,
        token: opts.token,
        url: opts.url ?? holder?.url ?? `http://127.0.0.1:${cfg.port}`,
        mode: opts.mode,
        dryRun: opts.dryRun,
        ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
        progress: Boolean(process.stderr.isTTY),
      });
      if (!ok) process.exitCode = 1;
    });

  const rates = program.command('rates').description('reference exchange rates for amountUsd');
  rates
    .command('load')
    .description('load a rates file (same format as ingest/rates/) into the database')
    .argument('<file>', 'rates file')
    .action(async (file: string) => {
      const cfg = config();
      const { parseRatesFile, loadRates } = await import('../../ingest/rates.ts');
      const text = await readFile(file, 'utf8').catch(() => {
        throw new CliError(`cannot read rates file ${file}`);
      });
      const parsed = parseRatesFile(text);
      if (!parsed.ok) {
        throw new CliError(`rates file ${file} is invalid:\n${parsed.issues.map((i) => `  line ${i.line}: ${i.field} ${i.code}`).join('\n')}`);
      }
      if (!cfg.databaseUrl && (await readLock(cfg.dataDir))) {
        throw new CliError('stop `liaison serve` first (the embedded database is in use), or run against DATABASE_URL');
      }
      const result = await withDatabase(cfg, (db) => loadRates(db.prisma, parsed.rows));
      process.stdout.write(`rates loaded: ${result.inserted} new, ${result.updated} updated\n`);
    });

  const persisted = program.command('persisted').description('persisted operations (trusted documents) clients run by hash');
  persisted
    .command('add')
    .description('register a GraphQL document; prints its hash (hex SHA-256 of the file text)')
    .argument('<file>', 'a .graphql file with the operation')
    .option('--agency <code>', 'only this agency may run it (default: every agency)')
    .option('--name <name>', 'a name for listings (default: the operation name)')
    .action(async (file: string, opts: { agency?: string; name?: string }) => {
      const document = await readFile(file, 'utf8').catch(() => {
        throw new CliError(`cannot read document file ${file}`);
      });
      const { registerPersistedOperation } = await import('../persisted-operations.ts');
      const result = await withDirectDatabase(config(), (db) =>
        registerPersistedOperation(db.prisma, { document, name: opts.name, agencyCode: opts.agency }),
      );
      process.stdout.write(`${result.hash}  ${result.name ?? '-'}  ${result.created ? 'registered' : 'already registered'}\n`);
    });
  persisted
    .command('list')
    .description('list registered operations: hash, name, agency (* = every agency)')
    .action(async () => {
      const { listPersistedOperations } = await import('../persisted-operations.ts');
      const rows = await withDirectDatabase(config(), (db) => listPersistedOperations(db.prisma));
      for (const r of rows) process.stdout.write(`${r.hash}  ${r.name ?? '-'}  ${r.agencyCode ?? '*'}\n`);
    });
  persisted
    .command('only')
    .description('switch an agency to registered operations only (on) or back (off)')
    .requiredOption('--agency <code>', 'agency code')
    .argument('<switch>', 'on or off', (value: string) => {
      if (value !== 'on' && value !== 'off') throw new InvalidArgumentError('on or off');
      return value;
    })
    .action(async (state: 'on' | 'off', opts: { agency: string }) => {
      const { setPersistedOnly } = await import('../persisted-operations.ts');
      await withDirectDatabase(config(), (db) => setPersistedOnly(db.prisma, opts.agency, state === 'on'));
      process.stdout.write(`agency ${opts.agency}: persisted operations only ${state}\n`);
    });

  const audit = program.command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description('check the audit chain; exits 1 when an event was edited, deleted or reordered')
    .option('--anchor <seq:hash>', 'a head exported earlier (detects a truncated tail)')
    .action(async (opts: { anchor?: string }) => {
      const cfg = config();
      const anchor = opts.anchor ? parseAnchor(opts.anchor) : undefined;
      const holder = cfg.databaseUrl ? undefined : await readLock(cfg.dataDir);
      if (holder) throw new CliError('stop `liaison serve` first, or run against DATABASE_URL: the audit check reads the database directly');
      const { auditHead, verifyAuditChain } = await import('../../kernel/audit.ts');
      const { report, head } = await withDatabase(cfg, async (db) => ({
        report: await verifyAuditChain(db.prisma, anchor ? { anchor } : {}),
        head: await auditHead(db.prisma),
      }));
      if (report.ok) {
        process.stdout.write(`audit chain intact: ${report.count} events; head ${head.seq}:${head.hash}\n`);
      } else {
        process.stdout.write(
          `audit chain BROKEN at event ${report.firstBadSeq ?? '?'} (${report.problem ?? 'unknown'}) after ${report.count} good events\n`,
        );
        process.exitCode = 1;
      }
    });

  return program;
}

function parseAnchor(text: string) {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(text);
  if (!m) throw new CliError('--anchor must be SEQ:HASH as printed by `liaison audit verify`');
  return { seq: BigInt(m[1]!), hash: m[2]! };
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    const message =
      error instanceof CliError || error instanceof LiaisonError
        ? `${error.message}${error instanceof LiaisonError && error.issues ? `\n${JSON.stringify(error.issues, null, 2)}` : ''}`
        : error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('CONFIG')
          ? error.message
          : error instanceof Error
            ? error.message
            : String(error);
    process.stderr.write(`liaison: ${message}\n`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/api/cli/main.ts')) {
  await runCli(process.argv);
}
