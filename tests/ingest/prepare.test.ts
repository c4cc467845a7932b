// The ingest worker's batching (ingest/prepare.ts, no database): a batch's lookup of unchanged
// records is sent when the batch is cut and answered while the next batch is read, so the
// worker never waits for the database between batches. What comes out must not depend on that:
// batches in file order, each with the answer to its own lookup, every record once.
import { expect, test } from 'vitest';
import { getAdapter } from '../../adapters/index.ts';
import type { Item } from '../../adapters/contract.ts';
import { prepareBatches, type PreparedBatch, type PrepareOptions } from '../../ingest/prepare.ts';
import { digestKey } from '../../ingest/record-digest.ts';
import type { DigestProbe } from '../../ingest/unchanged.ts';
import { bigLiaisonJson, bytesOf, chunked, OPERATION, PSEUDONYM_KEY } from './support.ts';

const options = (batchRecords: number, maxRecords = 1_000_000): PrepareOptions => ({
  pseudonymKey: PSEUDONYM_KEY,
  ownerCode: 'ES-PN',
  digestKey: digestKey(PSEUDONYM_KEY),
  digest: { operationId: '00000000-0000-4000-8000-000000000001' },
  batchRecords,
  maxRecords,
});

/** The items of a liaison-json file of `n` records (a den every 50, suspects referring to it). */
function itemsOf(n: number): AsyncIterable<Item> {
  return getAdapter('liaison-json')!.parse(chunked(bytesOf(bigLiaisonJson(n)), 4096), { agencyCode: 'ES-PN', operationCode: OPERATION, today: '2026-06-01' });
}

/** A lookup whose answers the test gives by hand, in any order. */
function heldLookups() {
  const asked: { probes: DigestProbe[]; answer: (unchanged: number[]) => void; fail: (error: Error) => void }[] = [];
  let wake = () => {};
  const find = (probes: DigestProbe[]) =>
    new Promise<number[]>((answer, fail) => {
      asked.push({ probes, answer, fail });
      wake();
    });
  const askedFor = async (count: number) => {
    while (asked.length < count) await new Promise<void>((resolve) => (wake = resolve));
  };
  return { asked, find, askedFor };
}

const written = (batch: PreparedBatch) => (batch.rows.scamDen?.count ?? 0) + (batch.rows.suspect?.count ?? 0);

test('the next batch is read and its lookup sent while a lookup is unanswered; batches still come out in order, each with its own answer', async () => {
  const lookups = heldLookups();
  const batches = prepareBatches(itemsOf(250), options(100), lookups.find);
  const out: PreparedBatch[] = [];
  const reading = (async () => {
    for await (const batch of batches) out.push(batch);
  })();
  // Batch 2's lookup is asked for before batch 1's is answered.
  await lookups.askedFor(2);
  expect(out).toHaveLength(0);
  expect(lookups.asked.map((a) => a.probes.length)).toEqual([100, 100]);
  // Answered out of order: batch 2 says its first 10 records are unchanged, batch 1 says none.
  lookups.asked[1]!.answer([...Array(10).keys()]);
  lookups.asked[0]!.answer([]);
  await lookups.askedFor(3);
  expect(lookups.asked[2]!.probes).toHaveLength(50);
  lookups.asked[2]!.answer([0]);
  await reading;
  expect(out.map((b) => [b.records, b.unchanged])).toEqual([
    [100, 0],
    [100, 10],
    [50, 1],
  ]);
  // Every record once, in file order: the refs of the probes cover the file exactly.
  const refs = lookups.asked.flatMap((a) => a.probes.map((p) => p.ref));
  expect(new Set(refs).size).toBe(250);
  expect(refs[0]).toBe('S-D-0');
  expect(refs[249]).toBe('S-249');
  // The unchanged records are not written.
  expect(out.map(written)).toEqual([100, 90, 49]);
});

test('over the record cap, the batch that crosses it is still prepared and nothing after it is read', async () => {
  const out: PreparedBatch[] = [];
  const asked: number[] = [];
  for await (const batch of prepareBatches(itemsOf(500), options(100, 150), async (probes) => (asked.push(probes.length), []))) out.push(batch);
  expect(out.map((b) => b.records)).toEqual([100, 51]);
  expect(asked).toEqual([100, 51]);
});

test('a failed lookup fails the file where its batch is due, and is not left unhandled', async () => {
  const lookups = heldLookups();
  const batches = prepareBatches(itemsOf(250), options(100), lookups.find);
  const first = batches.next();
  await lookups.askedFor(2);
  // Batch 2's lookup fails while batch 1's is still pending: nothing is reported yet.
  lookups.asked[1]!.fail(new Error('lookup lost'));
  await new Promise((resolve) => setImmediate(resolve));
  lookups.asked[0]!.answer([]);
  expect((await first).value?.records).toBe(100);
  await expect(batches.next()).rejects.toThrow('lookup lost');
});
