// kernel/batch.ts, the group commit of the small writes every request makes: what one turn of
// the event loop submits goes in one statement, what arrives while a statement runs goes in the
// next, a statement never carries more than its bound, and a failed statement fails only its own
// items. The statements here are a recording stand-in: the real ones are tested with the audit
// log (tests/audit/audit.test.ts) and the replay cache (tests/auth/replay-cache.test.ts).
import { describe, expect, it } from 'vitest';
import { batched } from '../../kernel/batch.ts';

/** A statement runner that records each batch and holds each statement until released. */
function recorder() {
  const batches: number[][] = [];
  const held: (() => void)[] = [];
  const failing = new Set<number>();
  const run = async (items: number[]) => {
    batches.push(items);
    const n = batches.length;
    await new Promise<void>((release) => held.push(release));
    if (failing.has(n)) throw new Error(`statement ${n} failed`);
    return items.map((i) => i * 10);
  };
  const releaseAll = () => held.splice(0).forEach((release) => release());
  return { run, batches, releaseAll, failing };
}

describe('batched', () => {
  it('sends what one turn of the event loop submits in one statement, at the end of that turn', async () => {
    const r = recorder();
    const submit = batched(r.run, 100);
    const answers = [1, 2, 3].map((i) => submit(i));
    // Nothing is sent before the turn ends.
    expect(r.batches).toEqual([]);
    await new Promise((turnEnded) => setImmediate(turnEnded));
    expect(r.batches).toEqual([[1, 2, 3]]);
    r.releaseAll();
    expect(await Promise.all(answers)).toEqual([10, 20, 30]);
  });

  it('sends what arrives while a statement runs in the next one, and at most maxItems in each', async () => {
    const r = recorder();
    const submit = batched(r.run, 2);
    const first = submit(1);
    await expect.poll(() => r.batches.length).toBe(1);
    const later = [2, 3, 4, 5, 6].map((i) => submit(i));
    await new Promise((turnEnded) => setImmediate(turnEnded));
    // One statement of a kind at a time: the five wait for the first.
    expect(r.batches).toEqual([[1]]);
    for (let sent = 1; sent <= 4; sent++) {
      await expect.poll(() => r.batches.length).toBe(sent);
      r.releaseAll();
    }
    expect(await Promise.all([first, ...later])).toEqual([10, 20, 30, 40, 50, 60]);
    expect(r.batches).toEqual([[1], [2, 3], [4, 5], [6]]);
  });

  it("fails only the items of a statement that failed; the next statement's items succeed", async () => {
    const r = recorder();
    r.failing.add(2);
    const submit = batched(r.run, 2);
    const first = submit(1);
    await expect.poll(() => r.batches.length).toBe(1);
    const [a, b, c] = [2, 3, 4].map((i) => submit(i));
    const settled = Promise.allSettled([first, a!, b!, c!]);
    for (let sent = 1; sent <= 3; sent++) {
      await expect.poll(() => r.batches.length).toBe(sent);
      r.releaseAll();
    }
    const outcomes = (await settled).map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message));
    expect(outcomes).toEqual([10, 'statement 2 failed', 'statement 2 failed', 40]);
  });
});
