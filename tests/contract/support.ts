// Helpers of the contract tests: the OpenAPI document as data (documented responses, their
// schemas compiled by ajv with JSON Schema 2020-12, the OpenAPI 3.1 dialect), Fastify's route
// table as data, and the format samples with the agency that sends each.
import { readFile } from 'node:fs/promises';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { parseOpenApiDocument, type OpenApiDocument } from '../../api/rest/openapi.ts';

// ajv-formats is CommonJS with `exports.default`: under NodeNext the default import is the module.
const addFormats = ajvFormats as unknown as typeof ajvFormats.default;

export const SAMPLES = new URL('../../docs/examples/', import.meta.url);
export const sample = (file: string) => readFile(new URL(file, SAMPLES));

/** Each sample with the agency that sends it and the media type it goes out as. */
export const SAMPLE_SENDS = [
  { agency: 'ES-PN', format: 'es-pn-csv', file: 'es-pn-csv.csv', mediaType: 'text/csv' },
  { agency: 'CN-MPS', format: 'cn-mps-json', file: 'cn-mps-json.json', mediaType: 'application/octet-stream' },
  { agency: 'DE-BKA', format: 'umf-xml', file: 'umf-xml.xml', mediaType: 'application/xml' },
  { agency: 'PH-NBI', format: 'stix-2.1', file: 'stix-2.1.json', mediaType: 'application/stix+json' },
  { agency: 'CN-MPS', format: 'liaison-json', file: 'liaison-json.json', mediaType: 'application/json' },
] as const;

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Json = Record<string, unknown>;
type HeaderObject = { required?: boolean; schema?: Json; $ref?: string };
type ResponseObject = { $ref?: string; headers?: Record<string, HeaderObject>; content?: Record<string, { schema?: Json }> };

export type DocumentedResponse = { key: string; path: string; method: string; status: string; mediaType: string; pointer: string };

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export class Contract {
  readonly doc: OpenApiDocument = parseOpenApiDocument();
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    addFormats(this.ajv);
    this.ajv.addSchema(this.doc as object, 'openapi');
  }

  /** Follows one `#/...` reference inside the document; answers its pointer and target. */
  private deref<T extends { $ref?: string }>(value: T, pointer: string): { value: T; pointer: string } {
    if (!value.$ref) return { value, pointer };
    const target = value.$ref.slice(1);
    const resolved = target.split('/').slice(1).reduce<unknown>((at, k) => (at as Json)[k.replace(/~1/g, '/').replace(/~0/g, '~')], this.doc);
    return { value: resolved as T, pointer: target };
  }

  private response(path: string, method: string, status: string) {
    const op = this.doc.paths[path]![method] as { responses: Record<string, ResponseObject> };
    return this.deref(op.responses[status]!, `/paths/${escape(path)}/${method}/responses/${status}`);
  }

  /** Every documented (path, method, status, response media type), `default` left out. */
  responses(): DocumentedResponse[] {
    const out: DocumentedResponse[] = [];
    for (const [path, item] of Object.entries(this.doc.paths)) {
      for (const method of HTTP_METHODS) {
        const op = item[method] as { responses: Record<string, ResponseObject> } | undefined;
        if (!op) continue;
        for (const status of Object.keys(op.responses).filter((s) => s !== 'default')) {
          const { value, pointer } = this.response(path, method, status);
          for (const mediaType of Object.keys(value.content ?? {})) {
            const key = responseKey(method, path, status, mediaType);
            out.push({ key, path, method, status, mediaType, pointer: `${pointer}/content/${escape(mediaType)}/schema` });
          }
        }
      }
    }
    return out;
  }

  validator(pointer: string): ValidateFunction {
    const known = this.compiled.get(pointer);
    if (known) return known;
    const v = this.ajv.compile({ $ref: `openapi#${pointer}` });
    this.compiled.set(pointer, v);
    return v;
  }

  /** The documented headers of a response that must be present, with a validator of each value. */
  requiredHeaders(path: string, method: string, status: string): { name: string; validate: ValidateFunction }[] {
    const { value, pointer } = this.response(path, method, status);
    return Object.entries(value.headers ?? {}).flatMap(([name, raw]) => {
      const { value: header, pointer: at } = this.deref(raw, `${pointer}/headers/${escape(name)}`);
      return header.required ? [{ name, validate: this.validator(`${at}/schema`) }] : [];
    });
  }
}

export const responseKey = (method: string, path: string, status: string | number, mediaType: string) =>
  `${method.toUpperCase()} ${path} ${status} ${mediaType}`;

/**
 * Fastify's routes as `METHOD /path` in OpenAPI spelling (`:id` → `{id}`), read from
 * printRoutes({ commonPrefix: false }), whose tree nests a route under its longest prefix.
 */
export function servedRoutes(printed: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of printed.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)$/.exec(line.replace(/\u00a0/g, ' '));
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const full = (stack[depth - 1] ?? '') + m[2]!;
    stack[depth] = full;
    const path = full.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of m[3]!.split(',')) out.push(`${method.trim()} ${path}`);
  }
  return out.sort();
}
