// `liaison submit` (api/cli/submit.ts) through openapi-fetch against a live gateway on a
// loopback port: the streamed upload is stored, a retry with the same Idempotency-Key prints the
// first report, and a refusal prints the problem's status and code.
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

beforeAll(async () => {
  gw = await createTestGateway();
  esPn = await gw.addAgency('ES-PN');
  await gw.db.prisma.operation.create({
    data: { code: 'FIRST-LIGHT-2022', name: 'First Light', leadId: esPn.id, participants: { create: [{ agencyId: esPn.id }] } },
  });
  await gw.app.fastify.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(gw.app.fastify.server.address() as AddressInfo).port}`;
});
afterAll(() => gw?.close());

async function run(options: Partial<SubmitOptions>): Promise<{ ok: boolean; output: string }> {
  let output = '';
  const out = new Writable({
    write(chunk, _encoding, done) {
      output += String(chunk);
      done();
    },
  });
  const ok = await submitFile(
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
  return { ok, output };
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

  it('prints a dry run as such', async () => {
    const dry = await run({ dryRun: true, mode: 'PARTIAL' });
    expect(dry.ok).toBe(true);
    expect(dry.output.split('\n')[0]).toMatch(/: ACCEPTED \(dry run: nothing stored\)$/);
  });

  it('prints a refusal with its status and code, and answers false', async () => {
    const refused = await run({ format: 'xls' });
    expect(refused.ok).toBe(false);
    expect(refused.output).toMatch(/^submission refused \(415 UNSUPPORTED_FORMAT\)/);
  });
});
