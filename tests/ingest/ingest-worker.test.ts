// The ingest worker pool and the keyed digest that skips unchanged records: where the file's
// CPU work runs (ISO-25) and at what priority (ISO-32), what an unchanged resubmission does and does not write (FIL-13), how
// errors found in the worker still name field and location with nothing half-stored (FIL-14),
// and what the stored digest is and is not (PRV-12, PRV-13).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ParsePool } from '../../ingest/parse-pool.ts';
import { WORKER_NICE } from '../../ingest/parse-protocol.ts';
import { digestKey, recordDigest } from '../../ingest/record-digest.ts';
import { liaisonJsonAdapter } from '../../adapters/liaison-json/index.ts';
import type { MappedRecord } from '../../adapters/contract.ts';
import {
  addParticipant,
  bigLiaisonJson,
  bytesOf,
  chunked,
  createIngestFixture,
  den,
  fund,
  liaisonJson,
  PSEUDONYM_KEY,
  suspect,
  tableCounts,
  type Agency,
  type IngestFixture,
} from './support.ts';

let f: IngestFixture;
let n = 0;
const newAgency = (): Promise<Agency> => addParticipant(f, `WK-${++n}`);
const pool = new ParsePool(1);

beforeAll(async () => {
  f = await createIngestFixture(['LEAD']);
});
afterAll(async () => {
  await f?.close();
});

const file = (extra: Record<string, unknown> = {}) =>
  liaisonJson([den('D-1'), suspect('S-1', 'E100', { denRef: 'D-1', ...extra }), suspect('S-2', 'E200'), fund('F-1', '10.00', 'USD')]);

type StoredRow = { ref: string; digest: string | null; updated: Date; submission: string };
const storedSuspects = (agency: Agency) =>
  f.db.prisma.$queryRaw<StoredRow[]>`
    SELECT source_ref AS ref, ingest_digest AS digest, updated_at AS updated, submission_id::text AS submission
      FROM suspect WHERE owner_id = ${agency.id}::uuid ORDER BY source_ref`;

/** The mapped records of a liaison-json file, as the worker digests them. */
async function mappedRecords(agency: Agency, body: string): Promise<MappedRecord[]> {
  const records: MappedRecord[] = [];
  const context = { agencyCode: agency.code, operationCode: 'FIRST-LIGHT-2022', today: '2026-06-01' };
  for await (const item of liaisonJsonAdapter.parse(chunked(bytesOf(body)), context)) if (item.kind === 'record') records.push(item.record);
  return records;
}

describe('the ingest worker pool', () => {
  test('ISO-25: the file is parsed, mapped and pseudonymized by a worker of the pool, one submission per worker at a time', async () => {
    const [a, b] = [await newAgency(), await newAgency()];
    const before = pool.jobsRun;
    // Two submissions at once on a pool of one worker: the second waits for the worker, both are stored.
    const results = await Promise.all([
      f.ingest(a, 'liaison-json', file(), { parsePool: pool, mode: 'PARTIAL' }),
      f.ingest(b, 'liaison-json', file(), { parsePool: pool, mode: 'PARTIAL' }),
    ]);
    expect(pool.jobsRun - before).toBe(2);
    for (const { status, report } of results) {
      expect(status).toBe(201);
      expect(report.counts).toMatchObject({ received: 4, accepted: 4, rejected: 0 });
    }
    // What the worker sent back is pseudonymized: the stored selectors are hashes.
    const selectors = await f.db.prisma.selector.findMany({ where: { suspect: { ownerId: a.id } } });
    expect(selectors).toHaveLength(4);
    for (const s of selectors) expect(s.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test.runIf(existsSync('/proc/thread-self'))('ISO-32: an ingest worker thread runs at the lowest CPU priority, the threads that answer requests at their own', async () => {
    const niceOf = (tid: string) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const lowest = () => readdirSync('/proc/self/task').filter((tid) => niceOf(tid) === WORKER_NICE);
    const own = new ParsePool(1);
    const before = lowest();
    await own.warm(); // resolves once the worker is loaded
    expect(lowest().filter((tid) => !before.includes(tid))).toHaveLength(1);
    // The process (its main thread) keeps its priority: only the worker's thread was lowered.
    expect(getPriority(0)).not.toBe(WORKER_NICE);
    expect(niceOf(String(process.pid))).toBe(getPriority(0));
  });

  test('FIL-14: errors found in the worker name the field and line or path, and a file error after valid records stores nothing', async () => {
    const agency = await newAgency();
    const before = await tableCounts(f.db);
    const bad = liaisonJson([den('D-1'), suspect('S-1', 'E100', { status: 'LOST' })]);
    const rejected = await f.ingest(agency, 'liaison-json', bad, { parsePool: pool });
    expect(rejected.status).toBe(422);
    expect(rejected.report.issues).toContainEqual(expect.objectContaining({ path: '/records/1/status', field: 'status', code: 'UNKNOWN_VALUE' }));
    const truncated = liaisonJson([den('D-2'), suspect('S-2', 'E200')]).slice(0, -20);
    const broken = await f.ingest(agency, 'liaison-json', truncated, { parsePool: pool, mode: 'PARTIAL' });
    expect(broken.status).toBe(422);
    expect(broken.report.issues[0]).toMatchObject({ code: 'MALFORMED_FILE', line: 1 });
    // Past the first chunks of the spool (read again to place the error), exactly where it is.
    const pretty = JSON.stringify(JSON.parse(liaisonJson(Array.from({ length: 1_500 }, (_, i) => suspect(`S-P${i}`, `E9${i}`)))), null, 2);
    const at = pretty.indexOf('"status"', pretty.indexOf('"S-P1234"'));
    const head = pretty.slice(0, at);
    const misplaced = await f.ingest(agency, 'liaison-json', `${head}#${pretty.slice(at)}`, { parsePool: pool, mode: 'PARTIAL' });
    expect(misplaced.status).toBe(422);
    expect(misplaced.report.issues.at(-1)).toMatchObject({
      code: 'MALFORMED_FILE',
      line: head.split('\n').length,
      column: head.length - head.lastIndexOf('\n'),
    });
    const csv = 'id_registro;tipo_registro;nivel\nX-1;desconocido;VERDE\n';
    const csvReport = await f.ingest(agency, 'es-pn-csv', csv, { parsePool: pool, mode: 'PARTIAL' });
    expect(csvReport.report.issues.some((i) => i.line !== undefined)).toBe(true);
    const after = await tableCounts(f.db);
    expect({ ...after, submissions: 0 }).toEqual({ ...before, submissions: 0 });
  });
});

describe('the batches\' buffers', () => {
  /** A pool whose leases note every buffer given back to the worker, as it was when given. */
  class WatchedPool extends ParsePool {
    readonly given: { bytes: number; after: () => number }[] = [];
    override async lease() {
      const lease = await super.lease();
      return {
        ...lease,
        recycle: (buffers: readonly ArrayBuffer[]) => {
          for (const b of buffers) this.given.push({ bytes: b.byteLength, after: () => b.byteLength });
          lease.recycle(buffers);
        },
      };
    }
  }

  test('a written batch\'s buffers go back to the ingest worker, which fills them again: every record is stored as the file says', async () => {
    const watched = new WatchedPool(1);
    const agency = await newAgency();
    // 1,200 records in batches of 100: a den and 49 suspects per 50, so two tables per batch.
    const result = await f.ingest(agency, 'liaison-json', bigLiaisonJson(1_200, 'RC'), { parsePool: watched, batchSize: 100 });
    expect(result.status).toBe(201);
    expect(result.report.counts).toMatchObject({ received: 1_200, accepted: 1_200, rejected: 0 });
    // Each batch's two inputs were given back once written, and those of the first eleven left
    // this thread (detached here). The last batch's go only if its statement ends before the
    // worker reports the job done; otherwise they stay here and are collected as any memory.
    expect(watched.given).toHaveLength(24);
    expect(watched.given.every((g) => g.bytes > 0)).toBe(true);
    expect(watched.given.slice(0, 22).map((g) => g.after())).toEqual(Array<number>(22).fill(0));
    // Batches filled into used buffers hold their own records, not a trace of earlier ones.
    const rows = await f.db.prisma.$queryRaw<{ ref: string; den: string | null }[]>`
      SELECT s.source_ref AS ref, d.source_ref AS den FROM suspect s LEFT JOIN scam_den d ON d.id = s.den_id
       WHERE s.owner_id = ${agency.id}::uuid ORDER BY s.source_ref`;
    const expected = Array.from({ length: 1_200 }, (_, i) => i)
      .filter((i) => i % 50 !== 0)
      .map((i) => ({ ref: `RC-${i}`, den: `RC-D-${i - (i % 50)}` }))
      .sort((a, b) => (a.ref < b.ref ? -1 : 1));
    expect(rows).toEqual(expected);
    expect(await f.db.prisma.scamDen.count({ where: { ownerId: agency.id } })).toBe(24);
  });
});

describe('unchanged records skipped by their keyed digest', () => {
  test('FIL-13: an unchanged resubmission counts every record unchanged and writes none of them', async () => {
    const agency = await newAgency();
    const first = await f.ingest(agency, 'liaison-json', file(), { parsePool: pool });
    expect(first.report.counts).toMatchObject({ accepted: 4, unchanged: 0 });
    const stored = await storedSuspects(agency);
    const versions = (await tableCounts(f.db)).versions;
    // Other bytes (a trailing newline), so that the content is not answered as a replay.
    const again = await f.ingest(agency, 'liaison-json', `${file()}\n`, { parsePool: pool });
    expect(again.status).toBe(201);
    expect(again.report.counts).toEqual({ received: 4, accepted: 0, updated: 0, unchanged: 4, rejected: 0, skipped: 0 });
    expect(await storedSuspects(agency)).toEqual(stored);
    expect((await tableCounts(f.db)).versions).toBe(versions);
  });

  test('FIL-13: a changed record is written (its version kept), the others are skipped', async () => {
    const agency = await newAgency();
    await f.ingest(agency, 'liaison-json', file(), { parsePool: pool });
    const changed = await f.ingest(agency, 'liaison-json', file({ status: 'CHARGED' }), { parsePool: pool });
    expect(changed.report.counts).toMatchObject({ received: 4, updated: 1, unchanged: 3, accepted: 0 });
    const s1 = await f.db.prisma.suspect.findUniqueOrThrow({ where: { ownerId_sourceRef: { ownerId: agency.id, sourceRef: 'S-1' } } });
    expect(s1.status).toBe('CHARGED');
    expect(await f.db.prisma.recordVersion.count({ where: { recordId: s1.id } })).toBe(1);
  });

  test('FIL-13: a row changed by anything but ingest forgets its digest, so the same record is compared and written again', async () => {
    const agency = await newAgency();
    await f.ingest(agency, 'liaison-json', file(), { parsePool: pool });
    await f.db.prisma.$executeRaw`UPDATE suspect SET status = 'WANTED' WHERE owner_id = ${agency.id}::uuid AND source_ref = 'S-2'`;
    const s2 = (await storedSuspects(agency)).find((r) => r.ref === 'S-2')!;
    expect(s2.digest).toBeNull();
    const again = await f.ingest(agency, 'liaison-json', `${file()}\n`, { parsePool: pool });
    expect(again.report.counts).toMatchObject({ received: 4, updated: 1, unchanged: 3 });
    const restored = await f.db.prisma.suspect.findUniqueOrThrow({ where: { ownerId_sourceRef: { ownerId: agency.id, sourceRef: 'S-2' } } });
    expect(restored.status).toBe('ARRESTED');
    expect((await storedSuspects(agency)).find((r) => r.ref === 'S-2')!.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  test('FIL-13: a fund converted at write time with a reference rate is never skipped', async () => {
    const agency = await newAgency();
    const eur = liaisonJson([fund('F-9', '100.00', 'EUR')]);
    await f.ingest(agency, 'liaison-json', eur, { parsePool: pool });
    const again = await f.ingest(agency, 'liaison-json', `${eur}\n`, { parsePool: pool });
    expect(again.report.counts).toMatchObject({ received: 1, unchanged: 1 });
    const row = await f.db.prisma.interceptedFund.findUniqueOrThrow({ where: { ownerId_sourceRef: { ownerId: agency.id, sourceRef: 'F-9' } } });
    expect(row.ingestDigest).toBeNull();
  });
});

describe('the stored digest', () => {
  test('PRV-12: the digest is an HMAC under a key derived from the pseudonym key, never a plain hash of the record; another key gives another digest', async () => {
    const agency = await newAgency();
    const body = file();
    await f.ingest(agency, 'liaison-json', body, { parsePool: pool });
    const records = await mappedRecords(agency, body);
    const s1 = records.find((r) => r.ref === 'S-1')!;
    const stored = (await storedSuspects(agency)).find((r) => r.ref === 'S-1')!.digest;
    expect(stored).toBe(recordDigest(digestKey(PSEUDONYM_KEY), { operationId: f.operationId }, s1));
    expect(stored).not.toBe(createHash('sha256').update(JSON.stringify(s1)).digest('hex'));
    expect(stored).not.toBe(recordDigest(digestKey('another-pseudonym-key-0123456789abcdef'), { operationId: f.operationId }, s1));
    // Under another pseudonym key nothing matches: every record is compared and written again.
    const rekeyed = await f.ingest(agency, 'liaison-json', `${body}\n`, { parsePool: pool, pseudonymKey: 'another-pseudonym-key-0123456789abcdef' });
    expect(rekeyed.report.counts.unchanged).toBe(2);
    expect(rekeyed.report.counts.updated).toBe(2);
  });

  test('PRV-13: record versions do not carry the digest, and neither the pseudonym key nor a digest reaches the log', async () => {
    const agency = await newAgency();
    await f.ingest(agency, 'liaison-json', file(), { parsePool: pool });
    await f.ingest(agency, 'liaison-json', file({ status: 'CHARGED' }), { parsePool: pool });
    const versions = await f.db.prisma.recordVersion.findMany({ where: { ownerId: agency.id } });
    expect(versions.length).toBeGreaterThan(0);
    for (const v of versions) expect(Object.keys(v.data as object)).not.toContain('ingest_digest');
    const digests = (await storedSuspects(agency)).map((r) => r.digest!);
    const logged = JSON.stringify(f.logs);
    expect(logged).not.toContain(PSEUDONYM_KEY);
    for (const d of digests) expect(logged).not.toContain(d);
  });
});
