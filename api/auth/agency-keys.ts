// The agency key registry: finds the agency named by a token's `iss` and resolves the key a
// token's header asks for, from the agency's registered keys (AgencyKey rows) and, when the
// admin registered one, its remote JWKS. Only the token's kid and alg select a key, and only
// in memory: the database is queried by the agency code, after that code passed a strict
// pattern (TOK-06, TOK-13).
//
// Freshness: every verification is checked against the agency row (status, scopes, keys) as
// it stands when the token's jti is spent, so a suspension, an added kid or a removed kid takes
// effect at once in every gateway process (TOK-20, TOK-21) without any cross-process
// invalidation. A verification either reads the row itself (`findAgency`) or is checked
// against the row this process read last and has the claim of its jti confirm, in the same
// statement, that the row is still that one (its fingerprint, api/auth/replay-cache.ts); a
// row that changed meanwhile stores nothing and the verification reads the row again
// (api/auth/verify-token.ts). Verifications of one agency that start while a read of its row is
// under way share that read (one statement for a burst of requests, not one each).
// A removed kid (its row kept with `removed_at`) is refused from the agency's remote JWKS too,
// whatever that JWKS still serves.
// What is cached is only the imported key set, keyed by the exact content of the rows, so a
// change of rows is a cache miss.
// `invalidate(code)` drops that cache and the agency's remote JWKS (forcing a refetch).
import { createLocalJWKSet, createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../../kernel/config.ts';
import { Prisma, type PrismaClient } from '../../prisma/generated/client/client.ts';
import { authUnavailable, invalidToken } from './auth-errors.ts';
import { isTrustworthyJwk, type AgencyJwk } from './key-policy.ts';

import { isValidIssuer } from '../../kernel/viewer.ts';

export { isValidIssuer };

export type RegisteredAgency = {
  id: string;
  code: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
  scopes: string[];
  jwksUri: string | null;
  keys: { kid: string; alg: string; jwk: unknown }[];
  /** Kids the operator removed: refused wherever they come from. */
  removedKids: string[];
  /** A digest of everything above as read: equal fingerprints, equal rows (agencyRowsSql). */
  fingerprint: string;
};

/**
 * The agencies `where` selects (over `agency a`), each with its keys, as RegisteredAgency rows:
 * one statement for an agency and its keys, read on every verification that has no row of its
 * own yet. (Prisma's relationJoins would do it too, but turning it on makes joins the default
 * everywhere, and the nested record connections got many times slower.) Its fingerprint is the
 * md5 of the row's JSON, whose keys and removed kids are in kid order: the replay cache's claim
 * statement computes it again, with this same text, to tell whether a row is still current.
 */
export const agencyRowsSql = (where: Prisma.Sql): Prisma.Sql => Prisma.sql`
  SELECT r.*, md5(row_to_json(r)::text) AS fingerprint FROM (
    SELECT a.id::text AS id, a.code, a.name, a.status::text AS status, a.scopes, a.jwks_uri AS "jwksUri",
           coalesce(json_agg(json_build_object('kid', k.kid, 'alg', k.alg, 'jwk', k.jwk) ORDER BY k.kid)
                      FILTER (WHERE k.id IS NOT NULL AND k.removed_at IS NULL), '[]'::json) AS keys,
           coalesce(array_agg(k.kid ORDER BY k.kid) FILTER (WHERE k.removed_at IS NOT NULL), '{}') AS "removedKids"
      FROM agency a LEFT JOIN agency_key k ON k.agency_id = a.id
     WHERE ${where}
     GROUP BY a.id) r`;

export type AgencyKeyRegistry = {
  /** The agency of an `iss`, or null; an `iss` failing the pattern never reaches the database. */
  findAgency(iss: string): Promise<RegisteredAgency | null>;
  /**
   * The row `findAgency` last read for `iss` in this process, without the database; undefined
   * before the first read, after a read found none and after `invalidate`. It may be seconds
   * old: a reason to refuse sooner (api/limits/gate.ts), and to admit only once the claim of
   * the token's jti has confirmed its fingerprint (api/auth/verify-token.ts).
   */
  lastRead(iss: string): RegisteredAgency | undefined;
  /** A jose key resolver over the agency's keys; a remote JWKS outage throws SERVICE_UNAVAILABLE. */
  keyResolver(agency: RegisteredAgency): JWTVerifyGetKey;
  invalidate(agencyCode: string): void;
};

export type TokenLimits = Config['tokens'];

/** The options every remote JWKS gets (REL-08, TOK-07, TOK-20): from config, never from a token. */
export const remoteJwksOptions = (tokens: TokenLimits) => ({
  timeoutDuration: tokens.jwksTimeoutMs,
  cooldownDuration: tokens.jwksCooldownMs,
  cacheMaxAge: tokens.jwksCacheMaxAgeMs,
});

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The URL of an admin-registered jwksUri when it may be fetched: https, no credentials;
 * plain http only to a loopback host and only when explicitly allowed (tests, development).
 */
export function acceptableJwksUri(uri: string, allowInsecureLoopback = false): URL | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && allowInsecureLoopback && LOOPBACK_HOSTS.has(url.hostname)) return url;
  return null;
}

/** A remote outage is retried after this many seconds (the fetch timeout is 5 s). */
const JWKS_RETRY_AFTER_SECONDS = 10;

type LocalEntry = { fingerprint: string; getKey: JWTVerifyGetKey | undefined };

type RemoteEntry = {
  uri: string;
  remote: ReturnType<typeof createRemoteJWKSet>;
  local: JWTVerifyGetKey | undefined;
  pending: Promise<void> | undefined;
};

/** The keys of a set that pass the policy; any other key is left out, never half-trusted. */
function trustedKeySet(keys: readonly unknown[]): JWTVerifyGetKey | undefined {
  const trusted = keys.filter(isTrustworthyJwk);
  return trusted.length > 0 ? createLocalJWKSet({ keys: trusted }) : undefined;
}

export function createAgencyKeyRegistry({
  prisma,
  config,
  allowInsecureJwksUri = false,
}: {
  prisma: Pick<PrismaClient, '$queryRaw'>;
  config: Pick<Config, 'tokens'>;
  allowInsecureJwksUri?: boolean;
}): AgencyKeyRegistry {
  const localSets = new Map<string, LocalEntry>();
  const remoteSets = new Map<string, RemoteEntry>();
  /** By code; one entry per registered agency at most (a code that finds no row is removed). */
  const lastRows = new Map<string, RegisteredAgency>();

  /** Reads under way, by code: a verification that starts while one runs takes its answer. */
  const reading = new Map<string, Promise<RegisteredAgency | null>>();

  function findAgency(iss: string): Promise<RegisteredAgency | null> {
    if (!isValidIssuer(iss)) return Promise.resolve(null);
    let read = reading.get(iss);
    if (!read) {
      read = readAgency(iss).finally(() => reading.delete(iss));
      reading.set(iss, read);
    }
    return read;
  }

  async function readAgency(iss: string): Promise<RegisteredAgency | null> {
    const rows = await prisma.$queryRaw<RegisteredAgency[]>(agencyRowsSql(Prisma.sql`a.code = ${iss}`));
    const row = rows[0];
    if (row) lastRows.set(iss, row);
    else lastRows.delete(iss);
    return row ?? null;
  }

  function localSetOf(agency: RegisteredAgency): JWTVerifyGetKey | undefined {
    // A row is used only when its JSON agrees with its own kid and alg columns.
    const rows = agency.keys.filter((k) => {
      const jwk = k.jwk as Partial<AgencyJwk> | null;
      return jwk !== null && typeof jwk === 'object' && jwk.kid === k.kid && jwk.alg === k.alg;
    });
    const fingerprint = JSON.stringify(rows.map((r) => r.jwk));
    const cached = localSets.get(agency.code);
    if (cached?.fingerprint === fingerprint) return cached.getKey;
    const getKey = trustedKeySet(rows.map((r) => r.jwk));
    localSets.set(agency.code, { fingerprint, getKey });
    return getKey;
  }

  function remoteEntryOf(agency: RegisteredAgency & { jwksUri: string }): RemoteEntry {
    const cached = remoteSets.get(agency.code);
    if (cached?.uri === agency.jwksUri) return cached;
    const url = acceptableJwksUri(agency.jwksUri, allowInsecureJwksUri);
    if (!url) throw invalidToken('unknown_key', 'jwks_uri_refused');
    const entry: RemoteEntry = {
      uri: agency.jwksUri,
      remote: createRemoteJWKSet(url, remoteJwksOptions(config.tokens)),
      local: undefined,
      pending: undefined,
    };
    remoteSets.set(agency.code, entry);
    return entry;
  }

  /** Fetches (one request in flight per agency) and re-filters the remote keys. */
  function reload(entry: RemoteEntry): Promise<void> {
    entry.pending ??= (async () => {
      try {
        await entry.remote.reload();
      } catch (cause) {
        // Timeout, refused connection, non-200 (a redirect too: jose never follows one), bad JSON.
        throw authUnavailable('jwks_unavailable', JWKS_RETRY_AFTER_SECONDS, cause);
      }
      entry.local = trustedKeySet(entry.remote.jwks()?.keys ?? []);
    })().finally(() => {
      entry.pending = undefined;
    });
    return entry.pending;
  }

  async function remoteKey(entry: RemoteEntry, ...args: Parameters<JWTVerifyGetKey>) {
    if (!entry.remote.fresh) await reload(entry);
    try {
      if (!entry.local) throw new errors.JWKSNoMatchingKey();
      return await entry.local(...args);
    } catch (error) {
      // An unknown kid may be a fresh rotation: refetch, but at most once per cooldown (TOK-07).
      if (!(error instanceof errors.JWKSNoMatchingKey) || entry.remote.coolingDown) throw error;
      await reload(entry);
      if (!entry.local) throw error;
      return entry.local(...args);
    }
  }

  function keyResolver(agency: RegisteredAgency): JWTVerifyGetKey {
    const local = localSetOf(agency);
    const { jwksUri } = agency;
    const removed = new Set(agency.removedKids);
    return async (...args) => {
      // Only a removed kid's own rows were left out above; this also stops its remote copy.
      if (removed.has(String(args[0].kid))) throw new errors.JWKSNoMatchingKey();
      if (local) {
        try {
          return await local(...args);
        } catch (error) {
          if (!(jwksUri && error instanceof errors.JWKSNoMatchingKey)) throw error;
        }
      }
      if (jwksUri) return remoteKey(remoteEntryOf({ ...agency, jwksUri }), ...args);
      throw new errors.JWKSNoMatchingKey();
    };
  }

  return {
    findAgency,
    lastRead: (iss) => lastRows.get(iss),
    keyResolver,
    invalidate(agencyCode) {
      lastRows.delete(agencyCode);
      localSets.delete(agencyCode);
      remoteSets.delete(agencyCode);
    },
  };
}
