// The ingest worker's shelf of table-input buffers (ingest/batch/input.ts BufferShelf): a
// written batch's buffers come back from the thread that wrote them and are filled again, so
// the gateway's memory does not grow with the size of a file. What is filled into a used buffer
// must read exactly as if the buffer were new.
import { expect, test } from 'vitest';
import { BufferShelf, JSONB_VERSION, tableInput } from '../../ingest/batch/input.ts';

const CAPACITY_STEP = 64 * 1024;
const elementsOf = (n: number, text = 'x') => Array.from({ length: n }, (_, i) => ({ ref: `S-${i}`, note: text.repeat(i % 7), n: i }));
const read = (jsonb: Uint8Array): unknown => JSON.parse(Buffer.from(jsonb.buffer, jsonb.byteOffset + 1, jsonb.byteLength - 1).toString('utf8'));

test('a new buffer is as long as the input and its memory a whole number of steps, so it fits later batches of about the same size', () => {
  const shelf = new BufferShelf();
  const input = tableInput(elementsOf(300), shelf.take)!;
  expect(input.jsonb[0]).toBe(JSONB_VERSION);
  expect(read(input.jsonb)).toEqual(elementsOf(300));
  expect(input.jsonb.byteOffset).toBe(0);
  expect(input.jsonb.buffer.byteLength % CAPACITY_STEP).toBe(0);
  expect(input.jsonb.buffer.byteLength).toBeGreaterThanOrEqual(input.jsonb.byteLength);
});

test('a buffer given back is filled again: the smallest that holds the input, and what it held before does not show', () => {
  const shelf = new BufferShelf();
  const big = tableInput(elementsOf(2_000, 'long text '), shelf.take)!;
  const small = tableInput(elementsOf(10), shelf.take)!;
  expect(big.jsonb.buffer.byteLength).toBeGreaterThan(small.jsonb.buffer.byteLength);
  shelf.put([big.jsonb.buffer as ArrayBuffer, small.jsonb.buffer as ArrayBuffer]);

  // Fits in the small one: the small one is taken, and reads as the new elements only.
  const again = tableInput(elementsOf(12), shelf.take)!;
  expect(again.jsonb.buffer).toBe(small.jsonb.buffer);
  expect(read(again.jsonb)).toEqual(elementsOf(12));
  // The small one is in use: the big one is taken, and its earlier, longer content is not read.
  const next = tableInput(elementsOf(600), shelf.take)!;
  expect(next.jsonb.buffer).toBe(big.jsonb.buffer);
  expect(next.jsonb.byteLength).toBeLessThan(big.jsonb.byteLength);
  expect(read(next.jsonb)).toEqual(elementsOf(600));
  // The shelf is empty now: a new buffer.
  const fresh = tableInput(elementsOf(5), shelf.take)!;
  expect([big.jsonb.buffer, small.jsonb.buffer]).not.toContain(fresh.jsonb.buffer);
});

test('at most six buffers are kept, the largest; a buffer already moved elsewhere (detached) is not kept; clear empties the shelf', () => {
  const shelf = new BufferShelf();
  const buffers = Array.from({ length: 9 }, (_, i) => new ArrayBuffer((i + 1) * CAPACITY_STEP));
  const moved = new ArrayBuffer(CAPACITY_STEP * 20);
  structuredClone(moved, { transfer: [moved] });
  expect(moved.byteLength).toBe(0);
  shelf.put([...buffers, moved]);
  // Each take of the smallest size gets the smallest kept buffer: the 4th to the 9th.
  const taken = Array.from({ length: 6 }, () => shelf.take(1).buffer);
  expect(taken).toEqual(buffers.slice(3));
  expect(buffers.slice(0, 3)).not.toContain(shelf.take(1).buffer);

  shelf.put([new ArrayBuffer(CAPACITY_STEP * 3)]);
  shelf.clear();
  expect(shelf.take(10).buffer.byteLength).toBe(CAPACITY_STEP);
});
