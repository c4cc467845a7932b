// `liaison match` and `liaison disclosures list|decide` (api/cli/governance.ts) through
// openapi-fetch against a live gateway on a loopback port: a match prints a line per identifier
// with its hitRefs and the quota left, never the value; ids.csv files are read with their line
// numbers in errors; the owner lists incoming requests and decides one; refusals exit 1 with
// the problem's status and code; the commands declare the options the README shows.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideDisclosureRequest, listDisclosures, matchIdentifiers, readIdentifierCsv } from '../../api/cli/governance.ts';
import { buildCli } from '../../api/cli/main.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { cliCallAs } from '../helpers/cli-call.ts';
import { submitLiaisonJson } from '../helpers/submit.ts';

let gw: TestGateway;
let owner: TestAgency;
let asker: TestAgency;
let url: string;
let tmp: string;

const PASSPORT = 'P4455667';

beforeAll(async () => {
  gw = await createTestGateway();
  owner = await gw.addAgency('TH-RTP');
  asker = await gw.addAgency('ES-PN');
  await gw.db.prisma.operation.create({ data: { code: 'OP-CLI', name: 'CLI', leadId: owner.id, participants: { create: [{ agencyId: owner.id }] } } });
  await submitLiaisonJson(gw, owner, 'OP-CLI', [
    { kind: 'suspect', ref: 'S-CLI', sharingLevel: 'RED', role: 'MEMBER', status: 'WANTED', identifiers: [{ type: 'PASSPORT', country: 'TH', value: PASSPORT }] },
  ]);
  await gw.app.fastify.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(gw.app.fastify.server.address() as AddressInfo).port}`;
  tmp = await mkdtemp(join(tmpdir(), 'liaison-cli-governance-'));
});
afterAll(async () => {
  await gw?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const as = (agency: TestAgency, json = false) => cliCallAs(url, agency, json);

describe('liaison match and liaison disclosures', () => {
  it('reads identifiers from a CSV file and names the line of a bad one', async () => {
    const good = join(tmp, 'ids.csv');
    await writeFile(good, `type,value,country\nPASSPORT,${PASSPORT},TH\nemail,nobody@example.org,\n`);
    expect(await readIdentifierCsv(good)).toEqual([
      { type: 'PASSPORT', value: PASSPORT, country: 'TH' },
      { type: 'EMAIL', value: 'nobody@example.org' },
    ]);
    const bad = join(tmp, 'bad.csv');
    await writeFile(bad, `type,value\nPASSPORT,X\nSHOE,${PASSPORT}\n`);
    await expect(readIdentifierCsv(bad)).rejects.toThrow(/line 3, column type/);
    await expect(readIdentifierCsv(bad)).rejects.not.toThrow(new RegExp(PASSPORT));
  });

  it('matches, requests, and the owner lists and decides, printing no raw value', async () => {
    const call = await as(asker);
    const file = join(tmp, 'one.csv');
    await writeFile(file, `type,value,country\nPASSPORT,${PASSPORT},TH\nEMAIL,nobody@example.org,\n`);
    expect(await matchIdentifiers(call, { identifiers: await readIdentifierCsv(file), purpose: 'CLI case', caseRef: 'C-9' })).toBe(0);
    const printed = call.printed();
    expect(printed).toMatch(/^\[0\] hit \(1\)\n\s+TH-RTP\s+SUSPECT, not visible to you\n\s+hitRef [A-Za-z0-9_-]{43}\n\[1\] no hit\nquota left today: 998\n$/);
    expect(printed).not.toContain(PASSPORT);
    const hitRef = /hitRef (\S+)/.exec(printed)![1]!;

    const made = await gw.app.fetch(
      new Request('http://gateway.test/v1/disclosure-requests', {
        method: 'POST',
        headers: { authorization: `Bearer ${await asker.token()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ hitRef, justification: 'CLI case C-9', legalBasis: 'ASEAN MLAT art. 1' }),
      }),
    );
    const { id } = (await made.json()) as { id: string };

    const listing = await as(owner);
    expect(await listDisclosures(listing, { direction: 'incoming', status: 'PENDING' })).toBe(0);
    expect(listing.printed()).toContain(`${id}  PENDING  from ES-PN`);
    expect(listing.printed()).toContain('legal basis: ASEAN MLAT art. 1');

    const refusedCall = await as(asker);
    expect(await decideDisclosureRequest(refusedCall, id, { decision: 'APPROVE', reason: 'mine' })).toBe(1);
    expect(refusedCall.printed()).toMatch(/^decision refused \(404 NOT_FOUND\)/);

    const deciding = await as(owner, true);
    expect(await decideDisclosureRequest(deciding, id, { decision: 'APPROVE', reason: 'in order', expiresOn: '2026-06-30' })).toBe(0);
    expect(JSON.parse(deciding.printed())).toMatchObject({ id, status: 'APPROVED', expiresOn: '2026-06-30' });
    const outgoing = await as(asker, true);
    expect(await listDisclosures(outgoing, { direction: 'outgoing' })).toBe(0);
    expect(JSON.parse(outgoing.printed())).toMatchObject({ requests: [{ id, status: 'APPROVED', recordId: expect.any(String) }] });
  });

  it('a refused match exits 1 with the status and code, and says how long to wait past the quota', async () => {
    await gw.db.prisma.agency.update({ where: { id: asker.id }, data: { matchQuotaPerDay: 0 } });
    const call = await as(asker);
    expect(await matchIdentifiers(call, { identifiers: [{ type: 'EMAIL', value: 'a@b.example' }], purpose: 'x' })).toBe(1);
    expect(call.printed()).toMatch(/^match refused \(429 RATE_LIMITED\): .*\(retry after \d+ s\)/);
  });

  it('declares the options the README shows, as gateway commands', () => {
    const program = buildCli();
    const match = program.commands.find((c) => c.name() === 'match')!;
    expect(match.options.map((o) => o.long)).toEqual(expect.arrayContaining(['--purpose', '--case', '--type', '--value', '--country', '--file', '--key', '--agency', '--token']));
    const group = program.commands.find((c) => c.name() === 'disclosures')!;
    expect(group.commands.map((c) => c.name())).toEqual(['list', 'decide']);
  });
});
