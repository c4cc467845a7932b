// Submission defaults (issue 10 §6) through the two paths the REST tests do not cover: GraphQL
// `submitRecords(input: { handling, evaluation })` and `liaison submit --handling --evaluation`
// (api/cli/submit.ts against a live loopback gateway). The defaults fill the records that
// carry no codes of their own and never override a record's own; a bad default is refused
// naming its field, and nothing is stored.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitFile } from '../../api/cli/submit.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
let owner: TestAgency;
let url: string;
let tmp: string;

const OP = 'OP-DEFAULTS';
const SUBMIT = `mutation($input: SubmitRecordsInput!) { submitRecords(input: $input) { status counts { received } } }`;

const fileOf = (records: object[]) => JSON.stringify({ format: 'liaison-json', version: 1, operation: OP, records });
const den = (ref: string, extra: object = {}) => ({ kind: 'scamDen', ref, country: 'KH', denType: 'LOAN', status: 'ACTIVE', ...extra });
const codesOf = (sourceRef: string) =>
  gw.db.prisma.scamDen.findFirst({ where: { sourceRef, ownerId: owner.id }, select: { handling: true, handlingNote: true, sourceReliability: true, informationAssessment: true } });

beforeAll(async () => {
  gw = await createTestGateway();
  owner = await gw.addAgency('KH-NPA');
  await gw.db.prisma.operation.create({ data: { code: OP, name: 'Defaults', leadId: owner.id, participants: { create: [{ agencyId: owner.id }] } } });
  await gw.app.fastify.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(gw.app.fastify.server.address() as AddressInfo).port}`;
  tmp = await mkdtemp(join(tmpdir(), 'liaison-defaults-'));
}, 120_000);
afterAll(async () => {
  await gw?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('submission defaults', () => {
  it('GraphQL submitRecords: handling and evaluation fill records without codes; a record’s own win', async () => {
    const content = fileOf([den('D-GQL-PLAIN'), den('D-GQL-OWN', { handling: 'H3', handlingNote: 'court order pending', sourceReliability: 'A', informationAssessment: 1 })]);
    const res = await gw.gql<{ submitRecords: { status: string; counts: { received: number } } }>(owner, SUBMIT, {
      input: { format: 'LIAISON_JSON', operationCode: OP, content, handling: 'H1', evaluation: 'c3' },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.submitRecords.counts.received).toBe(2);
    expect(await codesOf('D-GQL-PLAIN')).toEqual({ handling: 'H1', handlingNote: null, sourceReliability: 'C', informationAssessment: 3 });
    expect(await codesOf('D-GQL-OWN')).toEqual({ handling: 'H3', handlingNote: 'court order pending', sourceReliability: 'A', informationAssessment: 1 });
  });

  it('GraphQL submitRecords: a bad evaluation or H3 as a default is BAD_USER_INPUT naming the field, and nothing is stored', async () => {
    for (const [extra, field] of [[{ evaluation: 'B5' }, 'evaluation'], [{ handling: 'H3' }, 'handling']] as const) {
      const ref = `D-GQL-BAD-${field}`;
      const res = await gw.gql(owner, SUBMIT, { input: { format: 'LIAISON_JSON', operationCode: OP, content: fileOf([den(ref)]), ...extra } });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [expect.objectContaining({ field })] });
      expect(await codesOf(ref)).toBeNull();
    }
  });

  it('liaison submit --handling --evaluation sends the defaults; a bad one exits 1 naming the parameter', async () => {
    const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
    const file = join(tmp, 'dens.json');
    await writeFile(file, fileOf([den('D-CLI-PLAIN')]));
    const base = { file, format: 'liaison-json', operation: OP, url, mode: 'ATOMIC' as const, dryRun: false, progress: false, json: true };
    const ok = await submitFile({ ...base, token: await owner.token(), handling: 'H2', evaluation: 'X4' }, quiet);
    expect(ok.exitCode, JSON.stringify(ok.body)).toBe(0);
    expect(await codesOf('D-CLI-PLAIN')).toEqual({ handling: 'H2', handlingNote: null, sourceReliability: 'X', informationAssessment: 4 });

    const badFile = join(tmp, 'bad.json');
    await writeFile(badFile, fileOf([den('D-CLI-BAD')]));
    const bad = await submitFile({ ...base, file: badFile, token: await owner.token(), evaluation: 'E9' }, quiet);
    expect(bad.exitCode).toBe(1);
    expect(bad.httpStatus).toBe(400);
    expect(bad.body).toMatchObject({ issues: [expect.objectContaining({ field: 'evaluation' })] });
    expect(await codesOf('D-CLI-BAD')).toBeNull();
  });
});
