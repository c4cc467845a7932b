// `liaison watch create|list|cancel` (api/cli/commands/watch.ts, api/cli/governance.ts) through
// openapi-fetch against a live gateway on a loopback port: a watch is created from options or an
// ids.csv file, listed (all pages, by status) and cancelled; nothing printed carries an
// identifier; refusals (quota, another agency's watch) exit 1 with the problem's status and code.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelWatchCall, createWatchCall, listWatchesCall, readIdentifierCsv } from '../../api/cli/governance.ts';
import { buildCli } from '../../api/cli/main.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { cliCallAs } from '../helpers/cli-call.ts';

let gw: TestGateway;
let watcher: TestAgency;
let other: TestAgency;
let url: string;
let tmp: string;

const PHONE = '+84 915 444 555';

beforeAll(async () => {
  gw = await createTestGateway();
  watcher = await gw.addAgency('ES-PN');
  other = await gw.addAgency('TH-RTP');
  await gw.app.fastify.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(gw.app.fastify.server.address() as AddressInfo).port}`;
  tmp = await mkdtemp(join(tmpdir(), 'liaison-cli-watch-'));
}, 120_000);
afterAll(async () => {
  await gw?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const as = (agency: TestAgency, json = false) => cliCallAs(url, agency, json);

describe('liaison watch', () => {
  it('creates watches from options and from a file, lists them a page at a time, and cancels one, never printing a value', async () => {
    const one = await as(watcher, true);
    expect(await createWatchCall(one, { identifiers: [{ type: 'PHONE', value: PHONE }], purpose: 'CLI case', caseRef: 'W-1' })).toBe(0);
    const created = JSON.parse(one.printed()) as { id: string; status: string; identifiers: number; caseRef: string };
    expect(created).toMatchObject({ status: 'ACTIVE', identifiers: 1, caseRef: 'W-1' });

    const file = join(tmp, 'ids.csv');
    await writeFile(file, `type,value,country\nPASSPORT,C9990001,VN\nEMAIL,watch@example.org,\n`);
    for (let i = 0; i < 101; i++) {
      // 101 more: the list must follow its pages (100 a page).
      const call = await as(watcher);
      const code = await createWatchCall(call, { identifiers: await readIdentifierCsv(file), purpose: `CLI batch ${i}`, until: new Date(gw.clock.now.getTime() + 86_400_000).toISOString() });
      expect(code, call.printed()).toBe(0);
      if (i === 0) expect(call.printed()).toMatch(/^[0-9a-f-]{36}  ACTIVE\s+2 identifier\(s\)  until \S+\n    purpose: CLI batch 0\n$/);
    }

    const cancel = await as(watcher);
    expect(await cancelWatchCall(cancel, created.id)).toBe(0);
    expect(cancel.printed()).toContain(`${created.id}  CANCELLED`);

    const first = await as(watcher);
    expect(await listWatchesCall(first, { first: 100 }), first.printed()).toBe(0);
    const page = first.printed();
    expect(page.match(/^[0-9a-f-]{36} {2}(ACTIVE|CANCELLED) /gm)).toHaveLength(100);
    const after = /^more: --after (\S+)\n$/m.exec(page)![1]!;
    const second = await as(watcher, true);
    expect(await listWatchesCall(second, { first: 100, after }), second.printed()).toBe(0);
    const rest = JSON.parse(second.printed()) as { watches: { id: string; status: string }[]; next: string | null };
    expect(rest.watches).toHaveLength(2);
    expect(rest.next).toBeNull();
    // The whole list (ordered by id): the cancelled watch once, with its purpose and case, and 101 active ones.
    const lines = [...page.matchAll(/^([0-9a-f-]{36}) {2}(\w+) .*\n {4}purpose: (.*)$/gm)].map((m) => [m[1], m[2], m[3]]);
    const all = [...lines, ...rest.watches.map((w) => [w.id, w.status, undefined])];
    expect(all.filter(([, status]) => status === 'ACTIVE')).toHaveLength(101);
    expect(all.filter(([, status]) => status === 'CANCELLED').map(([id]) => id)).toEqual([created.id]);
    const cancelledLine = lines.find(([id]) => id === created.id);
    if (cancelledLine) expect(cancelledLine[2]).toBe('CLI case  case: W-1');
    for (const printed of [one.printed(), page, second.printed()]) {
      expect(printed).not.toContain('915 444 555');
      expect(printed).not.toContain('915444555');
      expect(printed).not.toContain('C9990001');
      expect(printed).not.toContain('watch@example.org');
    }
  });

  it('exits 1 with the status and code when refused: another agency’s watch, a watch past the quota', async () => {
    const mine = await as(watcher, true);
    await createWatchCall(mine, { identifiers: [{ type: 'EMAIL', value: 'x@example.org' }], purpose: 'CLI case' });
    const id = (JSON.parse(mine.printed()) as { id: string }).id;
    const byOther = await as(other);
    expect(await cancelWatchCall(byOther, id)).toBe(1);
    expect(byOther.printed()).toMatch(/^cancel refused \(404 NOT_FOUND\)/);

    await gw.db.prisma.agency.update({ where: { id: other.id }, data: { matchQuotaPerDay: 1 } });
    const over = await as(other);
    expect(await createWatchCall(over, { identifiers: [{ type: 'EMAIL', value: 'a@example.org' }, { type: 'EMAIL', value: 'b@example.org' }], purpose: 'CLI case' })).toBe(1);
    expect(over.printed()).toMatch(/^watch refused \(429 RATE_LIMITED\): .*\(retry after \d+ s\)/);
    expect(over.printed()).not.toContain('a@example.org');
    const none = await as(other);
    expect(await listWatchesCall(none)).toBe(0);
    expect(none.printed()).toBe('no watches\n');
  });

  it('declares create, list and cancel as gateway commands with the options the docs show', () => {
    const watch = buildCli().commands.find((c) => c.name() === 'watch')!;
    const sub = (name: string) => watch.commands.find((c) => c.name() === name)!;
    expect(sub('create').options.map((o) => o.long)).toEqual(
      expect.arrayContaining(['--purpose', '--case', '--type', '--value', '--country', '--birth-date', '--file', '--until', '--agency', '--key', '--token', '--json']),
    );
    expect(sub('list').options.map((o) => o.long)).toEqual(expect.arrayContaining(['--first', '--after', '--agency', '--key', '--json']));
    expect(sub('cancel').registeredArguments.map((a) => a.name())).toEqual(['id']);
  });
});
