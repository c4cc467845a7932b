// Typed clients, proven: the example programs in clients/ get their generated code in a temp
// folder (openapi-typescript from the SERVED /openapi.json of a live gateway; GraphQL Code
// Generator's client preset from schema/schema.graphql), must compile with `tsc --noEmit`
// (strict, NodeNext), and must run against that gateway with fresh single-use tokens.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generate } from '@graphql-codegen/cli';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { SAMPLES } from './support.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const OPERATION = 'FIRST-LIGHT-2022';

let gw: TestGateway;
let esPn: TestAgency;
let url: string;
let dir: string;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2023',
    lib: ['ES2023'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  },
  include: ['rest/**/*.ts', 'graphql/**/*.ts'],
};

beforeAll(async () => {
  gw = await createTestGateway();
  esPn = await gw.addAgency('ES-PN');
  await gw.db.prisma.operation.create({
    data: { code: OPERATION, name: 'First Light', leadId: esPn.id, participants: { create: [{ agencyId: esPn.id }] } },
  });
  await gw.app.fastify.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(gw.app.fastify.server.address() as AddressInfo).port}`;

  dir = await mkdtemp(join(tmpdir(), 'liaison-clients-'));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  await cp(join(ROOT, 'clients/rest'), join(dir, 'rest'), { recursive: true });
  await cp(join(ROOT, 'clients/graphql'), join(dir, 'graphql'), { recursive: true });

  // REST: the types of what the gateway serves, not of the YAML in the repository.
  const served = (await (await fetch(`${url}/openapi.json`)).json()) as object;
  await writeFile(join(dir, 'rest/openapi-types.ts'), astToString(await openapiTS(served as never, { silent: true })));

  await mkdir(join(dir, 'graphql/gql'));
  await generate(
    {
      schema: join(ROOT, 'schema/schema.graphql'),
      documents: [join(dir, 'graphql/*.ts')],
      emitLegacyCommonJSImports: false,
      silent: true,
      generates: {
        [join(dir, 'graphql/gql/')]: {
          preset: 'client',
          presetConfig: { fragmentMasking: false },
          config: { documentMode: 'string', useTypeImports: true, enumsAsTypes: true },
        },
      },
    },
    true,
  );
}, 120_000);

afterAll(async () => {
  await gw?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const tokens = async (n: number) => (await Promise.all(Array.from({ length: n }, () => esPn.token()))).join(' ');

async function runExample(file: string, env: Record<string, string>): Promise<Record<string, any>> {
  const { stdout } = await run(process.execPath, [TSX, join(dir, file)], {
    cwd: dir,
    env: { ...process.env, LIAISON_URL: url, ...env },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;
}

describe('typed example clients', () => {
  it('compile with tsc --noEmit (strict, NodeNext) against the generated REST and GraphQL types', { timeout: 120_000 }, async () => {
    const result = await run(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], { cwd: dir, timeout: 110_000 }).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, output: error.stdout ?? '' }),
    );
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('run against the live gateway: REST submits a sample and reads it back, GraphQL reads the operation', { timeout: 120_000 }, async () => {
    const rest = await runExample('rest/submit-and-read.ts', {
      LIAISON_TOKENS: await tokens(2),
      SAMPLE_FILE: fileURLToPath(new URL('es-pn-csv.csv', SAMPLES)),
      SAMPLE_FORMAT: 'es-pn-csv',
      OPERATION,
    });
    expect(rest).toMatchObject({ httpStatus: 201, status: 'ACCEPTED', accepted: 7, readBack: true });

    const overview = await runExample('graphql/operation-overview.ts', {
      LIAISON_TOKENS: await tokens(3),
      OPERATION,
      SUBMISSION_ID: rest.id as string,
    });
    expect(overview.operation).toBe(OPERATION);
    expect(overview.summary).toMatchObject({ scamDens: 2 });
    expect(overview.dens).toBe(2);
    expect(overview.densWithSuspects).toContain('ES-C-001');
    expect(overview.submission).toEqual({ id: rest.id, status: 'ACCEPTED', accepted: 7 });
  });
});
