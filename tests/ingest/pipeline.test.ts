// The ingest pipeline at module level: what is stored, counted and reported for ATOMIC,
// PARTIAL and dry-run submissions, den references, history, amountUsd, limits and the log line.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isLiaisonError } from '../../kernel/errors.ts';
import { findSubmission, MAX_RECORDS } from '../../ingest/pipeline.ts';
import { MAX_REPORT_ISSUES } from '../../ingest/report.ts';
import {
  addParticipant,
  chunked,
  createIngestFixture,
  den,
  fund,
  liaisonJson,
  suspect,
  tableCounts,
  type Agency,
  type IngestFixture,
} from './support.ts';

let f: IngestFixture;
let n = 0;
/** A fresh participating agency per test, so that tests do not see each other's records. */
const newAgency = (): Promise<Agency> => addParticipant(f, `AG-${++n}`);

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; status: number; issues: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (isLiaisonError(error)) return { code: error.code, status: error.status, issues: error.issues };
    throw error;
  }
  throw new Error('expected a LiaisonError');
}

const countsOf = async (agency: Agency) => {
  const [row] = await f.db.prisma.$queryRaw<{ dens: number; suspects: number; funds: number; submissions: number }[]>`
    SELECT (SELECT count(*) FROM scam_den WHERE owner_id = ${agency.id}::uuid)::int AS dens,
           (SELECT count(*) FROM suspect WHERE owner_id = ${agency.id}::uuid)::int AS suspects,
           (SELECT count(*) FROM intercepted_fund WHERE owner_id = ${agency.id}::uuid)::int AS funds,
           (SELECT count(*) FROM submission WHERE agency_id = ${agency.id}::uuid)::int AS submissions`;
  return row!;
};

beforeAll(async () => {
  f = await createIngestFixture(['LEAD'], ['OUTSIDER']);
});
afterAll(async () => {
  await f?.close();
});

describe('storing', () => {
  test('stores records with the submitting agency as owner, the submission, the operation and AMBER by default', async () => {
    const agency = await newAgency();
    const file = liaisonJson([den('D-1', { sharingLevel: 'RED' }), suspect('S-1', 'E100', { denRef: 'D-1' }), fund('F-1', '10.00', 'USD')]);
    const { status, report } = await f.ingest(agency, 'liaison-json', file);
    expect(status).toBe(201);
    expect(report.status).toBe('ACCEPTED');
    expect(report.counts).toEqual({ received: 3, accepted: 3, updated: 0, unchanged: 0, rejected: 0, skipped: 0 });
    const d = await f.db.prisma.scamDen.findUniqueOrThrow({ where: { ownerId_sourceRef: { ownerId: agency.id, sourceRef: 'D-1' } } });
    const s = await f.db.prisma.suspect.findUniqueOrThrow({ where: { ownerId_sourceRef: { ownerId: agency.id, sourceRef: 'S-1' } } });
    expect(d).toMatchObject({ ownerId: agency.id, submissionId: report.id, operationId: f.operationId, sharingLevel: 'RED' });
    expect(s).toMatchObject({ ownerId: agency.id, submissionId: report.id, sharingLevel: 'AMBER', denId: d.id });
    const selectors = await f.db.prisma.selector.findMany({ where: { suspectId: s.id } });
    expect(selectors.map((x) => x.type).sort()).toEqual(['PASSPORT', 'PHONE']);
    const row = await f.db.prisma.submission.findUniqueOrThrow({ where: { id: report.id } });
    expect(row).toMatchObject({ status: 'ACCEPTED', accepted: 3, contentSha256: report.contentSha256, receipt: report.receipt });
  });

  test('resubmitting a changed record updates it and keeps the previous version; an unchanged one is not rewritten', async () => {
    const agency = await newAgency();
    await f.ingest(agency, 'liaison-json', liaisonJson([den('D-1'), den('D-2'), suspect('S-1', 'E200'), fund('F-1', '5.00', 'USD')]));
    const before = await f.db.prisma.scamDen.findUniqueOrThrow({ where: { ownerId_sourceRef: { ownerId: agency.id, sourceRef: 'D-2' } } });
    const second = await f.ingest(
      agency,
      'liaison-json',
      liaisonJson([den('D-1', { status: 'DISMANTLED' }), den('D-2'), suspect('S-1', 'E200'), fund('F-1', '6.00', 'USD')]),
      { now: () => new Date('2026-06-02T00:00:00Z') },
    );
    expect(second.report.counts).toMatchObject({ received: 4, accepted: 0, updated: 2, unchanged: 2 });
    const after = await f.db.prisma.scamDen.findUniqueOrThrow({ where: { ownerId_sourceRef: { ownerId: agency.id, sourceRef: 'D-2' } } });
    expect(after.updatedAt).toEqual(before.updatedAt);
    expect(after.submissionId).toBe(before.submissionId);
    const d1 = await f.db.prisma.scamDen.findUniqueOrThrow({ where: { ownerId_sourceRef: { ownerId: agency.id, sourceRef: 'D-1' } } });
    expect(d1.status).toBe('DISMANTLED');
    expect(d1.submissionId).toBe(second.report.id);
    const versions = await f.db.prisma.recordVersion.findMany({ where: { ownerId: agency.id }, orderBy: { kind: 'asc' } });
    expect(versions.map((v) => v.kind)).toEqual(['SCAM_DEN', 'INTERCEPTED_FUND']);
    expect((versions[0]!.data as { status: string }).status).toBe('RAIDED');
    expect(Number((versions[1]!.data as { amount: string | number }).amount)).toBe(5);
    expect(await countsOf(agency)).toMatchObject({ dens: 2, suspects: 1, funds: 1 });
  });

  test("replaces a suspect's selectors on update and keeps the old ones in the version", async () => {
    const agency = await newAgency();
    const withPhone = suspect('S-1', 'E300');
    await f.ingest(agency, 'liaison-json', liaisonJson([withPhone]));
    const email = { type: 'EMAIL', value: 'someone@example.org' };
    const { report } = await f.ingest(
      agency,
      'liaison-json',
      liaisonJson([{ ...withPhone, identifiers: [{ type: 'PASSPORT', country: 'CN', value: 'E300' }, email] }]),
    );
    expect(report.counts).toMatchObject({ updated: 1, unchanged: 0 });
    const s = await f.db.prisma.suspect.findUniqueOrThrow({ where: { ownerId_sourceRef: { ownerId: agency.id, sourceRef: 'S-1' } }, include: { selectors: true } });
    expect(s.selectors.map((x) => x.type).sort()).toEqual(['EMAIL', 'PASSPORT']);
    const [version] = await f.db.prisma.recordVersion.findMany({ where: { recordId: s.id } });
    const kept = (version!.data as { selectors: string[] }).selectors;
    expect(kept.map((x) => x.split(':')[0]).sort()).toEqual(['PASSPORT', 'PHONE']);
    expect(kept.every((x) => /^[A-Z_]+:[0-9a-f]{64}$/.test(x))).toBe(true);
  });

  test('a new suspect naming one identifier twice (two spellings of a phone) gets that selector once', async () => {
    const agency = await newAgency();
    const twice = suspect('S-1', 'E350');
    const phones = [
      { type: 'PHONE', value: '+63 917 555 0101' },
      { type: 'PHONE', value: '+639175550101' },
    ];
    const { report } = await f.ingest(agency, 'liaison-json', liaisonJson([{ ...twice, identifiers: [{ type: 'PASSPORT', country: 'CN', value: 'E350' }, ...phones] }]));
    expect(report.status).toBe('ACCEPTED');
    expect(report.counts).toMatchObject({ accepted: 1, rejected: 0 });
    const s = await f.db.prisma.suspect.findUniqueOrThrow({ where: { ownerId_sourceRef: { ownerId: agency.id, sourceRef: 'S-1' } }, include: { selectors: true } });
    expect(s.selectors.map((x) => x.type).sort()).toEqual(['PASSPORT', 'PHONE']);
  });

  test('pseudonymization warnings are reported with the record location and the record is kept', async () => {
    const agency = await newAgency();
    const bad = fund('F-1', '1.00', 'EUR', { account: { type: 'BANK_ACCOUNT', value: 'ES00 0000 0000 0000 0000 0000' } });
    const { report } = await f.ingest(agency, 'liaison-json', liaisonJson([bad]));
    expect(report.status).toBe('ACCEPTED');
    expect(report.issues).toEqual([
      expect.objectContaining({ code: 'INVALID_IDENTIFIER', severity: 'warning', ref: 'F-1', kind: 'interceptedFund', path: '/records/0' }),
    ]);
  });
});

describe('den references', () => {
  test('resolve to a den later in the same file and to a den of an earlier submission of the same owner', async () => {
    const agency = await newAgency();
    const first = await f.ingest(agency, 'liaison-json', liaisonJson([suspect('S-1', 'E400', { denRef: 'D-LATER' }), den('D-LATER')]), {
      batchSize: 1,
    });
    expect(first.report.counts).toMatchObject({ accepted: 2, rejected: 0 });
    const second = await f.ingest(agency, 'liaison-json', liaisonJson([fund('F-1', '1.00', 'USD', { denRef: 'D-LATER' })]));
    expect(second.status).toBe(201);
    const d = await f.db.prisma.scamDen.findUniqueOrThrow({ where: { ownerId_sourceRef: { ownerId: agency.id, sourceRef: 'D-LATER' } } });
    const s = await f.db.prisma.suspect.findUniqueOrThrow({ where: { ownerId_sourceRef: { ownerId: agency.id, sourceRef: 'S-1' } } });
    const fu = await f.db.prisma.interceptedFund.findUniqueOrThrow({ where: { ownerId_sourceRef: { ownerId: agency.id, sourceRef: 'F-1' } } });
    expect([s.denId, fu.denId]).toEqual([d.id, d.id]);
  });

  test("a reference to another agency's den is DANGLING_REFERENCE: ATOMIC rejects the file, PARTIAL rejects that record", async () => {
    const owner = await newAgency();
    await f.ingest(owner, 'liaison-json', liaisonJson([den('D-THEIRS')]));
    const agency = await newAgency();
    const file = liaisonJson([den('D-1'), suspect('S-1', 'E500', { denRef: 'D-THEIRS' }), suspect('S-2', 'E501', { denRef: 'D-1' })]);
    const atomic = await f.ingest(agency, 'liaison-json', file);
    expect(atomic.status).toBe(422);
    expect(atomic.report.issues).toEqual([
      { path: '/records/1', field: 'denRef', code: 'DANGLING_REFERENCE', severity: 'error', ref: 'S-1', kind: 'suspect' },
    ]);
    expect(await countsOf(agency)).toMatchObject({ dens: 0, suspects: 0 });

    const partial = await f.ingest(agency, 'liaison-json', file, { mode: 'PARTIAL' });
    expect(partial.status).toBe(201);
    expect(partial.report.counts).toMatchObject({ received: 3, accepted: 2, rejected: 1 });
    expect(await countsOf(agency)).toMatchObject({ dens: 1, suspects: 1 });
  });
});

describe('ATOMIC, PARTIAL and dry run', () => {
  test('FIL-12: one bad record among 2 000 rejects the whole ATOMIC submission, the REJECTED report is kept', async () => {
    const agency = await newAgency();
    const records = Array.from({ length: 2000 }, (_, i) => den(`D-${i}`));
    records[1234] = den('D-1234', { devicesSeized: -5 });
    const { status, report } = await f.ingest(agency, 'liaison-json', liaisonJson(records), { batchSize: 500 });
    expect(status).toBe(422);
    expect(report.status).toBe('REJECTED');
    expect(report.counts).toMatchObject({ received: 2000, accepted: 0, updated: 0, unchanged: 0, rejected: 1 });
    expect(report.issues).toEqual([expect.objectContaining({ path: '/records/1234/devicesSeized', code: 'OUT_OF_RANGE', ref: 'D-1234' })]);
    expect(await countsOf(agency)).toEqual({ dens: 0, suspects: 0, funds: 0, submissions: 1 });
    expect(await findSubmission(f.db.prisma, agency.id, report.id)).toEqual(report);
  });

  test('FIL-12: out-of-range values are record errors naming the field, never the value', async () => {
    const agency = await newAgency();
    const huge = '9'.repeat(30);
    const file = liaisonJson([fund('F-1', huge, 'EUR'), fund('F-2', 'NaN', 'EUR'), fund('F-3', '1e309', 'EUR'), den('D-1', { region: 'x'.repeat(1_000_000) })]);
    const { status, report } = await f.ingest(agency, 'liaison-json', file, { mode: 'PARTIAL' });
    expect(status).toBe(201);
    expect(report.counts).toMatchObject({ received: 4, accepted: 0, rejected: 4 });
    expect(new Set(report.issues.map((i) => i.ref))).toEqual(new Set(['F-1', 'F-2', 'F-3', 'D-1']));
    expect(JSON.stringify(report)).not.toContain(huge);
    expect(JSON.stringify(report)).not.toContain('xxxxxxxx');
  });

  test('PARTIAL stores the valid records and counts the invalid ones as rejected', async () => {
    const agency = await newAgency();
    const file = liaisonJson([den('D-1'), den('D-2', { status: 'NOT-A-STATUS' }), suspect('S-1', 'E600', { role: 'BOSS' }), fund('F-1', '2.50', 'USD')]);
    const { status, report } = await f.ingest(agency, 'liaison-json', file, { mode: 'PARTIAL' });
    expect(status).toBe(201);
    expect(report.status).toBe('ACCEPTED');
    expect(report.counts).toMatchObject({ received: 4, accepted: 2, rejected: 2 });
    expect(report.issues.map((i) => `${i.code}@${i.field}`).sort()).toEqual(['UNKNOWN_VALUE@role', 'UNKNOWN_VALUE@status']);
    expect(await countsOf(agency)).toMatchObject({ dens: 1, suspects: 0, funds: 1 });
  });

  test('a file error rejects everything even in PARTIAL mode (truncated file after valid records)', async () => {
    const agency = await newAgency();
    const file = liaisonJson(Array.from({ length: 300 }, (_, i) => den(`D-${i}`))).slice(0, -40);
    const { status, report } = await f.ingest(agency, 'liaison-json', file, { mode: 'PARTIAL', batchSize: 50 });
    expect(status).toBe(422);
    expect(report.status).toBe('REJECTED');
    expect(report.issues.at(-1)).toMatchObject({ code: 'MALFORMED_FILE', severity: 'error' });
    expect(await countsOf(agency)).toMatchObject({ dens: 0, submissions: 1 });
  });

  test('a file naming another operation is rejected as a whole', async () => {
    const agency = await newAgency();
    const { status, report } = await f.ingest(agency, 'liaison-json', liaisonJson([den('D-1')], 'OTHER-OP'), { mode: 'PARTIAL' });
    expect(status).toBe(422);
    expect(report.issues).toEqual([expect.objectContaining({ code: 'OPERATION_MISMATCH', severity: 'error' })]);
  });

  test('a dry run counts new, updated and unchanged records and den references but stores nothing at all', async () => {
    const agency = await newAgency();
    await f.ingest(agency, 'liaison-json', liaisonJson([den('D-1'), den('D-2')]));
    const before = await tableCounts(f.db);
    const file = liaisonJson([den('D-1', { status: 'DISMANTLED' }), den('D-2'), suspect('S-1', 'E700', { denRef: 'D-3' }), den('D-3')]);
    const { status, report } = await f.ingest(agency, 'liaison-json', file, { dryRun: true, idempotencyKey: 'dry-1' });
    expect(status).toBe(201);
    expect(report).toMatchObject({ dryRun: true, status: 'ACCEPTED', idempotencyKey: 'dry-1' });
    expect(report.counts).toMatchObject({ received: 4, accepted: 2, updated: 1, unchanged: 1 });
    expect(await tableCounts(f.db)).toEqual(before);
    expect(await findSubmission(f.db.prisma, agency.id, report.id)).toBeNull();
    // The key of a dry run is not consumed.
    expect((await f.ingest(agency, 'liaison-json', file, { idempotencyKey: 'dry-1' })).status).toBe(201);
  });

  test('a dry run of an invalid ATOMIC file answers 422 and stores no submission row', async () => {
    const agency = await newAgency();
    const { status, report } = await f.ingest(agency, 'liaison-json', liaisonJson([den('D-1', { country: 'Atlantis' })]), { dryRun: true });
    expect(status).toBe(422);
    expect(report.status).toBe('REJECTED');
    expect(await countsOf(agency)).toMatchObject({ submissions: 0 });
  });
});

describe('amountUsd', () => {
  test("uses the partner's figure, else the amount for USD, else the reference rate on actionOn, else null", async () => {
    const agency = await newAgency();
    const file = liaisonJson([
      fund('F-GIVEN', '125000.00', 'CNY', { amountUsd: '17361.11' }),
      fund('F-USD', '1234.56', 'USD'),
      fund('F-EUR', '1000.00', 'EUR', { actionOn: '2022-06-12' }),
      fund('F-BTC', '0.5', 'BTC', { actionOn: '2024-03-01' }),
      fund('F-OLD', '1000.00', 'EUR', { actionOn: '2018-06-01' }),
      fund('F-KRW', '1000.00', 'KRW'),
    ]);
    await f.ingest(agency, 'liaison-json', file);
    const rows = await f.db.prisma.$queryRaw<{ source_ref: string; usd: string | null }[]>`
      SELECT source_ref, amount_usd::text AS usd FROM intercepted_fund WHERE owner_id = ${agency.id}::uuid`;
    const usd = Object.fromEntries(rows.map((r) => [r.source_ref, r.usd === null ? null : Number(r.usd).toFixed(2)]));
    // 2022-06-12 → the 2022-01-03 EUR rate 1.1326; 2024-03-01 → the 2024-01-02 BTC rate 44168.
    expect(usd).toEqual({ 'F-GIVEN': '17361.11', 'F-USD': '1234.56', 'F-EUR': '1132.60', 'F-BTC': '22084.00', 'F-OLD': null, 'F-KRW': null });
    const [exact] = await f.db.prisma.$queryRaw<{ usd: string }[]>`
      SELECT amount_usd::text AS usd FROM intercepted_fund WHERE owner_id = ${agency.id}::uuid AND source_ref = 'F-EUR'`;
    expect(exact!.usd).toBe('1132.600000000000000000');
  });
});

describe('access and limits', () => {
  test('an unknown operation and an operation the agency does not take part in get the same NOT_FOUND', async () => {
    const agency = await newAgency();
    const unknown = await codeOf(f.ingest(agency, 'liaison-json', liaisonJson([den('D-1')]), { operationCode: 'NO-SUCH-OP' }));
    const outsider = await codeOf(f.ingest(f.agencies.OUTSIDER!, 'liaison-json', liaisonJson([den('D-1')])));
    expect(unknown).toEqual(outsider);
    expect(unknown.code).toBe('NOT_FOUND');
  });

  test('an unknown format is UNSUPPORTED_FORMAT (415)', async () => {
    const agency = await newAgency();
    expect(await codeOf(f.ingest(agency, 'xlsx', 'x'))).toMatchObject({ code: 'UNSUPPORTED_FORMAT', status: 415 });
  });

  test('FIL-08: a body over maxBytes is PAYLOAD_TOO_LARGE while streaming and nothing is stored', async () => {
    const agency = await newAgency();
    const file = liaisonJson(Array.from({ length: 3000 }, (_, i) => den(`D-${i}`)));
    let pulled = 0;
    async function* body() {
      for await (const chunk of chunked(new TextEncoder().encode(file), 4096)) {
        pulled += chunk.byteLength;
        yield chunk;
      }
    }
    const error = await codeOf(f.ingest(agency, 'liaison-json', '', { body: body(), maxBytes: 100_000, batchSize: 100 }));
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(pulled).toBeLessThanOrEqual(100_000 + 4096);
    expect(await countsOf(agency)).toEqual({ dens: 0, suspects: 0, funds: 0, submissions: 0 });
  });

  test(`more than ${MAX_RECORDS} records is a TOO_LARGE file error`, async () => {
    const agency = await newAgency();
    const dens = Array.from({ length: MAX_RECORDS + 1 }, (_, i) => `{"kind":"scamDen","ref":"D${i}","country":"KH","denType":"LOAN","status":"ACTIVE"}`);
    const file = `{"format":"liaison-json","version":1,"operation":"FIRST-LIGHT-2022","records":[${dens.join(',')}]}`;
    const { status, report } = await f.ingest(agency, 'liaison-json', file);
    expect(status).toBe(422);
    expect(report.counts.received).toBe(MAX_RECORDS);
    expect(report.issues).toEqual([{ field: '(file)', code: 'TOO_LARGE', severity: 'error', limit: MAX_RECORDS }]);
    expect(await countsOf(agency)).toMatchObject({ dens: 0 });
  }, 180_000);

  test('the issue list is capped, the counts stay exact', async () => {
    const agency = await newAgency();
    const records = Array.from({ length: 3000 }, (_, i) => den(`D-${i}`, { denType: 'NOPE' }));
    const { report } = await f.ingest(agency, 'liaison-json', liaisonJson(records), { mode: 'PARTIAL' });
    expect(report.counts).toMatchObject({ received: 3000, rejected: 3000 });
    expect(report.issues).toHaveLength(MAX_REPORT_ISSUES + 1);
    expect(report.issues.at(-1)).toMatchObject({ code: 'ISSUES_TRUNCATED', severity: 'warning' });
  });
});

describe('reports and logs', () => {
  test('PRV-04/AUZ-08: findSubmission answers the owner only; another agency and a malformed id get null', async () => {
    const agency = await newAgency();
    const other = await newAgency();
    const { report } = await f.ingest(agency, 'liaison-json', liaisonJson([den('D-1')]));
    expect(await findSubmission(f.db.prisma, agency.id, report.id)).toEqual(report);
    expect(await findSubmission(f.db.prisma, other.id, report.id)).toBeNull();
    expect(await findSubmission(f.db.prisma, agency.id, 'not-a-uuid')).toBeNull();
    expect(await findSubmission(f.db.prisma, agency.id, "' OR 1=1 --")).toBeNull();
  });

  test('LOG-03: one info line per submission with id, agency, format, counts and duration, no values', async () => {
    const agency = await newAgency();
    const secret = 'Passport-Z98765432';
    const { report } = await f.ingest(agency, 'liaison-json', liaisonJson([suspect('S-1', secret, { fullName: 'Secret Person' })]), {
      idempotencyKey: 'log-key-1',
    });
    const lines = f.logs.filter((l) => l.submission === report.id && l.level === 30);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, agency: agency.code, format: 'liaison-json', counts: report.counts });
    expect(typeof lines[0]!.durationMs).toBe('number');
    const all = JSON.stringify(f.logs);
    for (const value of [secret, 'Secret Person', 'log-key-1']) expect(all).not.toContain(value);
  });
});
