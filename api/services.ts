// Wires the parts that every entry point needs (server, tests, benchmarks) from a config
// and an open database: the partner-token verifier and the audit sink.
import { appendAuditEvent } from './audit.ts';
import { createTokenVerifier } from './auth/verify-token.ts';
import type { Config } from './config.ts';
import type { AuditSink } from './context.ts';
import type { Database } from './db.ts';

export function createServices(options: {
  config: Config;
  db: Database;
  now?: () => Date;
  allowInsecureJwksUri?: boolean;
}) {
  const now = options.now ?? (() => new Date());
  const verifier = createTokenVerifier({
    prisma: options.db.prisma,
    config: options.config,
    now,
    allowInsecureJwksUri: options.allowInsecureJwksUri ?? false,
  });
  const audit: AuditSink = {
    append: async (event) => {
      await appendAuditEvent(options.db.prisma, event, now());
    },
  };
  return { verifier, audit, now };
}
