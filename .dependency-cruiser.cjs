// The floors of the house (docs/architecture.md), enforced by `npm test` through depcruise.
// Top to bottom: api/ (HTTP edge, CLI) → schema/ (GraphQL schema, sharing rules, request
// context) → ingest/ (submission pipeline) → kernel/ (errors, config, logger, database
// opening) → prisma/ (storage: Prisma schema, migrations, generated client). adapters/ is
// pure: it imports nothing else of the project. A floor may import any floor below it and
// never one above; tests/, bench/ and docs/ tooling may import anything, production code
// never imports them. console/ is the browser app: it imports only generated client types.
const floors = ['api', 'schema', 'ingest', 'kernel', 'prisma'];

/** One rule per floor: nothing in it may import a floor above it. */
const upward = floors.slice(1).map((floor, i) => ({
  name: `${floor}-not-above`,
  comment: `${floor}/ sits below ${floors.slice(0, i + 1).join(', ')}/ and must not import them`,
  severity: 'error',
  from: { path: `^${floor}/` },
  to: { path: `^(${floors.slice(0, i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'adapters-pure',
      comment: 'adapters/ maps partner files to the shared schema and imports nothing else of the project',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^(api|schema|ingest|kernel|prisma|tests|bench|docs|clients|console)/' },
    },
    {
      name: 'console-browser-only',
      comment:
        'console/ is a browser app: of the project it imports only the generated OpenAPI types (api/openapi-types.ts); its GraphQL types are generated into console/src/gql/',
      severity: 'error',
      from: { path: '^console/' },
      to: { path: '^(api|schema|ingest|kernel|prisma|adapters|tests|bench|docs|clients)/', pathNot: '^api/openapi-types\\.ts$' },
    },
    {
      name: 'nothing-imports-console',
      comment: 'the gateway serves console/dist/ as files and never imports the console source',
      severity: 'error',
      from: { path: '^(api|schema|ingest|kernel|prisma|adapters)/' },
      to: { path: '^console/' },
    },
    {
      name: 'prisma-imports-no-adapters',
      severity: 'error',
      from: { path: '^(prisma|kernel)/' },
      to: { path: '^adapters/' },
    },
    {
      name: 'production-not-to-tooling',
      comment: 'production code never imports tests, benchmarks or docs tooling',
      severity: 'error',
      from: { path: '^(api|schema|ingest|kernel|prisma|adapters)/', pathNot: '\\.test\\.ts$|test-support\\.ts$' },
      to: { path: '^(tests|bench|docs)/' },
    },
    {
      name: 'no-circular',
      comment: 'modules must not import each other in a circle',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|prisma/generated|console/dist)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
