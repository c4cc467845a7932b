// Submission-time linkage at file scale (issue 10 §5, issue 11 §3): when a file's records carry
// identifiers another agency already holds, the lookup, the owner's events and the quota charge
// are worked out inside the database, and the audit entry names a bounded number of selectors.
// MAT-36: every linked record of the other agency gets exactly one LINKED_BY_SUBMISSION, each
// identifier is charged once, a watch fires once per stored record it covers, the audit entry
// lists at most AUDITED_LINK_SELECTORS selectors (in order) with the full count, and nothing
// anywhere holds a raw value. Runs on PGlite and, with DATABASE_URL, on PostgreSQL, where the
// tables are fresh and unanalysed (the plan that once took minutes there).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { selectorHash } from '../../adapters/pseudonymize.ts';
import { AUDITED_LINK_SELECTORS } from '../../ingest/linkage.ts';
import { bigLiaisonJson, createIngestFixture, fund, liaisonJson, NOW, PSEUDONYM_KEY, suspect, type IngestFixture } from './support.ts';

const RECORDS = 1_500; // 1,470 suspects (a den every 50th record), each with its own passport and one shared phone
const SUSPECTS = RECORDS - RECORDS / 50;

let f: IngestFixture;
beforeAll(async () => {
  f = await createIngestFixture(['VN-MPS', 'KH-NPA', 'TH-RTP']);
}, 60_000);
afterAll(async () => {
  await f?.close();
});

type EventRow = { agency_id: string; type: string; payload: Record<string, unknown> };
const eventsOf = (agencyId: string) =>
  f.db.prisma.$queryRaw<EventRow[]>`SELECT agency_id::text, type, payload FROM agency_event WHERE agency_id = ${agencyId}::uuid ORDER BY id`;

test('MAT-36 a file linking 1,470 records of another agency: one event per record, one charge per identifier, a bounded audit entry, no raw value', async () => {
  const [a, b, c] = [f.agencies['VN-MPS']!, f.agencies['KH-NPA']!, f.agencies['TH-RTP']!];
  expect((await f.ingest(a, 'liaison-json', bigLiaisonJson(RECORDS, 'A'))).status).toBe(201);

  // TH-RTP watches one of the passports (as `watch` stores it: type and keyed hash only).
  const watched = selectorHash(PSEUDONYM_KEY, 'PASSPORT', 'CN:E10000007');
  const watch = await f.db.prisma.watch.create({
    data: { agencyId: c.id, subject: 'analyst', purpose: 'Case 7', caseRef: 'TH-7', identifiers: 1, until: new Date(NOW.getTime() + 86_400_000), selectors: { create: [{ type: 'PASSPORT', hash: watched }] } },
  });

  const submitted = await f.ingest(b, 'liaison-json', bigLiaisonJson(RECORDS, 'B'));
  expect(submitted.status).toBe(201);

  const toA = await eventsOf(a.id);
  expect(toA.map((e) => e.type)).toEqual(Array(SUSPECTS).fill('LINKED_BY_SUBMISSION'));
  const aSuspects = await f.db.prisma.suspect.findMany({ where: { ownerId: a.id }, select: { id: true } });
  expect(new Set(toA.map((e) => e.payload.recordId))).toEqual(new Set(aSuspects.map((s) => s.id)));
  expect(toA[0]!.payload).toEqual({ recordType: 'SUSPECT', recordId: expect.any(String), linkedBy: 'KH-NPA', operation: 'FIRST-LIGHT-2022', at: NOW.toISOString() });

  // 1,470 passports and the one shared phone: 1,471 identifiers, charged past the default quota.
  const [usage] = await f.db.prisma.matchQuotaUsage.findMany({ where: { agencyId: b.id } });
  expect(usage?.used).toBe(SUSPECTS + 1);

  // The watch fires once, on B's one record with that passport: WATCH_HIT to TH-RTP, MATCH_HIT to B.
  const toC = await eventsOf(c.id);
  expect(toC).toHaveLength(1);
  expect(toC[0]!.payload).toMatchObject({ watchId: watch.id, owner: 'KH-NPA', recordType: 'SUSPECT', hitRef: expect.any(String) });
  const toB = (await eventsOf(b.id)).filter((e) => e.type === 'MATCH_HIT');
  expect(toB).toHaveLength(1);
  expect(toB[0]!.payload).toMatchObject({ matchedBy: 'TH-RTP', watch: true, purpose: 'Case 7', caseRef: 'TH-7' });
  const bRecord = await f.db.prisma.suspect.findFirst({ where: { ownerId: b.id, selectors: { some: { hash: watched } } }, select: { id: true } });
  expect(toB[0]!.payload.recordId).toBe(bRecord!.id);
  expect(await f.db.prisma.matchHit.count({ where: { requesterId: c.id, recordId: bRecord!.id } })).toBe(1);

  const audit = await f.db.prisma.auditEvent.findMany({ where: { action: 'submission.linkage', target: submitted.report.id } });
  expect(audit).toHaveLength(1);
  const detail = audit[0]!.detail as { links: number; identifiers: number; watchHits: number; selectorCount: number; selectors: string[] };
  expect(detail).toMatchObject({ links: SUSPECTS, identifiers: SUSPECTS + 1, watchHits: 1, selectorCount: SUSPECTS + 1 });
  expect(detail.selectors).toHaveLength(AUDITED_LINK_SELECTORS);
  expect(detail.selectors).toEqual([...detail.selectors].sort());
  for (const selector of detail.selectors) expect(selector).toMatch(/^(PASSPORT|PHONE):[0-9a-f]{64}$/);
  expect(detail.selectors).toContain(`PASSPORT:${watched}`);

  // Neither a passport nor the phone appears in any event or audit entry, in any spelling.
  const stored = JSON.stringify({ toA, toB, toC, audit }, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
  for (const raw of ['E10000007', '10000007', '138 0013 8000', '13800138000']) expect(stored).not.toContain(raw);
}, 240_000);

test('MAT-36 the same records sent again in a new file (one den added) link nothing again: no events, no charge, no audit entry', async () => {
  const [a, b] = [f.agencies['VN-MPS']!, f.agencies['KH-NPA']!];
  const before = { events: (await eventsOf(a.id)).length, used: (await f.db.prisma.matchQuotaUsage.findFirst({ where: { agencyId: b.id } }))?.used };
  const again = await f.ingest(b, 'liaison-json', bigLiaisonJson(RECORDS + 1, 'B'));
  expect(again.status).toBe(201);
  expect(again.report.counts).toMatchObject({ accepted: 1, unchanged: RECORDS });
  expect((await eventsOf(a.id)).length).toBe(before.events);
  expect((await f.db.prisma.matchQuotaUsage.findFirst({ where: { agencyId: b.id } }))?.used).toBe(before.used);
  expect(await f.db.prisma.auditEvent.count({ where: { action: 'submission.linkage', target: again.report.id } })).toBe(0);
}, 240_000);

test('MAT-36 a file whose own records share identifiers (a few, and more than the lookup leaves out by record) links exactly the other agency\'s records', async () => {
  const [b, c] = [f.agencies['KH-NPA']!, f.agencies['TH-RTP']!];
  const account = { type: 'BANK_ACCOUNT', country: 'CN', value: '6222020000000099999' };
  const passport = (value: string) => ({ type: 'PASSPORT', country: 'CN', value });
  const g1 = { identifiers: [passport('G1')] };
  // TH-RTP holds one suspect with passport G1 and a fund on the account, from an earlier file.
  expect((await f.ingest(c, 'liaison-json', liaisonJson([suspect('T-1', 'G1', g1), fund('T-F1', '10.00', 'USD', { account })]))).status).toBe(201);
  const before = await eventsOf(c.id);
  // KH-NPA's file: three of its own records carry G1, two funds the account, and 20 suspects one phone
  // (more than the records a probe leaves out by itself): every one of those probes finds the file's own rows.
  const own = [
    ...['K-1', 'K-2', 'K-3'].map((ref) => suspect(ref, 'G1', g1)),
    ...Array.from({ length: 20 }, (_, i) => suspect(`K-P${i}`, `H${i}`, { identifiers: [passport(`H${i}`), { type: 'PHONE', value: '+86 139 0000 0001' }] })),
    fund('K-F1', '1.00', 'USD', { account }),
    fund('K-F2', '2.00', 'USD', { account }),
  ];
  expect((await f.ingest(b, 'liaison-json', liaisonJson(own))).status).toBe(201);
  const linked = (await eventsOf(c.id)).slice(before.length);
  const tSuspect = await f.db.prisma.suspect.findFirst({ where: { ownerId: c.id, sourceRef: 'T-1' }, select: { id: true } });
  const tFund = await f.db.prisma.interceptedFund.findFirst({ where: { ownerId: c.id, sourceRef: 'T-F1' }, select: { id: true } });
  expect(linked.map((e) => [e.type, e.payload.recordType, e.payload.recordId]).sort()).toEqual(
    [['LINKED_BY_SUBMISSION', 'INTERCEPTED_FUND', tFund!.id], ['LINKED_BY_SUBMISSION', 'SUSPECT', tSuspect!.id]].sort(),
  );
  const audit = await f.db.prisma.auditEvent.findFirst({ where: { action: 'submission.linkage', agencyCode: b.code }, orderBy: { seq: 'desc' } });
  // G1 and the account (as either account type a probe is made for, one identifier): two identifiers.
  expect(audit!.detail).toMatchObject({ links: 2, identifiers: 2 });
}, 120_000);
