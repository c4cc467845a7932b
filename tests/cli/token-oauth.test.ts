// `liaison token --oauth`: the CLI trades a signed client assertion for the gateway's reusable
// access token, names the gateway it asked on stderr, and the token printed on stdout works
// for several requests in a row (a self-signed token works once).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { runLiaison } from '../helpers/cli.ts';

let gw: TestGateway;
let agency: TestAgency;
let url: string;
let dir: string;
let keyFile: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const me = (authorization: string) =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ me { subject agency { code } } }' }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data?: { me: { subject: string; agency: { code: string } } } } }));

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // The gateway's OAuth issuer is the address partners reach it at.
  gw = await createTestGateway({ issuer: url });
  // The CLI signs with the real clock (another process), so the gateway keeps the real time too.
  gw.clock.now = new Date();
  agency = await gw.addAgency('ES-PN');
  await gw.app.fastify.listen({ port, host: '127.0.0.1' });
  dir = await mkdtemp(join(tmpdir(), 'liaison-token-oauth-'));
  keyFile = join(dir, 'es-pn.private.jwk.json');
  await writeFile(keyFile, JSON.stringify(agency.privateJwk), { mode: 0o600 });
});
afterAll(async () => {
  await gw?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('liaison token --oauth', () => {
  it('prints an access token that works for several requests, and says which gateway issued it', async () => {
    const env = { PATH: process.env.PATH, LIAISON_DATA_DIR: join(dir, 'no-data-here') };
    const run = await runLiaison(['token', '--agency', 'ES-PN', '--key', keyFile, '--scope', 'records:read', '--sub', 'officer-9', '--oauth', '--url', url], env, dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`gateway: ${url} (from --url)`);
    expect(run.stderr).toMatch(/valid \d+ s for any number of requests; scopes: records:read/);
    const token = run.stdout.trim();
    for (let i = 0; i < 3; i++) {
      const answer = await me(`Bearer ${token}`);
      expect(answer.status).toBe(200);
      expect(answer.body.data?.me).toEqual({ subject: 'officer-9', agency: { code: 'ES-PN' } });
    }
  });

  it('says what the token endpoint refused, with exit 1', async () => {
    const other = await gw.addAgency('FR-OCLCTIC');
    await gw.db.prisma.agency.update({ where: { id: other.id }, data: { status: 'SUSPENDED' } });
    const otherKey = join(dir, 'fr.private.jwk.json');
    await writeFile(otherKey, JSON.stringify(other.privateJwk), { mode: 0o600 });
    const run = await runLiaison(['token', '--agency', 'FR-OCLCTIC', '--key', otherKey, '--oauth', '--url', url], { PATH: process.env.PATH }, dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('/oauth/token refused the request (HTTP 401, invalid_client)');
  });
});
