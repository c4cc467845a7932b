// The hash-chained audit log: one linear chain under concurrent writers (LOG-07) and tamper
// evidence (LOG-06): an edited, deleted or swapped row is found with the first bad seq.
import { createHash } from 'node:crypto';
import { afterAll, beforeEach, beforeAll, describe, expect, it } from 'vitest';
import {
  appendAuditEvent,
  appendAuditEvents,
  auditEventHash,
  createAuditWriter,
  auditHead,
  GENESIS_HASH,
  verifyAuditChain,
  type AuditEventInput,
} from '../../kernel/audit.ts';
import { openDatabase } from '../../kernel/db.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { heldStatements } from '../helpers/held-statements.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});
beforeEach(async () => {
  // A fresh log: no events, and the head back at genesis.
  await db.prisma.$executeRawUnsafe('TRUNCATE audit_event');
  await db.prisma.$executeRawUnsafe("UPDATE audit_chain_head SET seq = 0, prev_hash = repeat('0', 64), hash = repeat('0', 64)");
});

const AT = new Date('2026-11-29T12:00:00.123Z');
const event = (i: number): AuditEventInput => ({
  agencyCode: 'ES-PN',
  subject: 'officer-4711',
  action: 'records.read',
  target: `scam_den:${i}`,
  outcome: 'ok',
  detail: { jti: `j-${i}`, count: i, codes: ['A', 'B'] },
});

async function appendMany(n: number) {
  const heads = [];
  for (let i = 1; i <= n; i++) heads.push(await appendAuditEvent(db.prisma, event(i), new Date(AT.getTime() + i)));
  return heads;
}

const seqs = async () =>
  (await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' }, select: { seq: true } })).map((r) => r.seq);

describe('appendAuditEvent', () => {
  it('starts the chain at the genesis hash and links each event to the previous hash', async () => {
    const [first, second] = await appendMany(2);
    const rows = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    expect(rows[0]!.hash).toBe(first!.hash);
    expect(rows[1]!.prevHash).toBe(first!.hash);
    expect(rows[1]!.hash).toBe(second!.hash);
  });

  it('hashes prevHash ‖ RFC 8785 canonical JSON of the event fields (key order and absent fields fixed)', async () => {
    const at = new Date('2026-11-29T12:00:00.000Z');
    const { hash } = await appendAuditEvent(
      db.prisma,
      { action: 'auth.denied', outcome: 'denied', detail: { z: 1, a: 'é' } },
      at,
    );
    const canonical =
      '{"action":"auth.denied","agencyCode":null,"at":"2026-11-29T12:00:00.000Z","detail":{"a":"é","z":1},' +
      '"outcome":"denied","subject":null,"target":null}';
    expect(hash).toBe(createHash('sha256').update(GENESIS_HASH + canonical).digest('hex'));
  });

  it('keeps one linear chain under 50 concurrent appends', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => appendAuditEvent(db.prisma, event(i), AT)));
    expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, count: 50 });
  });

  it.runIf(process.env.DATABASE_URL)(
    'LOG-07 keeps one linear chain under 50 concurrent appends from five gateway processes (clients)',
    async () => {
      const clients = await Promise.all(
        Array.from({ length: 5 }, () => openDatabase({ databaseUrl: db.url, poolSize: 10 })),
      );
      try {
        await Promise.all(
          Array.from({ length: 50 }, (_, i) => appendAuditEvent(clients[i % 5]!.prisma, event(i), AT)),
        );
        expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, count: 50 });
        const rows = await db.prisma.auditEvent.findMany({ select: { prevHash: true } });
        expect(new Set(rows.map((r) => r.prevHash)).size).toBe(50);
      } finally {
        await Promise.all(clients.map((c) => c.close()));
      }
    },
  );

  it('stores detail as plain JSON so that the stored row re-hashes to the same value', async () => {
    await appendAuditEvent(
      db.prisma,
      { action: 'x', outcome: 'error', detail: { n: 1.5, big: 2 ** 53 - 1, nested: { b: [1, null, 'x'] }, skip: undefined } },
      AT,
    );
    expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, count: 1 });
  });

  it('exports the head for anchoring (genesis when the log is empty)', async () => {
    expect(await auditHead(db.prisma)).toEqual({ seq: 0n, hash: GENESIS_HASH });
    const heads = await appendMany(3);
    expect(await auditHead(db.prisma)).toEqual(heads[2]);
  });
});

describe('appendAuditEvents', () => {
  it('chains several events in one statement, each hashed as appendAuditEvent hashes it alone', async () => {
    const [first] = await appendMany(1);
    const events = [1, 2, 3].map((i) => ({ event: { ...event(i), agencyCode: i === 2 ? undefined : 'ES-PN' }, at: new Date(AT.getTime() + i) }));
    const heads = await appendAuditEvents(db.prisma, events);
    let prev = first!.hash;
    const rows = await db.prisma.auditEvent.findMany({ where: { seq: { gt: first!.seq } }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => r.seq)).toEqual([first!.seq + 1n, first!.seq + 2n, first!.seq + 3n]);
    for (const [i, row] of rows.entries()) {
      expect(row.prevHash).toBe(prev);
      expect(row.hash).toBe(auditEventHash(prev, row));
      expect(heads[i]).toEqual({ seq: row.seq, hash: row.hash });
      prev = row.hash;
    }
    expect(rows[1]!.agencyCode).toBeNull();
    expect(await auditHead(db.prisma)).toEqual(heads[2]);
    expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, count: 4 });
  });

  it.runIf(process.env.DATABASE_URL)(
    'LOG-07 keeps one linear chain when batches and single appends of five processes (clients) race',
    async () => {
      const clients = await Promise.all(Array.from({ length: 5 }, () => openDatabase({ databaseUrl: db.url, poolSize: 10 })));
      try {
        await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            i % 2 === 0
              ? appendAuditEvent(clients[i % 5]!.statements, event(i), AT)
              : appendAuditEvents(clients[i % 5]!.statements, [0, 1, 2].map((k) => ({ event: event(100 * i + k), at: AT }))),
          ),
        );
        expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, count: 80 });
      } finally {
        await Promise.all(clients.map((c) => c.close()));
      }
    },
  );
});

describe('createAuditWriter', () => {
  it('ISO-39 stores the events that arrive during an append together, in the next statement, each before its append resolves', async () => {
    const { prisma, count } = heldStatements(db.prisma, 150);
    const writer = createAuditWriter(prisma, () => AT);
    const first = writer.append(event(0));
    // The first statement has started (and is held): the 30 arrive while it runs.
    await expect.poll(count).toBe(1);
    const later = Array.from({ length: 30 }, (_, i) => writer.append(event(i + 1)));
    await Promise.all([first, ...later]);
    // Appended one by one, the 30 would each have taken the head's lock and a disk flush of their own.
    expect(count()).toBe(2);
    expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, count: 31 });
    const targets = (await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' }, select: { target: true } })).map((r) => r.target);
    expect(targets).toEqual(Array.from({ length: 31 }, (_, i) => `scam_den:${i}`));
  });

  it('fails only the appends of a statement that failed, and stores none of them', async () => {
    const { prisma, count } = heldStatements(db.prisma, 100, [2]);
    const writer = createAuditWriter(prisma, () => AT);
    const first = writer.append(event(0));
    await expect.poll(count).toBe(1);
    const failed = Array.from({ length: 5 }, (_, i) => writer.append(event(i + 1)));
    await expect(first).resolves.toBeUndefined();
    for (const f of failed) await expect(f).rejects.toThrow('the database went away');
    await writer.append(event(9));
    expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, count: 2 });
  });

  it('refuses an event that cannot be stored on its own, and stores the others', async () => {
    const { prisma } = heldStatements(db.prisma, 100);
    const writer = createAuditWriter(prisma, () => AT);
    const first = writer.append(event(0));
    const bad = writer.append({ action: 'x', outcome: 'ok', detail: { n: 1n } });
    const good = writer.append(event(2));
    await expect(bad).rejects.toThrow(TypeError);
    await Promise.all([first, good]);
    expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, count: 2 });
  });
});

describe('verifyAuditChain (LOG-06)', () => {
  it('verifies an untouched chain across several pages', async () => {
    await appendMany(12);
    expect(await verifyAuditChain(db.prisma, { pageSize: 5 })).toEqual({ ok: true, count: 12 });
  });

  it('LOG-06 finds a row whose detail was edited via SQL', async () => {
    await appendMany(6);
    const [, , third] = await seqs();
    await db.prisma.$executeRaw`UPDATE audit_event SET detail = '{"jti":"j-3","count":300,"codes":["A","B"]}' WHERE seq = ${third}`;
    expect(await verifyAuditChain(db.prisma, { pageSize: 4 })).toEqual({
      ok: false,
      count: 3,
      firstBadSeq: third,
      problem: 'hash_mismatch',
    });
  });

  it('LOG-06 finds an edited row whose own hash was recomputed (the next link breaks)', async () => {
    await appendMany(5);
    const [, second, third] = await seqs();
    const row = (await db.prisma.auditEvent.findUnique({ where: { seq: second! } }))!;
    const forged = { ...row, outcome: 'denied' };
    const hash = auditEventHash(row.prevHash, forged);
    await db.prisma.$executeRaw`UPDATE audit_event SET outcome = 'denied', hash = ${hash} WHERE seq = ${second}`;
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, firstBadSeq: third, problem: 'broken_link' });
  });

  it('LOG-06 finds a deleted middle row', async () => {
    await appendMany(6);
    const [, , third, fourth] = await seqs();
    await db.prisma.$executeRaw`DELETE FROM audit_event WHERE seq = ${third}`;
    expect(await verifyAuditChain(db.prisma, { pageSize: 2 })).toEqual({
      ok: false,
      count: 3,
      firstBadSeq: fourth,
      problem: 'gap',
    });
  });

  it('LOG-06 finds a deleted first row', async () => {
    await appendMany(3);
    const [first, second] = await seqs();
    await db.prisma.$executeRaw`DELETE FROM audit_event WHERE seq = ${first}`;
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, firstBadSeq: second, problem: 'gap' });
  });

  it('LOG-06 finds two rows whose whole contents were swapped', async () => {
    await appendMany(6);
    const [, , third, fourth] = await seqs();
    await swapRows(third!, fourth!, ['agency_code', 'subject', 'action', 'target', 'outcome', 'detail', 'at', 'prev_hash', 'hash']);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, firstBadSeq: third, problem: 'broken_link' });
  });

  it('LOG-06 finds two rows whose event fields (not hashes) were swapped', async () => {
    await appendMany(6);
    const [, second, third] = await seqs();
    await swapRows(second!, third!, ['agency_code', 'subject', 'action', 'target', 'outcome', 'detail', 'at']);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, firstBadSeq: second, problem: 'hash_mismatch' });
  });

  it('LOG-06 a truncated tail is only found against an exported head', async () => {
    await appendMany(5);
    const anchor = await auditHead(db.prisma);
    await db.prisma.$executeRaw`DELETE FROM audit_event WHERE seq >= ${anchor.seq - 1n}`;
    // The chain that is left is internally consistent…
    expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, count: 3 });
    // …but the anchored head is gone.
    expect(await verifyAuditChain(db.prisma, { anchor })).toEqual({
      ok: false,
      count: 3,
      firstBadSeq: anchor.seq,
      problem: 'anchor_mismatch',
    });
  });

  it('LOG-06 a rewritten chain is only found against an exported head', async () => {
    await appendMany(3);
    const anchor = await auditHead(db.prisma);
    // Rewrite every row from a forged first event, recomputing all hashes.
    const rows = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    let prev = GENESIS_HASH;
    for (const [i, row] of rows.entries()) {
      const forged = i === 0 ? { ...row, outcome: 'denied' } : row;
      const hash = auditEventHash(prev, forged);
      await db.prisma.$executeRaw`UPDATE audit_event SET outcome = ${forged.outcome}, prev_hash = ${prev}, hash = ${hash} WHERE seq = ${row.seq}`;
      prev = hash;
    }
    expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, count: 3 });
    expect(await verifyAuditChain(db.prisma, { anchor })).toMatchObject({ ok: false, firstBadSeq: anchor.seq, problem: 'anchor_mismatch' });
  });

  it('leaves no gap when an append rolls back: the head rolls back with it', async () => {
    await appendMany(2);
    await db.prisma
      .$transaction(async (tx) => {
        await appendAuditEvent(tx as unknown as typeof db.prisma, event(99), AT);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await appendMany(1);
    const [a, b, c] = await seqs();
    expect([b! - a!, c! - b!]).toEqual([1n, 1n]);
    expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, count: 3 });
  });
});

/** Swaps the given columns of two rows, as an attacker with SQL access would. */
async function swapRows(a: bigint, b: bigint, columns: string[]) {
  const sets = columns.map((c) => `${c} = other.${c}`).join(', ');
  // The unique hash indexes are checked per row: park row a's hashes on placeholders first.
  await db.prisma.$executeRawUnsafe(`CREATE TEMP TABLE swap AS SELECT * FROM audit_event WHERE seq IN (${a}, ${b})`);
  if (columns.includes('hash')) {
    await db.prisma.$executeRawUnsafe(
      `UPDATE audit_event SET prev_hash = repeat('e', 64), hash = repeat('f', 64) WHERE seq = ${a}`,
    );
  }
  await db.prisma.$executeRawUnsafe(
    `UPDATE audit_event SET ${sets} FROM swap other WHERE audit_event.seq = ${b} AND other.seq = ${a}`,
  );
  await db.prisma.$executeRawUnsafe(
    `UPDATE audit_event SET ${sets} FROM swap other WHERE audit_event.seq = ${a} AND other.seq = ${b}`,
  );
  await db.prisma.$executeRawUnsafe(`DROP TABLE swap`);
}
