// The submission surfaces (REST api/openapi.yaml, GraphQL submitRecords/submission): status
// codes 201/200/401/403/404/413/415/422, problem+json errors, receipts verifiable with the
// published JWKS, and one agency never reading another's submission (AUZ-05, AUZ-08, FIL-08, FIL-10).
import { readFile } from 'node:fs/promises';
import { compactVerify, createLocalJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

const SAMPLES = new URL('../../docs/examples/', import.meta.url);
const esPnCsv = () => readFile(new URL('es-pn-csv.csv', SAMPLES));

let gw: TestGateway;
let esPn: TestAgency;
let cnMps: TestAgency;

beforeAll(async () => {
  gw = await createTestGateway({ maxUploadBytes: 64 * 1024 });
  esPn = await gw.addAgency('ES-PN');
  cnMps = await gw.addAgency('CN-MPS');
  await gw.db.prisma.operation.create({
    data: {
      code: 'FIRST-LIGHT-2022',
      name: 'First Light',
      leadId: esPn.id,
      participants: { create: [{ agencyId: esPn.id }, { agencyId: cnMps.id }] },
    },
  });
});
afterAll(() => gw?.close());

async function submit(
  agency: TestAgency | null,
  body: BodyInit,
  query = 'format=es-pn-csv&operation=FIRST-LIGHT-2022',
  headers: Record<string, string> = {},
  scope?: string,
) {
  const auth: Record<string, string> = agency ? { authorization: `Bearer ${await agency.token(scope ? { scope } : {})}` } : {};
  const res = await gw.app.fetch(
    new Request(`http://gateway.test/v1/submissions?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', ...auth, ...headers },
      body,
    }),
  );
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

describe('POST /v1/submissions', () => {
  it('stores a partner file and answers 201 with a signed report that the published JWKS verifies', async () => {
    const res = await submit(esPn, await esPnCsv());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'ACCEPTED', agency: 'ES-PN', format: 'es-pn-csv', operation: 'FIRST-LIGHT-2022' });
    expect(res.body.counts.accepted).toBe(7);
    expect(res.headers.get('location')).toBe(`/v1/submissions/${res.body.id}`);

    const jwks = (await (await gw.app.fetch(new Request('http://gateway.test/.well-known/jwks.json'))).json()) as { keys: object[] };
    const { payload } = await compactVerify(res.body.receipt, createLocalJWKSet(jwks as never));
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ id: res.body.id, contentSha256: res.body.contentSha256 });
  });

  it('AUZ-08 lets only the owner read a submission; others get 404 like a missing one', async () => {
    const created = await submit(esPn, await esPnCsv(), 'format=es-pn-csv&operation=FIRST-LIGHT-2022&dryRun=true');
    expect(created.status).toBe(201);
    const stored = await submit(esPn, (await esPnCsv()).toString().replace('ES-C-001', 'ES-C-101'));
    const read = async (agency: TestAgency, id: string) =>
      gw.app.fetch(
        new Request(`http://gateway.test/v1/submissions/${id}`, { headers: { authorization: `Bearer ${await agency.token()}` } }),
      );
    expect((await read(esPn, stored.body.id)).status).toBe(200);
    const foreign = await read(cnMps, stored.body.id);
    const missing = await read(cnMps, '00000000-0000-4000-8000-000000000000');
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(foreign.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const { instance: _a, ...foreignProblem } = (await foreign.json()) as Record<string, unknown>;
    const { instance: _b, ...missingProblem } = (await missing.json()) as Record<string, unknown>;
    expect(foreignProblem).toEqual(missingProblem);
  });

  it('answers 401 with WWW-Authenticate without a token, and 403 insufficient_scope without records:submit (AUZ-05)', async () => {
    const anonymous = await submit(null, await esPnCsv());
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(anonymous.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const readOnly = await submit(esPn, await esPnCsv(), undefined, {}, 'records:read');
    expect(readOnly.status).toBe(403);
    expect(readOnly.headers.get('www-authenticate')).toMatch(/insufficient_scope/);
  });

  it('answers 415 for an unknown format and for a media type that contradicts the format (FIL-10)', async () => {
    expect((await submit(esPn, 'x', 'format=xls&operation=FIRST-LIGHT-2022')).status).toBe(415);
    const xmlAsCsv = await submit(esPn, '<Message/>', 'format=es-pn-csv&operation=FIRST-LIGHT-2022', { 'content-type': 'application/xml' });
    expect(xmlAsCsv.status).toBe(415);
    expect(xmlAsCsv.body.code).toBe('UNSUPPORTED_FORMAT');
  });

  it('answers 413 over the size limit, by declared length and while streaming (FIL-08)', async () => {
    const big = Buffer.alloc(80 * 1024, 'a');
    expect((await submit(esPn, big)).status).toBe(413);
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(10 * 1024).fill(97));
        controller.close();
      },
    });
    const streamed = await gw.app.fetch(
      new Request('http://gateway.test/v1/submissions?format=es-pn-csv&operation=FIRST-LIGHT-2022', {
        method: 'POST',
        headers: { 'content-type': 'text/csv', authorization: `Bearer ${await esPn.token()}` },
        body: chunks,
        duplex: 'half',
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
  });

  it('answers 422 and stores no record when an ATOMIC file holds an invalid record', async () => {
    const before = await gw.db.prisma.scamDen.count();
    const bad = (await esPnCsv()).toString().replace('DESMANTELADO', 'DEMOLIDO').replace('ES-C-001', 'ES-C-201');
    const res = await submit(esPn, bad);
    expect(res.status).toBe(422);
    expect(res.body.status).toBe('REJECTED');
    expect(res.body.issues).toContainEqual(expect.objectContaining({ line: 2, field: 'estado', code: 'UNKNOWN_VALUE' }));
    expect(await gw.db.prisma.scamDen.count()).toBe(before);
  });

  it('returns the first report for a repeated Idempotency-Key and stores nothing new', async () => {
    const body = (await esPnCsv()).toString().replaceAll('ES-C-0', 'ES-C-5').replaceAll('ES-S-0', 'ES-S-5').replaceAll('ES-F-0', 'ES-F-5');
    const first = await submit(esPn, body, undefined, { 'idempotency-key': 'e6f1c1f4-0b8e-4c59-9a43-0a4cfb3c2a11' });
    expect(first.status).toBe(201);
    const count = await gw.db.prisma.suspect.count();
    const again = await submit(esPn, body, undefined, { 'idempotency-key': 'e6f1c1f4-0b8e-4c59-9a43-0a4cfb3c2a11' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(await gw.db.prisma.suspect.count()).toBe(count);
  });
});

describe('GraphQL submitRecords and submission', () => {
  it('runs the same pipeline and returns the same report shape', async () => {
    const content = (await readFile(new URL('liaison-json.json', SAMPLES), 'utf8'));
    const res = await gw.gql<{ submitRecords: { id: string; status: string; counts: { accepted: number }; receipt: string } }>(
      cnMps,
      `mutation($input: SubmitRecordsInput!) { submitRecords(input: $input) { id status counts { accepted } receipt } }`,
      { input: { format: 'LIAISON_JSON', operationCode: 'FIRST-LIGHT-2022', content } },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.submitRecords).toMatchObject({ status: 'ACCEPTED', counts: { accepted: 6 } });
    const read = await gw.gql<{ submission: { id: string } | null }>(cnMps, 'query($id: ID!) { submission(id: $id) { id } }', {
      id: res.data!.submitRecords.id,
    });
    expect(read.data!.submission!.id).toBe(res.data!.submitRecords.id);
    const foreign = await gw.gql<{ submission: null }>(esPn, 'query($id: ID!) { submission(id: $id) { id } }', {
      id: res.data!.submitRecords.id,
    });
    expect(foreign.data!.submission).toBeNull();
  });
});
