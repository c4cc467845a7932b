// Writes docs/api.md: the GraphQL reference from schema/schema.graphql, the REST reference
// from api/openapi.yaml (skipped, and said so, while that file does not exist), and the error
// codes from kernel/errors.ts. `npm run docs:api` regenerates; tests/docs/api-md.test.ts fails
// when the committed file is stale.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isScalarType, isUnionType, printType, type GraphQLField, type GraphQLNamedType } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { errorTable } from '../kernel/errors.ts';
import { PERSISTED_ERROR_CODES } from '../api/plugins/use-persisted-operations.ts';

const root = new URL('../', import.meta.url);
const OPENAPI = new URL('api/openapi.yaml', root);
const cell = (text: string | null | undefined) => (text ?? '').replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

function fieldRows(fields: Record<string, GraphQLField<unknown, unknown>>): string[] {
  return Object.values(fields).map((f) => {
    const args = f.args.map((a) => `\`${a.name}: ${String(a.type)}\``).join(', ');
    return `| \`${f.name}\` | ${args} | \`${String(f.type)}\` | ${cell(f.description)} |`;
  });
}

function graphqlSection(sdl: string): string[] {
  const schema = buildSchema(sdl);
  const out = ['## GraphQL', '', 'Endpoint `POST /graphql` (and `GET` for queries). Every request needs `Authorization: Bearer <token>`.', ''];
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root) continue;
    out.push(`### ${root.name}`, '', '| field | arguments | returns | description |', '| --- | --- | --- | --- |', ...fieldRows(root.getFields()), '');
  }
  const kinds: [string, (t: GraphQLNamedType) => boolean][] = [
    ['Object types', (t) => isObjectType(t) || isInterfaceType(t) || isUnionType(t)],
    ['Input types', isInputObjectType],
    ['Enums', isEnumType],
    ['Scalars', isScalarType],
  ];
  const named = Object.values(schema.getTypeMap())
    .filter((t) => !t.name.startsWith('__') && t !== schema.getQueryType() && t !== schema.getMutationType())
    .filter((t) => !(isScalarType(t) && ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(t.name)))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const [title, test] of kinds) {
    out.push(`### ${title}`, '');
    for (const t of named.filter(test)) out.push(`#### ${t.name}`, '', '```graphql', printType(t), '```', '');
  }
  return out;
}

type OpenApiParameter = { name: string; in: string; required?: boolean; description?: string; $ref?: string };
type OpenApiDoc = {
  info: { title: string; version: string };
  paths: Record<string, Record<string, { summary?: string; description?: string; parameters?: OpenApiParameter[]; responses?: Record<string, { description?: string; $ref?: string }> }>>;
  components?: { parameters?: Record<string, OpenApiParameter>; responses?: Record<string, { description?: string }> };
};

function restSection(doc: OpenApiDoc): string[] {
  const deref = <T>(value: T & { $ref?: string }, table: Record<string, T> | undefined): T =>
    value.$ref ? (table?.[value.$ref.split('/').pop()!] ?? value) : value;
  const out = ['## REST', '', `From \`api/openapi.yaml\` (${doc.info.title}, version ${doc.info.version}); the gateway also serves it as \`GET /openapi.json\`.`, ''];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      out.push(`### ${method.toUpperCase()} ${path}`, '', `${op.summary ?? ''}`, '');
      if (op.description) out.push(op.description.trim(), '');
      const params = (op.parameters ?? []).map((p) => deref(p, doc.components?.parameters));
      if (params.length) {
        out.push('| parameter | in | required | description |', '| --- | --- | --- | --- |');
        for (const p of params) out.push(`| \`${p.name}\` | ${p.in} | ${p.required ? 'yes' : 'no'} | ${cell(p.description)} |`);
        out.push('');
      }
      out.push('| status | meaning |', '| --- | --- |');
      for (const [status, r] of Object.entries(op.responses ?? {})) out.push(`| ${status} | ${cell(deref(r, doc.components?.responses).description)} |`);
      out.push('');
    }
  }
  return out;
}

function errorSection(): string[] {
  return [
    '## Error codes',
    '',
    'GraphQL errors carry the code in `extensions.code`; REST errors are `application/problem+json` (RFC 9457) with the same `code`.',
    '',
    '| code | HTTP status | title |',
    '| --- | --- | --- |',
    ...Object.entries(errorTable).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.title} |`),
    '',
    'GraphQL only (HTTP 400, before anything runs): `GRAPHQL_PARSE_FAILED`, `GRAPHQL_VALIDATION_FAILED` (also depth, alias, cost and size limits), and the persisted-operation refusals:',
    '',
    '| code | meaning |',
    '| --- | --- |',
    ...Object.entries(PERSISTED_ERROR_CODES).map(([code, meaning]) => `| \`${code}\` | ${meaning} |`),
    '',
  ];
}

export async function renderApiMarkdown(): Promise<string> {
  const sdl = await readFile(new URL('schema/schema.graphql', root), 'utf8');
  const rest = existsSync(OPENAPI)
    ? restSection(parseYaml(await readFile(OPENAPI, 'utf8')) as OpenApiDoc)
    : ['## REST', '', '`api/openapi.yaml` does not exist yet; this section is generated from it once it does.', ''];
  return [
    '# API reference',
    '',
    '<!-- Generated by `npm run docs:api` (docs/generate-api-md.ts) from schema/schema.graphql, api/openapi.yaml and kernel/errors.ts. Do not edit. -->',
    '',
    'For analysts and integrators. Typed clients: generate them from `schema/schema.graphql` (GraphQL) and `api/openapi.yaml` (REST).',
    'Persisted operations: send `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"<hex SHA-256 of the registered document>"}}}` (or `{"documentId":"<hash>"}`) instead of `query`; an operator registers documents with `liaison persisted add FILE`.',
    '',
    ...errorSection(),
    ...graphqlSection(sdl),
    ...rest,
  ].join('\n').replace(/\n{3,}/g, '\n\n').trimEnd().concat('\n');
}

if (process.argv[1] && new URL(`file://${process.argv[1]}`).href === import.meta.url) {
  await writeFile(new URL('docs/api.md', root), await renderApiMarkdown());
  process.stdout.write('wrote docs/api.md\n');
}
