// The demo seed registers every agency the samples of docs/examples send as, with its key in
// demo-keys/, and tops up a demo seeded by an earlier release (which lacked DE-BKA and PH-NBI's
// operation) instead of leaving the umf-xml and STIX samples refused there.
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENCIES, DEMO_OPERATION, DEMO_SAMPLE_SENDS, seedDemo } from '../../api/cli/seed/demo.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'liaison-demo-seed-'));
});
afterAll(async () => {
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The agencies that joined the operation (the seed registers them as the operator: joined at once). */
async function participants(code: string): Promise<string[]> {
  const op = await db.prisma.operation.findFirstOrThrow({
    where: { code },
    select: { participants: { where: { joinedAt: { not: null } }, select: { agency: { select: { code: true } } } } },
  });
  return op.participants.map((p) => p.agency.code).sort();
}

describe('demo seed', { timeout: 120_000 }, () => {
  it('tops up an earlier demo: adds the missing sample senders, their keys and their operations', async () => {
    // An earlier demo: ES-PN leading FIRST-LIGHT-2022 with CN-MPS, nothing else.
    const { registerAgency } = await import('../../api/agencies.ts');
    const { generateAgencyKeyPair } = await import('../../api/auth/keys.ts');
    const { createOperation } = await import('../../schema/operations.ts');
    for (const code of ['ES-PN', 'CN-MPS']) {
      const pair = await generateAgencyKeyPair({ kid: `${code.toLowerCase()}-old` });
      await registerAgency(db.prisma, { code, name: code, country: code.slice(0, 2), jwks: pair.jwks });
    }
    await createOperation(db.prisma, { code: DEMO_OPERATION, name: 'old', lead: 'ES-PN', participants: ['CN-MPS'] });

    const info = await seedDemo({ db, dataDir: dir, pseudonymKey: 'demo-seed-test-key-0123456789abcdef' });
    expect(info.seeded).toBe(false);
    const codes = (await db.prisma.agency.findMany({ select: { code: true } })).map((a) => a.code).sort();
    expect(codes).toEqual(DEMO_AGENCIES.map((a) => a.code).sort());
    expect(await participants(DEMO_OPERATION)).toEqual(['CN-MPS', 'DE-BKA', 'ES-PN']);
    for (const send of DEMO_SAMPLE_SENDS) {
      expect(await participants(send.operation), send.file).toContain(send.agency);
    }
    await access(join(dir, 'demo-keys', 'DE-BKA.private.jwk.json'));
    await access(join(dir, 'demo-keys', 'PH-NBI.private.jwk.json'));
  });
});
