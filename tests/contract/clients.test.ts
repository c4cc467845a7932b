// The integrator's path, proven: the ```sh blocks of clients/README.md run verbatim with bash
// (-e -o pipefail) in a temporary folder outside the repository, against a live gateway on
// loopback: copy the example clients, generate the REST types from the SERVED /openapi.json and
// the GraphQL documents from the schema, compile (strict, NodeNext), get an access token with
// openid-client, and run both programs with that one token. One substitution: `npm install`
// (which needs the registry) links the clone's node_modules instead, and npm runs offline.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiveGateway } from '../auth/oauth-support.ts';
import type { TestAgency, TestGateway } from '../helpers/app.ts';
import { runProcess } from '../helpers/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const OPERATION = 'FIRST-LIGHT-2022';

let gw: TestGateway;
let esPn: TestAgency;
let url: string;
let dir: string;

const PRELUDE = `npm() { if [ "$1" = install ]; then ln -s "$LIAISON_CLONE/node_modules" node_modules; else command npm "$@"; fi; }\n`;

async function readmeBlocks(): Promise<string[]> {
  const text = await readFile(join(ROOT, 'clients/README.md'), 'utf8');
  return [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

const bash = (script: string, env: NodeJS.ProcessEnv) => runProcess('bash', ['-e', '-o', 'pipefail', '-c', script], env, dir);

beforeAll(async () => {
  ({ gw, url } = await createLiveGateway());
  // openid-client signs its assertion with the real clock: the gateway follows it here.
  Object.defineProperty(gw.clock, 'now', { get: () => new Date() });
  esPn = await gw.addAgency('ES-PN');
  await gw.db.prisma.operation.create({
    data: { code: OPERATION, name: 'First Light', leadId: esPn.id, participants: { create: [{ agencyId: esPn.id }] } },
  });
  dir = await mkdtemp(join(tmpdir(), 'liaison-integrator-'));
  await writeFile(join(dir, 'private.jwk.json'), JSON.stringify(esPn.privateJwk));
}, 120_000);

afterAll(async () => {
  await gw?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the integrator's path (clients/README.md)", () => {
  it('runs the documented commands outside the repository: types generated, compiled, one access token for every request', { timeout: 300_000 }, async () => {
    const blocks = await readmeBlocks();
    expect(blocks).toHaveLength(2);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      npm_config_offline: 'true',
      npm_config_update_notifier: 'false',
      LIAISON_CLONE: ROOT,
      LIAISON_URL: url,
      LIAISON_AGENCY: 'ES-PN',
      LIAISON_KEY_FILE: join(dir, 'private.jwk.json'),
    };
    const run = await bash(PRELUDE + blocks.join('\n'), env);
    expect(run.stderr.split('\n').filter((l) => /error/i.test(l))).toEqual([]);
    expect(run.code).toBe(0);

    const lines = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines).toHaveLength(2);
    const [rest, overview] = lines as [Record<string, any>, Record<string, any>];
    expect(rest).toMatchObject({ httpStatus: 201, status: 'ACCEPTED', accepted: 7, readBack: true });
    expect(overview.operation).toBe(OPERATION);
    expect(overview.summary).toMatchObject({ scamDens: 2 });
    expect(typeof overview.fundsInterceptedUsd).toBe('string');
    expect(overview.densWithSuspects).toContain('ES-C-001');
    expect(overview.submission).toEqual({ id: rest.id, status: 'ACCEPTED', accepted: 7 });

    // Five requests with one token: the token endpoint was called once.
    expect(await gw.db.prisma.auditEvent.count({ where: { action: 'oauth.token', outcome: 'ok', agencyCode: 'ES-PN' } })).toBe(1);
    const generated = await readFile(join(dir, 'liaison-integration/graphql/gql/graphql.ts'), 'utf8');
    // The Decimal scalar is typed as a string (codegen.yml's scalars map), not `unknown`.
    expect(generated).toMatch(/fundsInterceptedUsd: string\b/);
  });
});
