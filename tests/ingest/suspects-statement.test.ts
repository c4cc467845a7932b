// The suspects batch statement (ingest/batch/suspects.ts) on its own, below the pipeline: what it
// must hold whatever the worker hands it. Selectors of a suspect the statement inserts go in
// without a conflict check, so a selector repeated in one element must still be stored once
// (the pseudonymizer removes repeats today; the statement does not rely on it), and a resubmission
// that repeats one must not fail either.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { suspectInput, tableInput } from '../../ingest/batch/input.ts';
import { writeSuspects } from '../../ingest/batch/suspects.ts';
import { statementRunner, type WriteResult } from '../../ingest/batch/types.ts';
import type { SuspectRow } from '../../ingest/rows.ts';
import { createIngestFixture, type IngestFixture } from './support.ts';

let f: IngestFixture;
beforeAll(async () => {
  f = await createIngestFixture(['LEAD']);
});
afterAll(async () => {
  await f?.close();
});

const hash = (c: string) => c.repeat(64);

function row(ref: string, selectors: { type: string; hash: string }[]): SuspectRow {
  return {
    at: { line: 1 },
    codes: { handling: 'H1', handlingNote: null, sourceReliability: 'B', informationAssessment: 2, matchable: true },
    digest: null,
    absent: 0,
    keptSelectorTypes: '',
    personKeyRank: 0,
    ref,
    level: 'AMBER',
    personKey: selectors[0]!.hash,
    nationality: 'CN',
    birthYear: 1990,
    sex: 'M',
    role: 'MEMBER',
    status: 'ARRESTED',
    statusOn: null,
    traffickingVictim: false,
    denRef: null,
    selectors,
    selectorDigest: [...new Set(selectors.map((s) => `${s.type}:${s.hash}`))].sort().join(','),
  };
}

/** Writes the rows as one batch in a transaction of their own, under a submission row of their own. */
async function write(rows: SuspectRow[]): Promise<WriteResult> {
  const agency = f.agencies.LEAD!;
  const submission = await f.db.prisma.submission.create({
    data: { agencyId: agency.id, subject: 'officer-1', format: 'liaison-json', operationId: f.operationId, contentSha256: '0'.repeat(64) },
  });
  const now = new Date();
  return f.db.prisma.$transaction(async (tx) =>
    writeSuspects(
      statementRunner(tx, await f.db.connectionOf(tx)),
      { ownerId: agency.id, submissionId: submission.id, operationId: f.operationId, now, today: now.toISOString().slice(0, 10) },
      tableInput(rows.map(suspectInput)),
    ),
  );
}

const storedSelectors = async (ref: string) => {
  const s = await f.db.prisma.suspect.findUniqueOrThrow({
    where: { ownerId_sourceRef: { ownerId: f.agencies.LEAD!.id, sourceRef: ref } },
    include: { selectors: true },
  });
  return s.selectors.map((x) => `${x.type}:${x.hash.trim()}`).sort();
};

test('a new suspect whose element repeats a selector is stored with it once', async () => {
  const passport = { type: 'PASSPORT', hash: hash('a') };
  const phone = { type: 'PHONE', hash: hash('b') };
  const result = await write([row('S-REPEAT', [passport, phone, phone])]);
  expect(result).toMatchObject({ inserted: 1, updated: 0, unresolved: [] });
  expect(await storedSelectors('S-REPEAT')).toEqual([`PASSPORT:${hash('a')}`, `PHONE:${hash('b')}`]);
});

test('a stored suspect whose new set repeats a selector is updated, each selector stored once', async () => {
  const passport = { type: 'PASSPORT', hash: hash('c') };
  const phone = { type: 'PHONE', hash: hash('d') };
  const email = { type: 'EMAIL', hash: hash('e') };
  await write([row('S-UPDATE', [passport, phone])]);
  const result = await write([row('S-UPDATE', [passport, email, email])]);
  expect(result).toMatchObject({ inserted: 0, updated: 1 });
  expect(await storedSelectors('S-UPDATE')).toEqual([`EMAIL:${hash('e')}`, `PASSPORT:${hash('c')}`]);
});

test('a batch of new suspects gets each its own selectors, none of another', async () => {
  const rows = Array.from({ length: 50 }, (_, i) => {
    const c = (n: number) => (n % 16).toString(16);
    return row(`S-MANY-${i}`, [
      { type: 'PASSPORT', hash: `${c(i)}${c(i + 1)}`.repeat(32) },
      { type: 'PHONE', hash: `${c(i + 2)}${c(i + 3)}${i.toString().padStart(2, '0')}`.repeat(16) },
    ]);
  });
  const result = await write(rows);
  expect(result.inserted).toBe(50);
  for (const r of [rows[0]!, rows[17]!, rows[49]!]) {
    expect(await storedSelectors(r.ref)).toEqual(r.selectors.map((s) => `${s.type}:${s.hash}`).sort());
  }
});
