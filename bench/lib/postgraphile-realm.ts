// Imported before PostGraphile by its bench child only, which loads no other GraphQL code.
// npm placed postgraphile@4's graphql 15 and graphile-build under
// node_modules/postgraphile/node_modules, but graphile-build-pg (with copies of its own),
// graphql-parse-resolve-info and subscriptions-transport-ws at the top level, where `graphql`
// is the gateway's 16: their types come from other graphql realms and every query fails
// ("Cannot use GraphQLScalarType from another module or realm"). In this process every
// require of graphql or graphile-build is answered with postgraphile's copy: one realm.
import Module, { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

const require = createRequire(import.meta.url);
const postgraphileDir = dirname(require.resolve('postgraphile/package.json'));
const SHARED = /^(graphql|graphile-build)(\/|$)/;

type Parent = { id?: string; filename?: string | null; paths?: string[] };
type Resolve = (request: string, parent: Parent | undefined, ...rest: unknown[]) => string;
const internals = Module as unknown as { _resolveFilename: Resolve; _nodeModulePaths(dir: string): string[] };
/** Resolving as if postgraphile's own files asked: its node_modules first. */
const asPostgraphile: Parent = { id: postgraphileDir, filename: join(postgraphileDir, 'index.js'), paths: internals._nodeModulePaths(postgraphileDir) };
const original = internals._resolveFilename;
internals._resolveFilename = function resolveInOneRealm(request, parent, ...rest) {
  if (SHARED.test(request) && parent?.filename?.includes(`${sep}node_modules${sep}`)) return original.call(this, request, asPostgraphile, ...rest);
  return original.call(this, request, parent, ...rest);
};
