// Every `liaison` command declares what it touches where it is registered (api/cli/support.ts,
// `Access`), so that whether a data-changing command goes through the admin API while
// `liaison serve` holds the embedded database is stated in one place. This walks the whole
// program: a command without the declaration, or a data-changing one without a route, fails.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../../api/cli/main.ts';
import { LiaisonCommand, withDatabase, changeData } from '../../api/cli/support.ts';

function leaves(command: Command, path: string[] = []): { path: string; command: Command }[] {
  if (!command.commands.length) return [{ path: path.join(' '), command }];
  return command.commands.flatMap((c) => leaves(c, [...path, c.name()]));
}

describe('liaison commands', () => {
  const all = leaves(buildCli());

  it('covers every command group the README documents', () => {
    const names = all.map((c) => c.path);
    for (const expected of ['serve', 'init', 'migrate', 'keys generate', 'agency add', 'operation create', 'token', 'submit', 'rates load', 'persisted add', 'audit verify']) {
      expect(names).toContain(expected);
    }
  });

  it('declares for every command what it touches, and a route for every one that changes data', () => {
    for (const { path, command } of all) {
      expect(command, path).toBeInstanceOf(LiaisonCommand);
      const access = (command as LiaisonCommand).access;
      expect(access, `${path} declares no access (defineCommand)`).toBeDefined();
      if (access!.data === 'changes' || access!.data === 'reads') {
        expect(['admin-api', 'direct-only'], `${path} changes data without a route`).toContain(access!.route);
      }
    }
    const routes = Object.fromEntries(all.map(({ path, command }) => [path, (command as LiaisonCommand).access]));
    expect(routes['agency add']).toEqual({ data: 'changes', route: 'admin-api' });
    expect(routes['operation create']).toEqual({ data: 'changes', route: 'admin-api' });
    expect(routes['rates load']).toEqual({ data: 'changes', route: 'direct-only' });
  });

  it('refuses database access to a command that did not declare it', async () => {
    const token = all.find((c) => c.path === 'token')!.command as LiaisonCommand;
    await expect(withDatabase(token, async () => 1)).rejects.toThrow(/does not declare database access/);
    const rates = all.find((c) => c.path === 'rates load')!.command as LiaisonCommand;
    await expect(changeData(rates, async () => 1, { path: '/x', body: {} })).rejects.toThrow(/not routed through the admin API/);
  });

  it('marks every required option in help', () => {
    for (const { path, command } of all) {
      const help = command.helpInformation();
      for (const option of command.options.filter((o) => o.mandatory)) {
        const line = help.split('\n').find((l) => l.trimStart().startsWith(option.flags));
        expect(line, `${path} ${option.flags}`).toBeDefined();
        const block = help.slice(help.indexOf(line!)).split(/\n {2}-/)[0]!;
        expect(block, `${path} ${option.flags}`).toContain('(required)');
      }
    }
  });

  it('offers the formats of the adapter registry, in any case', async () => {
    const { ADAPTER_FORMATS } = await import('../../adapters/index.ts');
    const submit = all.find((c) => c.path === 'submit')!.command;
    const format = submit.options.find((o) => o.long === '--format')!;
    expect(format.argChoices).toEqual([...ADAPTER_FORMATS]);
    expect(format.parseArg!('ES-PN-CSV', undefined)).toBe('es-pn-csv');
    const mode = submit.options.find((o) => o.long === '--mode')!;
    expect(mode.parseArg!('partial', undefined)).toBe('PARTIAL');
  });
});
