// REL-01: the whole submission is one transaction, so a gateway killed (SIGKILL) at any point
// of an ingestion leaves nothing of it behind, and a retry with the same Idempotency-Key then
// succeeds exactly once. The ingestion runs in a child process (crash-child.ts) against
// PostgreSQL; an in-memory PGlite would die with that process, so there is nothing to check.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createIngestFixture, tableCounts, type IngestFixture } from './support.ts';

const RECORDS = 20_000;
const BATCH = 500;
const BATCHES = RECORDS / BATCH;
const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

type ChildOutcome = { killedAfter: number | null; result: { status: number; id: string; counts: Record<string, number> } | null };

/** Runs the child; kills it with SIGKILL once it logs batch `killAt` (null: let it finish). */
function runChild(f: IngestFixture, key: string, killAt: number | null): Promise<ChildOutcome> {
  const agency = f.agencies['ES-PN']!;
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      CRASH_DATABASE_URL: f.db.url!,
      CRASH_AGENCY_ID: agency.id,
      CRASH_AGENCY_CODE: agency.code,
      CRASH_KEY: key,
      CRASH_RECORDS: String(RECORDS),
      CRASH_BATCH: String(BATCH),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const outcome: ChildOutcome = { killedAfter: null, result: null };
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const parsed = JSON.parse(line) as { batches?: number; result?: ChildOutcome['result'] };
      if (parsed.result) outcome.result = parsed.result;
      if (killAt !== null && parsed.batches === killAt && outcome.killedAfter === null) {
        outcome.killedAfter = parsed.batches;
        child.kill('SIGKILL');
      }
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve(outcome));
  });
}

describe.skipIf(!process.env.DATABASE_URL)('REL-01 crash safety (PostgreSQL only: an in-memory PGlite dies with its process)', () => {
  let f: IngestFixture;
  beforeAll(async () => {
    f = await createIngestFixture(['ES-PN']);
  });
  afterAll(async () => {
    await f?.close();
  });

  test.each([
    ['10 %', Math.ceil(BATCHES * 0.1)],
    ['50 %', Math.ceil(BATCHES * 0.5)],
    ['99 %', BATCHES - 1],
  ])('REL-01: SIGKILL at %s of the batches leaves no record and no submission row; a retry with the same key succeeds once', async (_label, killAt) => {
    const key = `crash-${killAt}`;
    const killed = await runChild(f, key, killAt);
    expect(killed).toEqual({ killedAfter: killAt, result: null });
    // The killed backend's transaction is rolled back by PostgreSQL when its connection drops.
    await expect.poll(() => tableCounts(f.db), { timeout: 10_000 }).toMatchObject({ dens: 0, suspects: 0, selectors: 0, submissions: 0 });

    const retried = await runChild(f, key, null);
    expect(retried.result).toMatchObject({ status: 201, counts: { received: RECORDS, accepted: RECORDS, rejected: 0 } });
    const again = await runChild(f, key, null);
    expect(again.result).toMatchObject({ status: 200, id: retried.result!.id });
    expect(await f.db.prisma.submission.count({ where: { idempotencyKey: key, status: 'ACCEPTED' } })).toBe(1);

    // Clean slate for the next kill point.
    await f.db.prisma.$executeRaw`TRUNCATE selector, suspect, intercepted_fund, scam_den, record_version, submission CASCADE`;
  }, 120_000);
});
