// The bench measures gateways as deployed: the environment its gateway processes get
// (bench/lib/children.ts DEPLOYED_ENV) is the one docs/deploy/Containerfile and
// docs/deploy/liaison.service give a gateway process, setting for setting.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { DEPLOYED_ENV } from '../../bench/lib/children.ts';

const REPO = join(import.meta.dirname, '..', '..');

/** NAME=value pairs of the runtime stage's ENV instruction (its continued lines included). */
async function containerEnv(): Promise<Record<string, string>> {
  const text = await readFile(join(REPO, 'docs/deploy/Containerfile'), 'utf8');
  const runtime = text.slice(text.lastIndexOf('\nFROM '));
  const instruction = /^ENV ((?:.*\\\n)*.*)$/m.exec(runtime)?.[1] ?? '';
  return Object.fromEntries(instruction.split(/\\\n|\s+/).filter((pair) => pair.includes('=')).map((pair) => pair.trim().split('=') as [string, string]));
}

async function unitEnv(): Promise<Record<string, string>> {
  const text = await readFile(join(REPO, 'docs/deploy/liaison.service'), 'utf8');
  return Object.fromEntries([...text.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
}

test('the bench\'s gateways run with the environment the Containerfile and the systemd unit give a gateway process', async () => {
  const [container, unit] = [await containerEnv(), await unitEnv()];
  expect(Object.keys(DEPLOYED_ENV).length).toBeGreaterThan(0);
  for (const [name, value] of Object.entries(DEPLOYED_ENV)) {
    expect({ name, value: container[name] }).toEqual({ name, value });
    expect({ name, value: unit[name] }).toEqual({ name, value });
  }
  // What the bench leaves out is about where a process listens and keeps its files.
  const placement = /^(PORT|LIAISON_HOST|LIAISON_METRICS_PORT|LIAISON_DATA_DIR|LIAISON_SPOOL_DIR)$/;
  for (const name of new Set([...Object.keys(container), ...Object.keys(unit)])) {
    if (!placement.test(name)) expect(Object.keys(DEPLOYED_ENV)).toContain(name);
  }
});
