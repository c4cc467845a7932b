// One partner's uploads cannot hold what other partners need: the file is received into an
// encrypted spool before any database connection or transaction is taken, a stalled upload is
// abandoned, an agency has at most N submissions in progress, the size limit stops the
// upload as soon as it is crossed, and a long file leaves the event loop a turn between batches.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isLiaisonError } from '../../kernel/errors.ts';
import { Writable } from 'node:stream';
import { createLogger } from '../../kernel/logger.ts';
import { addParticipant, createIngestFixture, den, heldBody, liaisonJson, tableCounts, type Agency, type IngestFixture } from './support.ts';

let f: IngestFixture;
let n = 0;
let spoolDir: string;
const newAgency = (): Promise<Agency> => addParticipant(f, `ISO-${++n}`);

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; status: number; issueCodes: string[]; headers: Record<string, string> }> {
  try {
    await promise;
  } catch (error) {
    if (isLiaisonError(error)) {
      return { code: error.code, status: error.status, issueCodes: (error.issues ?? []).map((i) => i.code), headers: error.headers };
    }
    throw error;
  }
  throw new Error('expected a LiaisonError');
}

beforeAll(async () => {
  f = await createIngestFixture(['LEAD']);
  spoolDir = await mkdtemp(join(tmpdir(), 'liaison-iso-'));
});
afterAll(async () => {
  await f?.close();
  await rm(spoolDir, { recursive: true, force: true });
});

describe('upload isolation', () => {
  test('ISO-01 another agency reads while an upload is still arriving (no connection or transaction is held)', async () => {
    const uploader = await newAgency();
    const reader = await newAgency();
    const held = heldBody(liaisonJson([den('D-1'), den('D-2')]));
    const upload = f.ingest(uploader, 'liaison-json', '', { body: held.body, spoolDir });
    await held.reading;
    // On PGlite a transaction opened for the upload would block this read until the body ends;
    // on PostgreSQL it would hold a pool connection. Either way the read below would not finish.
    expect(await f.db.prisma.scamDen.count({ where: { ownerId: reader.id } })).toBe(0);
    held.release();
    expect((await upload).status).toBe(201);
  });

  test('ISO-02 the spooled upload is encrypted at rest and removed when the submission ends', async () => {
    const agency = await newAgency();
    const marker = 'SPOOL-MARKER-ES-C-777';
    const held = heldBody(liaisonJson([den(marker), den('D-2')]));
    const upload = f.ingest(agency, 'liaison-json', '', { body: held.body, spoolDir });
    await held.reading;
    const spools = await readdir(spoolDir);
    expect(spools).toHaveLength(1);
    const files = await readdir(join(spoolDir, spools[0]!));
    const onDisk = await readFile(join(spoolDir, spools[0]!, files[0]!));
    expect(onDisk.byteLength).toBeGreaterThan(0);
    expect(onDisk.includes(Buffer.from('scamDen'))).toBe(false);
    expect(onDisk.includes(Buffer.from(marker))).toBe(false);
    held.release();
    expect((await upload).status).toBe(201);
    expect(await readdir(spoolDir)).toEqual([]);
  });

  test('ISO-03 an upload that sends nothing for the idle timeout is abandoned with 408 UPLOAD_STALLED and stores nothing', async () => {
    const agency = await newAgency();
    const before = await tableCounts(f.db);
    const held = heldBody(liaisonJson([den('D-1')]));
    const error = await errorOf(f.ingest(agency, 'liaison-json', '', { body: held.body, idleTimeoutMs: 50, spoolDir }));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', status: 408, issueCodes: ['UPLOAD_STALLED'] });
    expect(await tableCounts(f.db)).toEqual(before);
    expect(await readdir(spoolDir)).toEqual([]);
    held.release();
  });

  test('ISO-04 a third submission of one agency in progress is 429 with Retry-After; another agency is still admitted', async () => {
    const busy = await newAgency();
    const other = await newAgency();
    const first = heldBody(liaisonJson([den('A-1')]));
    const second = heldBody(liaisonJson([den('A-2')]));
    const uploads = [
      f.ingest(busy, 'liaison-json', '', { body: first.body, spoolDir }),
      f.ingest(busy, 'liaison-json', '', { body: second.body, spoolDir }),
    ];
    await Promise.all([first.reading, second.reading]);
    const third = await errorOf(f.ingest(busy, 'liaison-json', liaisonJson([den('A-3')]), { spoolDir }));
    expect(third).toMatchObject({ code: 'RATE_LIMITED', status: 429, issueCodes: ['TOO_MANY_CONCURRENT_SUBMISSIONS'] });
    expect(Number(third.headers['Retry-After'])).toBeGreaterThan(0);
    expect((await f.ingest(other, 'liaison-json', liaisonJson([den('B-1')]), { spoolDir })).status).toBe(201);
    first.release();
    second.release();
    expect((await Promise.all(uploads)).map((r) => r.status)).toEqual([201, 201]);
    // The slots are free again.
    expect((await f.ingest(busy, 'liaison-json', liaisonJson([den('A-3')]), { spoolDir })).status).toBe(201);
  });

  test('ISO-05 an upload over the size limit is refused as soon as the limit is crossed, without reading the rest', async () => {
    const agency = await newAgency();
    let chunksRead = 0;
    async function* endless() {
      for (let i = 0; i < 10_000; i++) {
        chunksRead++;
        yield new Uint8Array(1024);
      }
    }
    const error = await errorOf(f.ingest(agency, 'liaison-json', '', { body: endless(), maxBytes: 10 * 1024, spoolDir }));
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(chunksRead).toBe(11);
    expect(await readdir(spoolDir)).toEqual([]);
  });

  test('ISO-43 the event loop gets a turn between batches, also on the embedded database', async () => {
    // In order: each batch written, and the turn of the event loop asked for when it was.
    const order: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) {
          const entry = JSON.parse(line) as { msg?: string; batches?: number };
          if (entry.msg !== 'ingest batch written') continue;
          order.push(`batch ${entry.batches}`);
          setImmediate(() => order.push(`turn ${entry.batches}`));
        }
        done();
      },
    });
    const log = createLogger({ level: 'debug', pretty: false, destination: sink });
    const agency = await newAgency();
    // Enough batches that the ingest worker has the next ones ready while one is written.
    const file = liaisonJson(Array.from({ length: 1500 }, (_, i) => den(`D-TURN-${i}`)));
    const result = await f.ingest(agency, 'liaison-json', file, { batchSize: 50, log });
    expect(result.status).toBe(201);
    const batches = order.filter((o) => o.startsWith('batch')).length;
    expect(batches).toBe(30);
    // Before: on PGlite 20,000 records went by without one turn (2.9 s without a timer or a health check).
    const late = Array.from({ length: batches - 1 }, (_, i) => i + 1).filter((n) => order.indexOf(`turn ${n}`) > order.indexOf(`batch ${n + 1}`));
    expect(late, 'batches written before the event loop had a turn after the one before').toEqual([]);
  });
});
