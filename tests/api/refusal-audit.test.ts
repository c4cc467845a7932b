// Every REST refusal of a known partner leaves a row in the audit chain (api/rest/refusal-audit.ts):
// the answered ones — 403, 404 into an operation the agency is not in, 404 on another agency's
// submission, 415, 413 (LOG-10) — and those of isolation — 408, 429 and an abandoned upload
// (LOG-11) — with the route, status, reason and the gateway's request id, and never the body,
// an identifier or any text the client sent (LOG-12). Hidden and missing answer alike; only the
// audit row tells the auditor which it was.
import { request as httpRequest } from 'node:http';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitSubmission } from '../../ingest/admission.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

const SAMPLES = new URL('../../docs/examples/', import.meta.url);
const esPnCsv = () => readFile(new URL('es-pn-csv.csv', SAMPLES));
const MARKER = 'probe-marker-7f3a';
const OPERATION = 'FIRST-LIGHT-2022';
const HIDDEN_OPERATION = 'SHADOW-2022';
const SUBMIT = `format=es-pn-csv&operation=${OPERATION}`;

let gw: TestGateway;
let esPn: TestAgency;
let cnMps: TestAgency;
let spoolDir: string;

beforeAll(async () => {
  spoolDir = await mkdtemp(join(tmpdir(), 'liaison-refusal-audit-'));
  gw = await createTestGateway({ maxUploadBytes: 64 * 1024, uploadIdleMs: 1000, submissionsPerAgency: 1, spoolDir });
  esPn = await gw.addAgency('ES-PN');
  cnMps = await gw.addAgency('CN-MPS');
  await gw.db.prisma.operation.create({
    data: { code: OPERATION, name: 'First Light', leadId: esPn.id, participants: { create: [{ agencyId: esPn.id }] } },
  });
  await gw.db.prisma.operation.create({
    data: { code: HIDDEN_OPERATION, name: 'Shadow', leadId: cnMps.id, participants: { create: [{ agencyId: cnMps.id }] } },
  });
});
afterAll(async () => {
  await gw?.close();
  await rm(spoolDir, { recursive: true, force: true });
});

type Answer = { status: number; requestId: string; problem: Record<string, unknown> };

async function call(agency: TestAgency, path: string, init: { method?: string; body?: BodyInit; headers?: Record<string, string>; scope?: string } = {}): Promise<Answer> {
  const res = await gw.app.fetch(
    new Request(`http://gateway.test${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${await agency.token(init.scope ? { scope: init.scope } : {})}`, 'x-request-id': MARKER, ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    }),
  );
  return { status: res.status, requestId: res.headers.get('x-request-id')!, problem: (await res.json()) as Record<string, unknown> };
}

const submit = (agency: TestAgency, query: string, body: BodyInit, headers: Record<string, string> = {}, scope?: string) =>
  call(agency, `/v1/submissions?${query}`, { method: 'POST', body, headers: { 'content-type': 'text/csv', ...headers }, ...(scope ? { scope } : {}) });

/** An audit row as text (its seq is a bigint). */
const textOf = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v));

/** The audit row of one request, by the gateway's request id. */
async function rowOf(requestId: string) {
  const rows = await gw.db.prisma.auditEvent.findMany({ where: { detail: { path: ['requestId'], equals: requestId } } });
  expect(rows, `one audit row for ${requestId}`).toHaveLength(1);
  return rows[0]!;
}

/** Waits (bounded) for the audit row of an action that is written after the test's request ends. */
async function untilRow(action: string, agencyCode: string) {
  for (let i = 0; i < 400; i++) {
    const row = await gw.db.prisma.auditEvent.findFirst({ where: { action, agencyCode }, orderBy: { seq: 'desc' } });
    if (row) return row;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no ${action} audit row`);
}

/** Waits (bounded) until an upload is being received into the spool. */
async function untilSpooling(): Promise<void> {
  for (let i = 0; i < 400 && (await readdir(spoolDir)).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
}

async function liveUrl(path: string): Promise<URL> {
  if (!gw.app.fastify.server.listening) await gw.app.fastify.listen({ port: 0, host: '127.0.0.1' });
  return new URL(`http://127.0.0.1:${(gw.app.fastify.server.address() as AddressInfo).port}${path}`);
}

describe('answered REST refusals are audited', () => {
  const cases: [string, () => Promise<Answer>, { status: number; code: string; reason: string; route: string }][] = [
    [
      'a token without records:submit (403)',
      async () => submit(esPn, SUBMIT, await esPnCsv(), {}, 'records:read'),
      { status: 403, code: 'FORBIDDEN', reason: 'insufficient_scope', route: 'POST /v1/submissions' },
    ],
    [
      'an operation the agency is not in (404)',
      async () => submit(esPn, `format=es-pn-csv&operation=${HIDDEN_OPERATION}`, await esPnCsv()),
      { status: 404, code: 'NOT_FOUND', reason: 'NOT_FOUND', route: 'POST /v1/submissions' },
    ],
    [
      'an unknown format (415)',
      async () => submit(esPn, `format=${MARKER}&operation=${OPERATION}`, await esPnCsv()),
      { status: 415, code: 'UNSUPPORTED_FORMAT', reason: 'UNKNOWN_FORMAT', route: 'POST /v1/submissions' },
    ],
    [
      'a media type that contradicts the format (415)',
      () => submit(esPn, SUBMIT, `<Message>${MARKER}</Message>`, { 'content-type': 'application/xml' }),
      { status: 415, code: 'UNSUPPORTED_FORMAT', reason: 'MEDIA_TYPE_MISMATCH', route: 'POST /v1/submissions' },
    ],
    [
      'a file over the size limit (413)',
      () => submit(esPn, SUBMIT, Buffer.alloc(80 * 1024, MARKER)),
      { status: 413, code: 'PAYLOAD_TOO_LARGE', reason: 'TOO_LARGE', route: 'POST /v1/submissions' },
    ],
    [
      'a submission id that names nothing (404)',
      () => call(esPn, `/v1/submissions/${MARKER}`),
      { status: 404, code: 'NOT_FOUND', reason: 'NOT_FOUND', route: 'GET /v1/submissions/:id' },
    ],
  ];

  it.each(cases)('LOG-10 %s appends a rest.refused row with route, status, code, agency and request id', async (_name, refuse, expected) => {
    const answer = await refuse();
    expect(answer.status).toBe(expected.status);
    const row = await rowOf(answer.requestId);
    expect(row).toMatchObject({ agencyCode: 'ES-PN', subject: 'officer-7', action: 'rest.refused', outcome: 'denied', target: expected.route });
    expect(row.detail).toMatchObject({ status: expected.status, code: expected.code, reason: expected.reason, requestId: answer.requestId });
    expect((row.detail as { jti?: string }).jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(textOf(row)).not.toContain(MARKER);
  });

  it("LOG-10 a 404 on another agency's submission answers like a missing one; only the audit row tells them apart", async () => {
    const stored = await submit(cnMps, `format=es-pn-csv&operation=${HIDDEN_OPERATION}`, await esPnCsv());
    expect(stored.status).toBe(201);
    const foreignId = stored.problem.id as string;
    const foreign = await call(esPn, `/v1/submissions/${foreignId}`);
    const missing = await call(esPn, '/v1/submissions/00000000-0000-4000-8000-00000000dead');
    expect([foreign.status, missing.status]).toEqual([404, 404]);
    const { instance: _a, ...foreignProblem } = foreign.problem;
    const { instance: _b, ...missingProblem } = missing.problem;
    expect(foreignProblem).toEqual(missingProblem);

    const foreignRow = await rowOf(foreign.requestId);
    const missingRow = await rowOf(missing.requestId);
    expect(foreignRow.detail).toMatchObject({ status: 404, code: 'NOT_FOUND', finding: 'another_agency' });
    expect(missingRow.detail).toMatchObject({ status: 404, code: 'NOT_FOUND', finding: 'no_such_submission' });
    // The id the caller sent is not in the chain: the route is recorded by its pattern.
    expect(textOf(foreignRow)).not.toContain(foreignId);
    expect(textOf(missingRow)).not.toContain('00000000dead');
  });
});

describe('isolation refusals are audited', () => {
  it('LOG-11 a submission above the per-agency limit (429) appends a rest.refused row', async () => {
    const release = admitSubmission(esPn.id, 1); // another upload of ES-PN is in progress
    let answer: Answer;
    try {
      answer = await submit(esPn, `${SUBMIT}&dryRun=true`, await esPnCsv());
    } finally {
      release();
    }
    expect(answer.status).toBe(429);
    const row = await rowOf(answer.requestId);
    expect(row).toMatchObject({ agencyCode: 'ES-PN', action: 'rest.refused', outcome: 'denied', target: 'POST /v1/submissions' });
    expect(row.detail).toMatchObject({ status: 429, code: 'RATE_LIMITED', reason: 'TOO_MANY_CONCURRENT_SUBMISSIONS' });
  });

  it('LOG-11 an upload that stops sending (408) appends a rest.refused row', async () => {
    const csv = await esPnCsv();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new Uint8Array(csv.subarray(0, 200)));
        await gate;
        controller.close();
      },
    });
    const url = await liveUrl(`/v1/submissions?${SUBMIT}&dryRun=true`);
    const headers = { 'content-type': 'text/csv', authorization: `Bearer ${await esPn.token()}` };
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
    } finally {
      release();
    }
    expect(res.status).toBe(408);
    const row = await rowOf(res.headers.get('x-request-id')!);
    expect(row.detail).toMatchObject({ status: 408, reason: 'UPLOAD_STALLED' });
  });

  it('LOG-11 an upload the client abandons appends a rest.aborted row', async () => {
    const csv = await esPnCsv();
    const url = await liveUrl(`/v1/submissions?format=es-pn-csv&operation=${HIDDEN_OPERATION}&dryRun=true`);
    const req = httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'content-length': String(csv.length), authorization: `Bearer ${await cnMps.token()}` },
    });
    req.on('error', () => {});
    req.write(csv.subarray(0, 100));
    // A byte at a time (bounded) until the gateway is receiving it, then the client goes away.
    for (let i = 100; i < 400 && (await readdir(spoolDir)).length === 0; i++) {
      req.write(csv.subarray(i, i + 1));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await untilSpooling();
    req.destroy();
    const row = await untilRow('rest.aborted', 'CN-MPS');
    expect(row).toMatchObject({ subject: 'officer-7', outcome: 'denied', target: 'POST /v1/submissions' });
    expect(row.detail).toMatchObject({ reason: 'client_aborted' });
    expect(await gw.db.prisma.auditEvent.count({ where: { agencyCode: 'CN-MPS', action: 'rest.refused' } })).toBe(0);
  });
});

describe('refusal rows hold nothing of the request', () => {
  it('LOG-12 no refusal row holds the body, the query, an identifier or any client text, and the chain verifies', async () => {
    const rows = await gw.db.prisma.auditEvent.findMany({ where: { action: { startsWith: 'rest.' } } });
    expect(rows.length).toBeGreaterThanOrEqual(10);
    const text = textOf(rows);
    for (const forbidden of [MARKER, 'Message', 'DESMANTELADO', 'format=', '?']) expect(text).not.toContain(forbidden);
    for (const row of rows) {
      expect(Object.keys(row.detail as object).sort()).toEqual(
        expect.arrayContaining(['jti', 'reason', 'requestId']),
      );
      expect(Object.keys(row.detail as object).every((k) => ['status', 'code', 'reason', 'finding', 'requestId', 'jti'].includes(k))).toBe(true);
    }
    expect((await verifyAuditChain(gw.db.prisma)).ok).toBe(true);
  });
});
