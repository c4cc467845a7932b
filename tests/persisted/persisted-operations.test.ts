// Persisted operations (GQL-09): registration (validated, hashed, idempotent, per agency),
// running by hash (Apollo extension and documentId), and the refusals that stop a request
// before execution: unknown hash, arbitrary document where only hashes may run, hash + other body.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../kernel/config.ts';
import { createOperation } from '../../schema/operations.ts';
import { listPersistedOperations, registerPersistedOperation, setPersistedOnly } from '../../api/persisted-operations.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

const ME = 'query Me { me { subject agency { code } } }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const persistedQuery = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

type Body = { data?: { me?: { subject: string }; submitRecords?: unknown }; errors?: { extensions?: { code?: string } }[] };

async function post(gw: TestGateway, agency: TestAgency, payload: Record<string, unknown>) {
  const response = await gw.app.fetch(
    new Request('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await agency.token()}` },
      body: JSON.stringify(payload),
    }),
  );
  return { status: response.status, body: (await response.json()) as Body };
}

const codeOf = (r: { body: Body }) => r.body.errors?.[0]?.extensions?.code;

describe('persisted operations', () => {
  let gw: TestGateway;
  let es: TestAgency;
  let ph: TestAgency;

  beforeAll(async () => {
    gw = await createTestGateway();
    es = await gw.addAgency('ES-PN');
    ph = await gw.addAgency('PH-NBI');
    await createOperation(gw.db.prisma, { code: 'OP-PQ', name: 'PQ', lead: 'ES-PN', participants: [] });
  });
  afterAll(() => gw.close());

  it('registers a document under the hex SHA-256 of its text, once', async () => {
    const first = await registerPersistedOperation(gw.db.prisma, { document: ME });
    expect(first).toEqual({ hash: sha256(ME), name: 'Me', created: true });
    const again = await registerPersistedOperation(gw.db.prisma, { document: ME });
    expect(again.created).toBe(false);
    const listed = await listPersistedOperations(gw.db.prisma);
    expect(listed.filter((r) => r.hash === sha256(ME))).toMatchObject([{ name: 'Me', agencyCode: null }]);
  });

  it('refuses a document that does not validate, an unknown agency and another agency’s document', async () => {
    await expect(registerPersistedOperation(gw.db.prisma, { document: '{ nope }' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(registerPersistedOperation(gw.db.prisma, { document: '{ me {' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(registerPersistedOperation(gw.db.prisma, { document: ME, agencyCode: 'XX-NONE' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const own = 'query EsOnly { me { subject } }';
    await registerPersistedOperation(gw.db.prisma, { document: own, agencyCode: 'ES-PN' });
    await expect(registerPersistedOperation(gw.db.prisma, { document: own, agencyCode: 'PH-NBI' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('runs a registered operation by its hash, as an Apollo extension or as documentId', async () => {
    const byExtension = await post(gw, es, { extensions: persistedQuery(sha256(ME)) });
    expect(byExtension.status).toBe(200);
    expect(byExtension.body.data?.me?.subject).toBe('officer-7');
    const byDocumentId = await post(gw, es, { documentId: `sha256:${sha256(ME)}` });
    expect(byDocumentId.body.data?.me?.subject).toBe('officer-7');
  });

  it('answers PERSISTED_QUERY_NOT_FOUND for an unknown hash and for another agency’s operation', async () => {
    const unknown = await post(gw, es, { extensions: persistedQuery(sha256('query Other { me { subject } }')) });
    expect(unknown.status).toBe(400);
    expect(codeOf(unknown)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(unknown.body.data).toBeUndefined();
    const notTheirs = await post(gw, ph, { extensions: persistedQuery(sha256('query EsOnly { me { subject } }')) });
    expect(codeOf(notTheirs)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses a hash sent with a different body, without executing the body', async () => {
    const mutation = `mutation { submitRecords(input: { format: LIAISON_JSON, operationCode: "OP-PQ",
      content: "{\\"format\\":\\"liaison-json\\",\\"version\\":1,\\"records\\":[]}" }) { id } }`;
    const result = await post(gw, es, { query: mutation, extensions: persistedQuery(sha256(ME)) });
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('CANNOT_SEND_PQ_ID_AND_BODY');
    expect(result.body.data).toBeUndefined();
    expect(await gw.db.prisma.submission.count()).toBe(0);
  });

  it('sees a new registration at once (misses are not cached)', async () => {
    const doc = 'query Fresh { me { scopes } }';
    expect(codeOf(await post(gw, es, { extensions: persistedQuery(sha256(doc)) }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    await registerPersistedOperation(gw.db.prisma, { document: doc });
    expect((await post(gw, es, { extensions: persistedQuery(sha256(doc)) })).body.errors).toBeUndefined();
  });

  it('holds a persisted-only agency to registered operations, and lets it go when switched off', async () => {
    await setPersistedOnly(gw.db.prisma, 'ES-PN', true);
    const arbitrary = await post(gw, es, { query: '{ me { subject } }' });
    expect(arbitrary.status).toBe(400);
    expect(codeOf(arbitrary)).toBe('PERSISTED_QUERY_ONLY');
    expect(arbitrary.body.data).toBeUndefined();
    // An unregistered document with its own (correct) hash is still an arbitrary document.
    const unregistered = 'query Unlisted { me { subject } }';
    expect(codeOf(await post(gw, es, { query: unregistered, extensions: persistedQuery(sha256(unregistered)) }))).toBe('PERSISTED_QUERY_ONLY');
    // A registered document sent in full with its hash runs as the persisted one.
    expect((await post(gw, es, { query: ME, extensions: persistedQuery(sha256(ME)) })).body.data?.me?.subject).toBe('officer-7');
    expect((await post(gw, es, { extensions: persistedQuery(sha256(ME)) })).body.data?.me?.subject).toBe('officer-7');
    // Other agencies are not affected.
    expect((await post(gw, ph, { query: '{ me { subject } }' })).body.data?.me?.subject).toBe('officer-7');

    await setPersistedOnly(gw.db.prisma, 'ES-PN', false);
    expect((await post(gw, es, { query: '{ me { subject } }' })).body.data?.me?.subject).toBe('officer-7');
  });

  it('refuses a request with neither a document nor a hash', async () => {
    expect(codeOf(await post(gw, es, { variables: {} }))).toBe('PERSISTED_QUERY_ID_REQUIRED');
  });
});

describe('LIAISON_PERSISTED_ONLY', () => {
  it('refuses arbitrary documents from every agency when GraphiQL is off, and runs registered ones', async () => {
    const gw = await createTestGateway({ persistedOnly: true, graphiql: false } as Partial<Config>);
    try {
      const es = await gw.addAgency('ES-PN');
      expect(codeOf(await post(gw, es, { query: ME }))).toBe('PERSISTED_QUERY_ONLY');
      await registerPersistedOperation(gw.db.prisma, { document: ME });
      expect((await post(gw, es, { extensions: persistedQuery(sha256(ME)) })).body.data?.me?.subject).toBe('officer-7');
    } finally {
      await gw.close();
    }
  });

  it('still lets GraphiQL users (development) send documents, unless their agency is persisted-only', async () => {
    const gw = await createTestGateway({ persistedOnly: true, graphiql: true } as Partial<Config>);
    try {
      const es = await gw.addAgency('ES-PN');
      expect((await post(gw, es, { query: ME })).body.data?.me?.subject).toBe('officer-7');
      await setPersistedOnly(gw.db.prisma, 'ES-PN', true);
      expect(codeOf(await post(gw, es, { query: ME }))).toBe('PERSISTED_QUERY_ONLY');
    } finally {
      await gw.close();
    }
  });
});
