// Wires the parts that every entry point needs (server, tests, benchmarks) from a config
// and an open database: the partner-token verifier, the audit sink, the receipt signer
// (whose keys are sealed under the pseudonym key), the access-token key of the OAuth token
// endpoint and the paging-cursor key (both derived from the pseudonym key) and the reference
// exchange rates.
import { createAuditWriter } from '../kernel/audit.ts';
import { createTokenVerifier } from './auth/verify-token.ts';
import { deriveAccessTokenKey, withAccessTokens } from './auth/access-token.ts';
import type { Config } from '../kernel/config.ts';

import type { Database } from '../kernel/db.ts';
import { ensureReferenceRates } from '../ingest/rates.ts';
import { createReceiptSigner } from '../ingest/receipts.ts';
import { deriveCursorKey } from '../schema/cursor.ts';

export async function createServices(options: {
  config: Config;
  db: Database;
  pseudonymKey: string;
  now?: () => Date;
  allowInsecureJwksUri?: boolean;
}) {
  const now = options.now ?? (() => new Date());
  // The token check and the audit append run on every request: outside Prisma's runtime (kernel/db.ts).
  const partnerTokens = createTokenVerifier({
    prisma: options.db.statements,
    config: options.config,
    now,
    allowInsecureJwksUri: options.allowInsecureJwksUri ?? false,
  });
  // Access tokens of POST /oauth/token are accepted wherever a partner token is.
  const accessTokenKey = await deriveAccessTokenKey(options.pseudonymKey);
  const verifier = withAccessTokens(partnerTokens, {
    key: accessTokenKey,
    prisma: options.db.statements,
    config: options.config,
    now,
    allowInsecureJwksUri: options.allowInsecureJwksUri ?? false,
  });
  // Events that arrive while an append is running are stored together by the next one.
  const audit = createAuditWriter(options.db.statements, now);
  await ensureReferenceRates(options.db.prisma);
  const signer = await createReceiptSigner(options.db.prisma, options.pseudonymKey, now);
  return {
    verifier,
    audit,
    now,
    ingest: { pseudonymKey: options.pseudonymKey, signer },
    oauth: { key: accessTokenKey, assertions: partnerTokens },
    cursorKey: deriveCursorKey(options.pseudonymKey),
  };
}
