// Persisted operations (trusted documents, GQL-09 in docs/security-tests.md) on top of
// @graphql-yoga/plugin-persisted-operations. A client sends the hex SHA-256 of a registered
// document (`extensions.persistedQuery.sha256Hash`, or `documentId`) instead of its text.
// Arbitrary documents stay allowed unless the gateway is persisted-only (and GraphiQL is
// off) or the caller's agency is. Refusals happen in onParams, before parsing: no execution.
//   unknown hash, or another agency's     → PERSISTED_QUERY_NOT_FOUND
//   a document where only hashes may run  → PERSISTED_QUERY_ONLY
//   a hash with a body of another hash    → CANNOT_SEND_PQ_ID_AND_BODY
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';
import { usePersistedOperations as useYogaPersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import type { Viewer } from '../../schema/context.ts';
import type { EdgeServerContext } from './use-partner-auth.ts';
import { documentHash, findPersistedOperation, isPersistedOnly, persistedGeneration } from '../persisted-operations.ts';

export type PersistedOperationsOptions = {
  prisma: PrismaClient;
  /** LIAISON_PERSISTED_ONLY: only registered operations, for every agency. */
  persistedOnly: boolean;
  /** With GraphiQL on (development), arbitrary documents stay allowed unless the agency is persisted-only. */
  graphiqlEnabled: boolean;
  /** How long a looked-up document or agency switch is reused; other processes' changes show after it. */
  cacheMs?: number;
  now?: () => number;
};

const refusal = (code: string, message: string) => () =>
  createGraphQLError(message, { extensions: { code } });

/** The GraphQL-only codes of this plugin, for the error reference (docs/api.md). */
export const PERSISTED_ERROR_CODES = {
  PERSISTED_QUERY_NOT_FOUND: 'No registered operation has the hash sent (or it belongs to another agency).',
  PERSISTED_QUERY_ONLY: 'The gateway or the agency runs registered operations only: send a hash, not a document.',
  CANNOT_SEND_PQ_ID_AND_BODY: 'The document sent does not have the hash sent with it.',
  PERSISTED_QUERY_ID_REQUIRED: 'The request holds neither a document nor a hash.',
} as const;

const notFound = refusal('PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound: no registered operation has this hash.');
const onlyPersisted = refusal('PERSISTED_QUERY_ONLY', 'PersistedQueryOnly: send the hash of a registered operation instead of a document.');
const mismatch = refusal('CANNOT_SEND_PQ_ID_AND_BODY', 'The document sent does not have the hash sent with it.');
const idRequired = refusal('PERSISTED_QUERY_ID_REQUIRED', 'Send a query or the hash of a registered operation.');

/** The hash a client sent: Apollo's persistedQuery extension or the `documentId` parameter. */
function hashOf(params: GraphQLParams): string | null {
  const documentId = (params as { documentId?: unknown }).documentId;
  if (typeof documentId === 'string') return documentId.replace(/^sha256:/, '').toLowerCase();
  const pq = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery;
  return pq?.version === 1 && typeof pq.sha256Hash === 'string' ? pq.sha256Hash.toLowerCase() : null;
}

/** A small time-bounded cache that also forgets everything when this process registers or switches. */
function createCache<V>(ttlMs: number, now: () => number, max = 500) {
  const entries = new Map<string, { value: V; until: number; generation: number }>();
  return {
    get(key: string): V | undefined {
      const e = entries.get(key);
      if (!e || e.until < now() || e.generation !== persistedGeneration()) return undefined;
      return e.value;
    },
    set(key: string, value: V) {
      if (entries.size >= max) entries.delete(entries.keys().next().value!);
      entries.set(key, { value, until: now() + ttlMs, generation: persistedGeneration() });
    },
  };
}

export function usePersistedOperations(options: PersistedOperationsOptions): Plugin<object, EdgeServerContext>[] {
  const now = options.now ?? Date.now;
  const ttl = options.cacheMs ?? 10_000;
  const documents = createCache<{ document: string; agencyId: string | null }>(ttl, now);
  const agencySwitch = createCache<boolean>(ttl, now);

  /** The document behind `hash` if the viewer may run it; misses are not cached (a registration shows at once). */
  async function documentFor(hash: string, viewer: Viewer | null | undefined): Promise<string | null> {
    let row = documents.get(hash);
    if (!row) {
      const found = await findPersistedOperation(options.prisma, hash);
      if (!found) return null;
      row = found;
      documents.set(hash, row);
    }
    return row.agencyId === null || row.agencyId === viewer?.agencyId ? row.document : null;
  }

  async function arbitraryAllowed(viewer: Viewer | null): Promise<boolean> {
    // Without a viewer only GraphiQL's own schema introspection gets this far (use-partner-auth).
    if (!viewer) return options.graphiqlEnabled;
    if (options.persistedOnly && !options.graphiqlEnabled) return false;
    let strict = agencySwitch.get(viewer.agencyId);
    if (strict === undefined) {
      strict = await isPersistedOnly(options.prisma, viewer.agencyId);
      agencySwitch.set(viewer.agencyId, strict);
    }
    return !strict;
  }

  // Runs before Yoga's plugin: reads `documentId`, refuses a hash sent with another body or a
  // document where only hashes may run (the viewer is read from the server context, which
  // Yoga's own check cannot see), and sends a registered document sent in full (with its hash)
  // down the persisted path.
  const normalize: Plugin<object, EdgeServerContext> = {
    async onParams({ params, context, setParams }) {
      const viewer = context.edge.viewer;
      const hash = hashOf(params);
      const { documentId: _dropped, ...rest } = params as GraphQLParams & { documentId?: unknown };
      if (hash === null) {
        if (typeof params.query === 'string' && !(await arbitraryAllowed(viewer))) throw onlyPersisted();
        if (_dropped !== undefined) setParams(rest);
        return;
      }
      if (typeof params.query === 'string') {
        if (documentHash(params.query) !== hash) throw mismatch();
        if ((await documentFor(hash, viewer)) === null) {
          if (!(await arbitraryAllowed(viewer))) throw onlyPersisted();
          return setParams(rest);
        }
      }
      setParams({ ...rest, query: undefined, extensions: { ...rest.extensions, persistedQuery: { version: 1, sha256Hash: hash } } });
    },
  };

  const persisted = useYogaPersistedOperations<EdgeServerContext>({
    // Decided in `normalize` above, where the viewer is at hand.
    allowArbitraryOperations: true,
    getPersistedOperation: (key, _request, context) => documentFor(key, context.edge.viewer),
    customErrors: { notFound, persistedQueryOnly: onlyPersisted, keyNotFound: idRequired },
  });

  return [normalize, persisted as Plugin<object, EdgeServerContext>];
}
