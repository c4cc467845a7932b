// The partner REST contract at run time: api/openapi.yaml (the design-first source) is read
// and parsed once, when this module loads, and served as JSON at GET /openapi.json. Parsing
// at start-up rather than generating a JSON copy at build time keeps one source of truth
// with no build step to forget; the parse costs a few milliseconds once per process.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { parse } from 'yaml';

export const OPENAPI_YAML_URL = new URL('../openapi.yaml', import.meta.url);

/** An OpenAPI 3.1 document, typed only as far as the gateway and its tests read it. */
export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
};

/** Parses the contract; a broken file is a programmer error and throws at boot. */
export function parseOpenApiDocument(yamlText: string = readFileSync(OPENAPI_YAML_URL, 'utf8')): OpenApiDocument {
  const document = parse(yamlText) as OpenApiDocument;
  if (!document?.openapi?.startsWith('3.1.') || typeof document.paths !== 'object') {
    throw new Error('api/openapi.yaml is not an OpenAPI 3.1 document');
  }
  return document;
}

const served = JSON.stringify(parseOpenApiDocument());

export function registerOpenApiRoute(fastify: FastifyInstance): void {
  fastify.get('/openapi.json', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return reply.type('application/json; charset=utf-8').send(served);
  });
}
