// What every `liaison` command shares: its declared access (the one place that says whether a
// command changes data and, if so, whether it goes through the admin API while `liaison serve`
// holds the embedded database), the exit codes, the usage errors, and the helpers that open
// the database or reach a gateway while saying on stderr which one they use.
//
// Heavy modules (database, schema, server) load only inside the commands that need them, so
// `--help`, `token` and `keys generate` start quickly.
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, type Config } from '../../kernel/config.ts';
import { acquireLock, embeddedDatabaseExists, readLock, type LockInfo } from '../../kernel/data-dir.ts';
import type { Database } from '../../kernel/db.ts';
import { ErrorCode, LiaisonError, type ErrorIssue } from '../../kernel/errors.ts';

/** Exit codes (documented in the help epilogue and README "Command line"). */
export const EXIT = { OK: 0, REFUSED: 1, REJECTED_RECORDS: 2, USAGE: 64 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.REFUSED,
  ) {
    super(message);
  }
}

/** A bad argument: names the option, exits 64 (EX_USAGE). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.USAGE);
  }
}

/**
 * What a command touches. Every leaf command declares it where it is registered
 * (tests/cli/commands.test.ts fails for one that does not):
 * - `none`: local files only; `gateway`: a gateway over HTTP;
 * - `reads` / `changes`: the database, with the route taken while `liaison serve` holds the
 *   embedded database: `admin-api` (the server's loopback admin API reads or does the change) or
 *   `direct-only` (the command refuses and asks to stop the server);
 * - `serves`: the gateway itself. `createsDatabase` lets a command create a new embedded
 *   database; no other command does so implicitly.
 */
export type Access =
  | { data: 'none' }
  | { data: 'gateway' }
  | { data: 'serves' }
  | { data: 'reads'; route: 'admin-api' | 'direct-only' }
  | { data: 'changes'; route: 'admin-api' | 'direct-only'; createsDatabase?: true };

export class LiaisonCommand extends Command {
  access: Access | undefined;

  override createCommand(name?: string): LiaisonCommand {
    return new LiaisonCommand(name);
  }
}

/** Registers a subcommand together with its declared access. */
export function defineCommand(parent: Command, name: string, access: Access): LiaisonCommand {
  const command = parent.command(name) as LiaisonCommand;
  command.access = access;
  return command;
}

export function config(): Config {
  return loadConfig();
}

/** Progress and target lines go to stderr, so stdout stays the command's result. */
export function note(text: string): void {
  process.stderr.write(`liaison: ${text}\n`);
}

/** A PostgreSQL URL without its password, for messages. */
function describeDatabase(cfg: Config): string {
  if (!cfg.databaseUrl) return `embedded database in ${cfg.dataDir}`;
  const url = new URL(cfg.databaseUrl);
  if (url.password) url.password = '***';
  return `PostgreSQL ${url.toString()}`;
}

function requireAccess(command: LiaisonCommand, kinds: Access['data'][]): Access {
  const access = command.access;
  if (!access || !kinds.includes(access.data)) {
    throw new Error(`command ${command.name()} does not declare database access (${kinds.join('/')})`);
  }
  return access;
}

async function openDirect<T>(command: LiaisonCommand, cfg: Config, work: (db: Database) => Promise<T>): Promise<T> {
  const access = command.access!;
  const creates = access.data === 'changes' && access.createsDatabase === true;
  if (!cfg.databaseUrl && !creates && !(await embeddedDatabaseExists(cfg.dataDir))) {
    throw new CliError(
      `no Liaison database in ${cfg.dataDir}. Set LIAISON_DATA_DIR to the data directory of your gateway ` +
        '(or DATABASE_URL to its PostgreSQL database), or run `liaison init` to create a new one there.',
    );
  }
  note(`database: ${describeDatabase(cfg)}`);
  const release = cfg.databaseUrl ? async () => {} : await acquireLock(cfg.dataDir, { role: 'cli' });
  const { openDatabase } = await import('../../kernel/db.ts');
  const db = await openDatabase({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir });
  try {
    // The commands that create a database migrate it themselves and report what they applied.
    if (!creates) await db.migrate();
    return await work(db);
  } finally {
    await db.close();
    await release();
  }
}

/** The running gateway recorded in the embedded data directory, if any. */
export async function runningServer(cfg: Config): Promise<LockInfo | undefined> {
  return cfg.databaseUrl ? undefined : readLock(cfg.dataDir);
}

/** `liaison persisted add`, for messages. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function busy(command: LiaisonCommand, cfg: Config, holder: LockInfo): CliError {
  if (holder.role === 'serve') {
    return new CliError(
      `\`${commandPath(command)}\` opens the database ` +
        `itself: stop the gateway (${holder.url ?? `process ${holder.pid}`}) that holds ${cfg.dataDir} first, or run against DATABASE_URL`,
    );
  }
  return new CliError(`the data directory ${cfg.dataDir} is in use by process ${holder.pid}; try again shortly`);
}

/** Runs `work` on the database for a command declared `reads` or `changes: direct-only`. */
export async function withDatabase<T>(command: LiaisonCommand, work: (db: Database) => Promise<T>): Promise<T> {
  const access = requireAccess(command, ['reads', 'changes']);
  if ((access.data === 'reads' || access.data === 'changes') && access.route === 'admin-api') throw new Error(`${command.name()} goes through ${access.data === 'reads' ? 'readData' : 'changeData'}`);
  const cfg = config();
  const holder = await runningServer(cfg);
  if (holder) throw busy(command, cfg, holder);
  return openDirect(command, cfg, work);
}

/**
 * Runs `direct` on the database, or, for a command declared `changes: admin-api` while a
 * running server holds the embedded database, POSTs `viaServer` to its admin API. Either way
 * answers the result: the service's, or the admin API's JSON of it (so results are plain JSON).
 */
export async function changeData<T = unknown>(
  command: LiaisonCommand,
  direct: (db: Database) => Promise<T>,
  viaServer: { path: string; body: unknown },
): Promise<T> {
  const access = requireAccess(command, ['changes']);
  if (access.data !== 'changes' || access.route !== 'admin-api') throw new Error(`${command.name()} is not routed through the admin API`);
  return viaAdminApiOr(command, direct, { method: 'POST', path: viaServer.path, body: viaServer.body });
}

/** `changeData` for a command declared `reads: admin-api`: GETs `path` from the running server. */
export async function readData<T>(command: LiaisonCommand, direct: (db: Database) => Promise<T>, viaServer: { path: string }): Promise<T> {
  const access = requireAccess(command, ['reads']);
  if (access.data !== 'reads' || access.route !== 'admin-api') throw new Error(`${command.name()} is not routed through the admin API`);
  return viaAdminApiOr(command, direct, { method: 'GET', path: viaServer.path });
}

async function viaAdminApiOr<T>(
  command: LiaisonCommand,
  direct: (db: Database) => Promise<T>,
  request: { method: 'GET' | 'POST'; path: string; body?: unknown },
): Promise<T> {
  const cfg = config();
  const holder = await runningServer(cfg);
  if (!holder) return openDirect(command, cfg, direct);
  if (holder.role !== 'serve' || !holder.url || !holder.operatorToken) throw busy(command, cfg, holder);
  note(`gateway: ${holder.url} (admin API of the server holding ${cfg.dataDir})`);
  const response = await gatewayFetch(new URL(request.path, holder.url), {
    method: request.method,
    headers: {
      [OPERATOR_HEADER]: holder.operatorToken,
      ...(request.method === 'POST' ? { 'content-type': 'application/json' } : {}),
    },
    ...(request.method === 'POST' ? { body: JSON.stringify(request.body) } : {}),
  });
  const payload = (await response.json().catch(() => ({}))) as { code?: string; detail?: string; issues?: ErrorIssue[] };
  if (!response.ok) {
    const code = payload.code && payload.code in ErrorCode ? (payload.code as ErrorCode) : ErrorCode.INTERNAL;
    throw new LiaisonError(code, payload.detail ?? response.statusText, payload.issues ? { issues: payload.issues } : {});
  }
  return payload as T;
}

/** Also spelled out in api/rest/admin.ts, which the CLI does not load. */
const OPERATOR_HEADER = 'x-liaison-operator';

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
  UND_ERR_SOCKET: 'connection closed',
};

/** "cannot reach URL: connection refused" instead of fetch's bare "fetch failed". */
export function unreachable(url: string | URL, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = (cause?.code && NETWORK_REASONS[cause.code]) ?? cause?.message ?? (error as Error).message;
  return new CliError(`cannot reach ${new URL(url).origin}: ${reason}`);
}

export async function gatewayFetch(url: URL, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw unreachable(url, error);
  }
}

/** BAD_USER_INPUT from the service layer, told in the command's own option names. */
export async function asUsage<T>(options: Record<string, string>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof LiaisonError) || error.code !== ErrorCode.BAD_USER_INPUT || !error.issues?.length) throw error;
    const lines = error.issues.map((issue) => {
      const field = issue.field ?? issue.path ?? '';
      const option = options[field.split('.')[0]!] ?? field;
      return `${option}: ${issue.message ?? issue.code}${issue.path && issue.path !== field ? ` (at ${issue.path})` : ''}`;
    });
    throw new UsageError(lines.join('\n'));
  }
}

export async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new CliError(`cannot read ${what} file ${path}`);
  });
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${what} file ${path} is not valid JSON`);
  }
}

export function list(value: string): string[] {
  return value.split(/[,\s]+/).filter(Boolean);
}

/** An option taking one of `values`, matched without regard to case, shown as choices in help. */
export function enumOption<T extends string>(flags: string, description: string, values: readonly T[]): Option {
  const byKey = new Map(values.map((v) => [v.toLowerCase(), v]));
  return new Option(flags, description).choices(values).argParser((value: string): T => {
    const found = byKey.get(value.toLowerCase());
    if (!found) throw new InvalidArgumentError(`Allowed choices are ${values.join(', ')}.`);
    return found;
  });
}

/** Space- or comma-separated scopes, each checked against `known`. */
export function scopeList(known: readonly string[]) {
  return (value: string): string[] => {
    const items = list(value);
    const bad = items.filter((s) => !known.includes(s));
    if (bad.length) throw new InvalidArgumentError(`unknown scope ${bad.map((s) => `"${s}"`).join(', ')}; scopes are ${known.join(', ')}.`);
    if (!items.length) throw new InvalidArgumentError('at least one scope');
    return items;
  };
}

/** The gateway to talk to and where that choice came from. */
export async function resolveGateway(command: LiaisonCommand, url: string | undefined): Promise<{ url: string; from: string }> {
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--url: not a URL: ${url}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError('--url: an http:// or https:// URL');
    return { url: parsed.origin, from: command.getOptionValueSource('url') === 'env' ? 'LIAISON_URL' : '--url' };
  }
  const cfg = config();
  const holder = await runningServer(cfg);
  if (holder?.url) return { url: holder.url, from: `the server running on ${cfg.dataDir}` };
  throw new UsageError(
    `which gateway? Give --url or LIAISON_URL, or set LIAISON_DATA_DIR to the data directory of a running \`liaison serve\` (none runs on ${cfg.dataDir})`,
  );
}
