// The invitations migration on a database that already holds operations: every participant
// registered before it stays joined (same joined_at, invited when it joined), and two lead
// agencies may then use one operation code, but one lead may not use it twice.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MIGRATIONS = join(import.meta.dirname, '../../prisma/migrations');
const INVITATIONS = '20261205183851_operation_invitations';

const LEAD = '00000000-0000-4000-8000-000000000001';
const MEMBER = '00000000-0000-4000-8000-000000000002';
const OPERATION = '00000000-0000-4000-8000-0000000000a1';

let pg: PGlite;

async function apply(folder: string) {
  await pg.exec(await readFile(join(MIGRATIONS, folder, 'migration.sql'), 'utf8'));
}

beforeAll(async () => {
  pg = new PGlite();
  const folders = (await readdir(MIGRATIONS, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (const folder of folders.filter((f) => f < INVITATIONS)) await apply(folder);
  await pg.exec(`
    INSERT INTO agency (id, code, name, country, updated_at) VALUES
      ('${LEAD}', 'AA-LEAD', 'Lead', 'AA', now()), ('${MEMBER}', 'BB-MEMBER', 'Member', 'BB', now());
    INSERT INTO operation (id, code, name, lead_id, updated_at) VALUES ('${OPERATION}', 'OP-OLD', 'Old', '${LEAD}', now());
    INSERT INTO operation_participant (operation_id, agency_id, joined_at) VALUES
      ('${OPERATION}', '${LEAD}', '2025-01-02T03:04:05Z'), ('${OPERATION}', '${MEMBER}', '2025-02-03T04:05:06Z');`);
  await apply(INVITATIONS);
}, 120_000);

afterAll(() => pg?.close());

describe('the operation_invitations migration', () => {
  it('keeps every existing participant joined, invited when it joined', async () => {
    const rows = await pg.query<{ agency_id: string; invited_at: Date; joined_at: Date | null }>(
      'SELECT agency_id, invited_at, joined_at FROM operation_participant ORDER BY agency_id',
    );
    expect(rows.rows.map((r) => [r.agency_id, r.joined_at?.toISOString(), r.invited_at.toISOString()])).toEqual([
      [LEAD, '2025-01-02T03:04:05.000Z', '2025-01-02T03:04:05.000Z'],
      [MEMBER, '2025-02-03T04:05:06.000Z', '2025-02-03T04:05:06.000Z'],
    ]);
  });

  it('makes codes unique per lead agency', async () => {
    await pg.exec(`INSERT INTO operation (id, code, name, lead_id, updated_at)
      VALUES ('00000000-0000-4000-8000-0000000000a2', 'OP-OLD', 'Same code, other lead', '${MEMBER}', now())`);
    await expect(
      pg.exec(`INSERT INTO operation (id, code, name, lead_id, updated_at)
        VALUES ('00000000-0000-4000-8000-0000000000a3', 'OP-OLD', 'Same lead twice', '${LEAD}', now())`),
    ).rejects.toThrow(/operation_lead_id_code_key/);
  });
});
