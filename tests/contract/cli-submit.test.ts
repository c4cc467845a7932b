// `liaison submit` (api/cli/submit.ts) through openapi-fetch against a live gateway on a
// loopback port: the streamed upload is stored, a retry with the same Idempotency-Key prints the
// first report, a refusal prints the problem's status and code, the exit code tells accepted,
// accepted with rejected records and refused apart, and --json gives the whole report.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitFile, type SubmitOptions } from '../../api/cli/submit.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { SAMPLES } from './support.ts';

let gw: TestGateway;
let esPn: TestAgency;
let url: string;
let tmp: string;

beforeAll(async () => {
  gw = await createTestGateway();
  esPn = await gw.addAgency('ES-PN');
  await gw.db.prisma.operation.create({
    data: { code: 'FIRST-LIGHT-2022', name: 'First Light', leadId: esPn.id, participants: { create: [{ agencyId: esPn.id }] } },
  });
  await gw.app.fastify.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(gw.app.fastify.server.address() as AddressInfo).port}`;
  tmp = await mkdtemp(join(tmpdir(), 'liaison-cli-submit-'));
});
afterAll(async () => {
  await gw?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function run(options: Partial<SubmitOptions>): Promise<{ ok: boolean; exitCode: number; output: string }> {
  let output = '';
  const out = new Writable({
    write(chunk, _encoding, done) {
      output += String(chunk);
      done();
    },
  });
  const outcome = await submitFile(
    {
      file: fileURLToPath(new URL('es-pn-csv.csv', SAMPLES)),
      format: 'es-pn-csv',
      operation: 'FIRST-LIGHT-2022',
      token: await esPn.token({ scope: 'records:submit' }),
      url,
      mode: 'ATOMIC',
      dryRun: false,
      progress: false,
      ...options,
    },
    out,
  );
  return { ok: outcome.exitCode === 0, exitCode: outcome.exitCode, output };
}

describe('liaison submit', () => {
  it('streams the file, prints the report, and prints the first report again for a retried key', async () => {
    const first = await run({ idempotencyKey: 'cli-key-1' });
    expect(first.ok).toBe(true);
    expect(first.output).toMatch(/^submission [0-9a-f-]{36}: ACCEPTED\n {2}received 7 {2}accepted 7 /);
    const again = await run({ idempotencyKey: 'cli-key-1' });
    expect(again.ok).toBe(true);
    expect(again.output.split('\n')[0]).toBe(`${first.output.split('\n')[0]} (already received: first report)`);
  });

  it('prints a dry run without an id, since a dry run is not stored and its id reads back 404', async () => {
    const dry = await run({ dryRun: true, mode: 'PARTIAL', json: true });
    expect(dry.exitCode).toBe(0);
    const report = JSON.parse(dry.output) as { id: string; dryRun: boolean };
    expect(report.dryRun).toBe(true);
    const readBack = await fetch(`${url}/v1/submissions/${report.id}`, {
      headers: { authorization: `Bearer ${await esPn.token({ scope: 'records:submit' })}` },
    });
    expect(readBack.status).toBe(404);
    const text = await run({ dryRun: true, mode: 'PARTIAL' });
    expect(text.output.split('\n')[0]).toBe('dry run (nothing stored, no id to read back): ACCEPTED');
    expect(text.output).not.toContain(report.id);
  });

  it('exits 2 for a PARTIAL submission that stored some records and rejected others, 1 when ATOMIC refuses it', async () => {
    const file = join(tmp, 'half-bad.json');
    await writeFile(
      file,
      JSON.stringify({
        format: 'liaison-json',
        version: 1,
        operation: 'FIRST-LIGHT-2022',
        records: [
          { kind: 'scamDen', ref: 'HB-1', sharingLevel: 'GREEN', country: 'KH', denType: 'CALL_CENTRE', status: 'RAIDED' },
          { kind: 'scamDen', ref: 'HB-2', sharingLevel: 'GREEN', country: 'KH', denType: 'NOT_A_TYPE', status: 'RAIDED' },
        ],
      }),
    );
    const partial = await run({ file, format: 'liaison-json', mode: 'PARTIAL' });
    expect(partial.exitCode, partial.output).toBe(2);
    expect(partial.output).toMatch(/accepted 1 .* rejected 1 /);
    const atomic = await run({ file, format: 'liaison-json', mode: 'ATOMIC', idempotencyKey: 'atomic-half-bad' });
    expect(atomic.exitCode).toBe(1);
  });

  it('writes the whole report with its receipt as JSON', async () => {
    const json = await run({ json: true, idempotencyKey: 'cli-key-json' });
    const report = JSON.parse(json.output) as { id: string; status: string; receipt: string; counts: { received: number } };
    expect(report).toMatchObject({ status: 'ACCEPTED', counts: { received: 7 } });
    expect(report.receipt.split('.')).toHaveLength(3);
  });

  it('prints a refusal with its status and code, and exits 1', async () => {
    const refused = await run({ format: 'xls' });
    expect(refused.exitCode).toBe(1);
    expect(refused.output).toMatch(/^submission refused \(415 UNSUPPORTED_FORMAT\)/);
  });

  it('names the URL it could not reach and why', async () => {
    const dead = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    await expect(run({ url: `http://127.0.0.1:${dead}` })).rejects.toThrow(`cannot reach http://127.0.0.1:${dead}: connection refused`);
  });
});
