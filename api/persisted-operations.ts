// Persisted operations (trusted documents): registering a GraphQL document under the hex
// SHA-256 of its exact text, listing them, and the per-agency persisted-only switch. The
// hash is what clients send as `extensions.persistedQuery.sha256Hash` (Apollo) or
// `documentId` (Yoga). The Yoga side lives in api/plugins/use-persisted-operations.ts.
import { createHash } from 'node:crypto';
import { parse, validate, type DocumentNode, type GraphQLError } from 'graphql';
import type { PrismaClient } from '../prisma/generated/client/client.ts';
import { schema } from '../schema/index.ts';
import { ErrorCode, LiaisonError } from '../kernel/errors.ts';

export type RegisterPersistedInput = { document: string; name?: string | undefined; agencyCode?: string | undefined };

export type PersistedOperationRow = {
  hash: string;
  name: string | null;
  agencyCode: string | null;
  createdAt: Date;
};

/** Bumped by every change in this process, so caches of the plugin drop what they hold. */
let generation = 0;
export const persistedGeneration = (): number => generation;

export const documentHash = (document: string): string => createHash('sha256').update(document, 'utf8').digest('hex');

const MAX_DOCUMENT_CHARS = 15_000; // the gateway's character limit for any query (docs/operations.md)

function parsedDocument(document: string): DocumentNode {
  if (!document.trim() || document.length > MAX_DOCUMENT_CHARS) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, `A document must hold 1 to ${MAX_DOCUMENT_CHARS} characters.`, {
      issues: [{ field: 'document', code: 'INVALID_LENGTH' }],
    });
  }
  let ast: DocumentNode;
  try {
    ast = parse(document);
  } catch (error) {
    throw invalidDocument([error as GraphQLError]);
  }
  const errors = validate(schema, ast);
  if (errors.length) throw invalidDocument(errors);
  if (!ast.definitions.some((d) => d.kind === 'OperationDefinition')) {
    throw new LiaisonError(ErrorCode.BAD_USER_INPUT, 'The document holds no operation.', {
      issues: [{ field: 'document', code: 'NO_OPERATION' }],
    });
  }
  return ast;
}

function invalidDocument(errors: readonly GraphQLError[]): LiaisonError {
  return new LiaisonError(ErrorCode.BAD_USER_INPUT, 'The document does not validate against the schema.', {
    issues: errors.map((e) => ({
      field: 'document',
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: e.message,
      ...(e.locations?.[0] ? { line: e.locations[0].line } : {}),
    })),
  });
}

async function agencyIdOf(prisma: PrismaClient, code: string): Promise<string> {
  const agency = await prisma.agency.findUnique({ where: { code }, select: { id: true } });
  if (!agency) throw new LiaisonError(ErrorCode.NOT_FOUND, `Unknown agency: ${code}`);
  return agency.id;
}

/**
 * Validates and stores a document. Idempotent: the same document again changes nothing.
 * Registering for every agency (no agencyCode) widens one registered for a single agency;
 * registering one agency's document for another agency is a CONFLICT.
 */
export async function registerPersistedOperation(prisma: PrismaClient, input: RegisterPersistedInput) {
  const ast = parsedDocument(input.document);
  const operations = ast.definitions.flatMap((d) => (d.kind === 'OperationDefinition' ? [d] : []));
  const name = input.name ?? (operations.length === 1 ? operations[0]!.name?.value : undefined) ?? null;
  const agencyId = input.agencyCode ? await agencyIdOf(prisma, input.agencyCode) : null;
  const hash = documentHash(input.document);
  const existing = await prisma.persistedOperation.findUnique({ where: { hash } });
  if (existing) {
    if (existing.agencyId === agencyId || existing.agencyId === null) return { hash, name: existing.name, created: false };
    if (agencyId !== null) {
      throw new LiaisonError(ErrorCode.CONFLICT, 'This document is registered for another agency; register it without an agency to share it.');
    }
    await prisma.persistedOperation.update({ where: { hash }, data: { agencyId: null } });
    generation += 1;
    return { hash, name: existing.name, created: false };
  }
  await prisma.persistedOperation.create({ data: { hash, document: input.document, name, agencyId } });
  generation += 1;
  return { hash, name, created: true };
}

export async function listPersistedOperations(prisma: PrismaClient): Promise<PersistedOperationRow[]> {
  const rows = await prisma.persistedOperation.findMany({ orderBy: [{ createdAt: 'asc' }, { hash: 'asc' }] });
  const ids = [...new Set(rows.flatMap((r) => (r.agencyId ? [r.agencyId] : [])))];
  const agencies = await prisma.agency.findMany({ where: { id: { in: ids } }, select: { id: true, code: true } });
  const codeOf = new Map(agencies.map((a) => [a.id, a.code]));
  return rows.map((r) => ({
    hash: r.hash,
    name: r.name,
    agencyCode: r.agencyId ? (codeOf.get(r.agencyId) ?? null) : null,
    createdAt: r.createdAt,
  }));
}

/** The stored document for `hash`, if the agency may run it (its own or everyone's). */
export async function findPersistedOperation(prisma: PrismaClient, hash: string) {
  if (!/^[0-9a-f]{64}$/.test(hash)) return null;
  return prisma.persistedOperation.findUnique({ where: { hash }, select: { document: true, agencyId: true } });
}

export async function setPersistedOnly(prisma: PrismaClient, agencyCode: string, on: boolean): Promise<void> {
  const id = await agencyIdOf(prisma, agencyCode);
  await prisma.agency.update({ where: { id }, data: { persistedOnly: on } });
  generation += 1;
}

export async function isPersistedOnly(prisma: PrismaClient, agencyId: string): Promise<boolean> {
  const agency = await prisma.agency.findUnique({ where: { id: agencyId }, select: { persistedOnly: true } });
  return agency?.persistedOnly ?? true; // an agency that vanished gets the strict rule
}
