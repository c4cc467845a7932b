// Idempotency of submissions: keys scoped to the agency, replays of the first report, reuse
// with other content, malformed keys, identical content without a key, and concurrency
// (the concurrent cases need PostgreSQL: PGlite runs one transaction at a time, so a second
// request simply waits for the first instead of meeting its lock).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isLiaisonError } from '../../kernel/errors.ts';
import { ParsePool } from '../../ingest/parse-pool.ts';
import { findSubmission } from '../../ingest/pipeline.ts';
import { addParticipant, createIngestFixture, den, heldBody, liaisonJson, type Agency, type IngestFixture } from './support.ts';

const onPostgres = Boolean(process.env.DATABASE_URL);
let f: IngestFixture;
let n = 0;
const newAgency = (): Promise<Agency> => addParticipant(f, `ID-${++n}`);

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; status: number; issueCodes: string[] }> {
  try {
    await promise;
  } catch (error) {
    if (isLiaisonError(error)) return { code: error.code, status: error.status, issueCodes: (error.issues ?? []).map((i) => i.code) };
    throw error;
  }
  throw new Error('expected a LiaisonError');
}

const submissionsOf = (agency: Agency) => f.db.prisma.submission.count({ where: { agencyId: agency.id } });
const densOf = (agency: Agency) => f.db.prisma.scamDen.count({ where: { ownerId: agency.id } });

beforeAll(async () => {
  f = await createIngestFixture(['LEAD']);
});
afterAll(async () => {
  await f?.close();
});

describe('Idempotency-Key', () => {
  test('REL-02: the same key with the same content answers the first report (200, replayed) and stores nothing new', async () => {
    const agency = await newAgency();
    const file = liaisonJson([den('D-1'), den('D-2')]);
    const first = await f.ingest(agency, 'liaison-json', file, { idempotencyKey: 'key-1' });
    const again = await f.ingest(agency, 'liaison-json', file, { idempotencyKey: 'key-1', now: () => new Date('2026-06-03T00:00:00Z') });
    expect(first).toMatchObject({ status: 201, replayed: false });
    expect(again).toEqual({ status: 200, report: first.report, replayed: true });
    expect(await submissionsOf(agency)).toBe(1);
    expect(await f.db.prisma.recordVersion.count({ where: { ownerId: agency.id } })).toBe(0);
  });

  test('REL-03: the same key with other content is 422 IDEMPOTENCY_KEY_REUSED and stores nothing', async () => {
    const agency = await newAgency();
    await f.ingest(agency, 'liaison-json', liaisonJson([den('D-1')]), { idempotencyKey: 'key-2' });
    const reused = await errorOf(f.ingest(agency, 'liaison-json', liaisonJson([den('D-1'), den('D-9')]), { idempotencyKey: 'key-2' }));
    expect(reused).toEqual({ code: 'BAD_USER_INPUT', status: 422, issueCodes: ['IDEMPOTENCY_KEY_REUSED'] });
    const otherMode = await errorOf(f.ingest(agency, 'liaison-json', liaisonJson([den('D-1')]), { idempotencyKey: 'key-2', mode: 'PARTIAL' }));
    expect(otherMode.issueCodes).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(await submissionsOf(agency)).toBe(1);
    expect(await densOf(agency)).toBe(1);
  });

  test('REL-05: a malformed key is 400 BAD_USER_INPUT before anything is read', async () => {
    const agency = await newAgency();
    for (const key of ['', 'k'.repeat(256), 'tab\there', 'ключ', 'line\nbreak']) {
      expect(await errorOf(f.ingest(agency, 'liaison-json', liaisonJson([den('D-1')]), { idempotencyKey: key }))).toMatchObject({
        code: 'BAD_USER_INPUT',
        status: 400,
      });
    }
    expect((await f.ingest(agency, 'liaison-json', liaisonJson([den('D-1')]), { idempotencyKey: 'k'.repeat(255) })).status).toBe(201);
  });

  test("AUZ-08: another agency's identical key value is a key of its own and never returns the first agency's report", async () => {
    const a = await newAgency();
    const b = await newAgency();
    const file = liaisonJson([den('D-1')]);
    const first = await f.ingest(a, 'liaison-json', file, { idempotencyKey: 'shared-key' });
    const other = await f.ingest(b, 'liaison-json', file, { idempotencyKey: 'shared-key' });
    expect(other).toMatchObject({ status: 201, replayed: false });
    expect(other.report.id).not.toBe(first.report.id);
    expect(other.report.agency).toBe(b.code);
    expect(await densOf(b)).toBe(1);
  });

  test('a REJECTED submission is replayed as stored (422, replayed) for the same key and content', async () => {
    const agency = await newAgency();
    const bad = liaisonJson([den('D-1', { status: 'NOPE' })]);
    const first = await f.ingest(agency, 'liaison-json', bad, { idempotencyKey: 'key-rejected' });
    const again = await f.ingest(agency, 'liaison-json', bad, { idempotencyKey: 'key-rejected' });
    expect(first.status).toBe(422);
    expect(again).toEqual({ status: 422, report: first.report, replayed: true });
  });
});

describe('identical content', () => {
  test('identical content already ACCEPTED (same format, operation, mode) answers the first report and stores nothing', async () => {
    const agency = await newAgency();
    const file = liaisonJson([den('D-1'), den('D-2')]);
    const first = await f.ingest(agency, 'liaison-json', file);
    const again = await f.ingest(agency, 'liaison-json', file, { idempotencyKey: 'new-key' });
    expect(again).toEqual({ status: 200, report: first.report, replayed: true });
    expect(await submissionsOf(agency)).toBe(1);
    // Another mode is another request; a REJECTED or dry-run first attempt does not count.
    expect((await f.ingest(agency, 'liaison-json', file, { mode: 'PARTIAL' })).status).toBe(201);
    expect(await submissionsOf(agency)).toBe(2);
  });

  test('identical content already ACCEPTED is answered before any record is parsed again', async () => {
    const agency = await newAgency();
    const pool = new ParsePool(1);
    const file = liaisonJson([den('D-1'), den('D-2'), den('D-3')]);
    const first = await f.ingest(agency, 'liaison-json', file, { parsePool: pool });
    expect(pool.jobsRun).toBe(1);
    const again = await f.ingest(agency, 'liaison-json', file, { parsePool: pool, idempotencyKey: 'retry-after-timeout' });
    expect(again).toEqual({ status: 200, report: first.report, replayed: true });
    // The replay came from the spooled file's hash: the worker never read the file.
    expect(pool.jobsRun).toBe(1);
    // Other content from the same agency is parsed as ever.
    expect((await f.ingest(agency, 'liaison-json', liaisonJson([den('D-4')]), { parsePool: pool })).status).toBe(201);
    expect(pool.jobsRun).toBe(2);
  });

  test('identical content after a dry run or a rejection is processed normally', async () => {
    const agency = await newAgency();
    const file = liaisonJson([den('D-1')]);
    expect((await f.ingest(agency, 'liaison-json', file, { dryRun: true })).status).toBe(201);
    const real = await f.ingest(agency, 'liaison-json', file);
    expect(real).toMatchObject({ status: 201, replayed: false });
    expect(await findSubmission(f.db.prisma, agency.id, real.report.id)).toEqual(real.report);
  });
});

describe.skipIf(!onPostgres)('concurrency (PostgreSQL; PGlite serializes transactions)', () => {
  test('REL-04: the same key while the first request is still processing is 409 CONFLICT; the first completes normally', async () => {
    const agency = await newAgency();
    const file = liaisonJson([den('D-1'), den('D-2')]);
    const held = heldBody(file);
    const first = f.ingest(agency, 'liaison-json', '', { idempotencyKey: 'slow-key', body: held.body });
    await held.reading;
    const second = await errorOf(f.ingest(agency, 'liaison-json', file, { idempotencyKey: 'slow-key' }));
    expect(second).toMatchObject({ code: 'CONFLICT', status: 409, issueCodes: ['IN_PROGRESS'] });
    held.release();
    expect((await first).status).toBe(201);
    expect((await f.ingest(agency, 'liaison-json', file, { idempotencyKey: 'slow-key' })).status).toBe(200);
  });

  test('REL-05: 20 parallel first-time submissions with one key store exactly one submission', async () => {
    const agency = await newAgency();
    const file = liaisonJson(Array.from({ length: 200 }, (_, i) => den(`D-${i}`)));
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        f.ingest(agency, 'liaison-json', file, { idempotencyKey: 'race-key', maxConcurrentPerAgency: 20 }).then(
          (r) => String(r.status),
          (e: unknown) => (isLiaisonError(e) ? e.code : 'ERROR'),
        ),
      ),
    );
    expect(outcomes.filter((o) => o === '201')).toHaveLength(1);
    expect(outcomes.every((o) => ['201', '200', 'CONFLICT'].includes(o))).toBe(true);
    expect(await submissionsOf(agency)).toBe(1);
    expect(await densOf(agency)).toBe(200);
  });

  test('20 parallel identical uploads without a key store exactly one submission', async () => {
    const agency = await newAgency();
    const file = liaisonJson(Array.from({ length: 100 }, (_, i) => den(`D-${i}`)));
    const results = await Promise.all(Array.from({ length: 20 }, () => f.ingest(agency, 'liaison-json', file, { maxConcurrentPerAgency: 20 })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(results.map((r) => r.report.id)).size).toBe(1);
    expect(await submissionsOf(agency)).toBe(1);
  });
});
