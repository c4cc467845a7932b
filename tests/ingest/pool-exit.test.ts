// REL-24: an idle ingest worker never keeps its process alive. A gateway or CLI process that
// leased a worker but ran no job on it (an idempotent replay is answered before any parsing,
// the crash test's third run), or that only warmed the pool, ends by itself when its work is done;
// before this held, such a process stayed up for good with nothing left to do (the idle
// worker was unref'd before its 'message' listener was added, which refs it again).
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { runTsxChild } from '../helpers/child-process.ts';

const CHILD = fileURLToPath(new URL('./pool-exit-child.ts', import.meta.url));
/** Only a guard against a hang: far above how long the child needs on a loaded machine. */
const HANG_GUARD_MS = 60_000;

describe('an idle ingest worker and its process', () => {
  test.each([
    ['leased and given back without a job (an idempotent replay)', 'lease'],
    ['started by warm() and never used', 'warm'],
  ])('REL-24: a process whose worker was %s exits by itself', async (_label, mode) => {
    const run = await runTsxChild(CHILD, [mode], HANG_GUARD_MS);
    expect(run).toEqual({ code: 0, signal: null, output: `done ${mode}\n`, hung: false });
  }, HANG_GUARD_MS + 30_000);
});
