// The lookup behind the unchanged-record skip (ingest/unchanged.ts): which records of a batch
// already have a stored row of the same owner carrying the same digest. It must answer exactly
// (kind, owner, ref and digest all equal) and cost one index probe per record whatever the
// owner holds: as a hashed subplan it read the owner's whole table once per batch. (A fund in
// USD: one converted at write time carries no digest and is never skipped, by design.)
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Prisma } from '../../prisma/generated/client/client.ts';
import { findUnchanged, type DigestProbe } from '../../ingest/unchanged.ts';
import { bigLiaisonJson, createIngestFixture, den, fund, liaisonJson, type IngestFixture } from './support.ts';

let f: IngestFixture;
beforeAll(async () => {
  f = await createIngestFixture(['ES-PN', 'VN-MPS']);
  const es = f.agencies['ES-PN']!;
  expect((await f.ingest(es, 'liaison-json', bigLiaisonJson(2_000))).status).toBe(201);
  expect((await f.ingest(es, 'liaison-json', liaisonJson([fund('F-1', '10.00', 'USD'), den('D-EXTRA')]))).status).toBe(201);
  expect((await f.ingest(f.agencies['VN-MPS']!, 'liaison-json', liaisonJson([den('D-EXTRA')]))).status).toBe(201);
}, 120_000);
afterAll(() => f?.close());

type Stored = { kind: DigestProbe['kind']; ref: string; digest: string };
async function stored(ownerCode: string): Promise<Stored[]> {
  return f.db.prisma.$queryRaw<Stored[]>`
    SELECT 'suspect' AS kind, source_ref AS ref, ingest_digest AS digest FROM suspect WHERE owner_id = ${f.agencies[ownerCode]!.id}::uuid AND source_ref IN ('S-1', 'S-2')
    UNION ALL SELECT 'scamDen', source_ref, ingest_digest FROM scam_den WHERE owner_id = ${f.agencies[ownerCode]!.id}::uuid AND source_ref = 'D-EXTRA'
    UNION ALL SELECT 'interceptedFund', source_ref, ingest_digest FROM intercepted_fund WHERE owner_id = ${f.agencies[ownerCode]!.id}::uuid
    ORDER BY 1, 2`;
}

test('answers the records whose kind, owner, ref and digest all match, by their index in the batch', async () => {
  const mine = await stored('ES-PN');
  expect(mine.map((r) => `${r.kind}:${r.ref}`)).toEqual(['interceptedFund:F-1', 'scamDen:D-EXTRA', 'suspect:S-1', 'suspect:S-2']);
  const [fundRow, denRow, s1, s2] = mine as [Stored, Stored, Stored, Stored];
  const probes: DigestProbe[] = [
    s1, // 0: unchanged
    { ...s2, digest: s1.digest }, // 1: another digest
    { kind: 'scamDen', ref: s1.ref, digest: s1.digest }, // 2: the kind differs
    denRow, // 3: unchanged
    fundRow, // 4: unchanged
    { kind: 'suspect', ref: 'S-NEVER', digest: s1.digest }, // 5: not stored
    s2, // 6: unchanged
  ];
  expect(await findUnchanged(f.db.prisma, f.agencies['ES-PN']!.id, probes)).toEqual([0, 3, 4, 6]);
  // Only the asking owner's rows count: VN-MPS holds no S-1; its own D-EXTRA (same record, same
  // digest) is its own.
  expect(await findUnchanged(f.db.prisma, f.agencies['VN-MPS']!.id, [s1, denRow])).toEqual([1]);
  expect(await findUnchanged(f.db.prisma, f.agencies['ES-PN']!.id, [])).toEqual([]);
});

test('probes the owner\'s (owner_id, source_ref) index once per record and never reads the owner\'s whole table', async () => {
  const probes = (await stored('ES-PN')).filter((r) => r.kind === 'suspect');
  const plan: string[] = [];
  const explaining = {
    $queryRaw: (query: Prisma.Sql) =>
      f.db.prisma.$queryRaw<Record<string, string>[]>(Prisma.sql`EXPLAIN ${query}`).then((rows) => {
        plan.push(...rows.map((r) => Object.values(r)[0]!));
        return [];
      }),
  } as unknown as Parameters<typeof findUnchanged>[0];
  await findUnchanged(explaining, f.agencies['ES-PN']!.id, probes);
  const text = plan.join('\n');
  expect(text).toMatch(/Index (Only )?Scan using suspect_owner_id_source_ref_key/);
  expect(text).not.toMatch(/Seq Scan on suspect/);
  expect(text).not.toMatch(/hashed SubPlan/);
});

test('answers the same through the writer pool\'s plain statements (the pipeline\'s lookup on PostgreSQL), refs that need quoting in an array included', async () => {
  const es = f.agencies['ES-PN']!;
  const odd = ['D-"quoted",{braces}\\back', 'NULL', 'D- spaced ,comma'];
  expect((await f.ingest(es, 'liaison-json', liaisonJson(odd.map((ref) => den(ref))))).status).toBe(201);
  const rows = await f.db.prisma.$queryRaw<Stored[]>`
    SELECT 'scamDen' AS kind, source_ref AS ref, ingest_digest AS digest FROM scam_den WHERE owner_id = ${es.id}::uuid AND source_ref IN (${Prisma.join(odd)})
     ORDER BY source_ref`;
  expect(rows.map((r) => r.ref).sort()).toEqual([...odd].sort());
  const probes: DigestProbe[] = [...rows, { ...rows[0]!, ref: `${rows[0]!.ref}x` }, ...(await stored('ES-PN'))];
  const viaPrisma = await findUnchanged(f.db.prisma, es.id, probes);
  expect(viaPrisma).toEqual([0, 1, 2, 4, 5, 6, 7]);
  expect(await findUnchanged(f.db.writerStatements, es.id, probes)).toEqual(viaPrisma);
});
