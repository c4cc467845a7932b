// `liaison serve`: the gateway itself (also `npm start`, with --demo).
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../../../kernel/config.ts';
import { defineCommand, note, type LiaisonCommand } from '../support.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number');
  return n;
}

export function registerServeCommand(program: LiaisonCommand): void {
  defineCommand(program, 'serve', { data: 'serves' })
    .description('run the gateway (creates and migrates the database first)')
    .option('--port <port>', 'port to listen on (default: PORT or 4000)', port)
    .option('--demo', 'seed demo agencies, keys and records once (embedded database)', false)
    .action(async (opts: { port?: number; demo: boolean }) => {
      const cfg = loadConfig(process.env, opts.port === undefined ? {} : { port: opts.port });
      note(`database: ${cfg.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded database in ${cfg.dataDir}`}`);
      const { createLogger } = await import('../../../kernel/logger.ts');
      const { startServer } = await import('../../server.ts');
      const logger = createLogger({ level: cfg.logLevel, pretty: cfg.prettyLogs });
      const { url, demo, metricsUrl } = await startServer({ config: cfg, logger, demo: opts.demo });
      const lines = [
        '',
        `  Liaison gateway listening on ${url}`,
        `  Console:   ${cfg.console ? `${url}/console/` : 'off (LIAISON_CONSOLE=off)'}`,
        `  GraphiQL:  ${url}/graphql${cfg.graphiql ? '' : ' (disabled: set LIAISON_GRAPHIQL=true)'}`,
        `  Health:    ${url}/healthz   Metrics (this host only): ${metricsUrl ?? 'off'}`,
        `  Data:      ${cfg.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : cfg.dataDir}`,
      ];
      if (demo) {
        const key = join(demo.keyDir, 'ES-PN.private.jwk.json');
        if (cfg.console) {
          lines.push('', `  Sign in to the console at ${url}/console/ as agency ES-PN with the key file`, `    ${key}`);
        }
        lines.push(
          '',
          `  Demo data ${demo.seeded ? 'seeded' : 'already present'}: agencies ${demo.agencies.join(', ')}, operation ${demo.operation}.`,
          '  Get a demo access token (good for many requests for 5 minutes) and paste it into GraphiQL\'s Headers tab:',
          `    npx liaison token --oauth --agency ES-PN --key ${key}`,
          '  as   { "Authorization": "Bearer <token>" }',
        );
      }
      process.stdout.write(`${lines.join('\n')}\n\n`);
    });
}
