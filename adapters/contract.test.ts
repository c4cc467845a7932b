// The one contract test every adapter runs through (docs/adapters.md): over each fixture file of its
// folder, an adapter yields only contract-shaped items, echoes no planted identifier value in
// any issue, gives the same output twice, and gives the same output however the bytes are
// chunked (multi-byte UTF-8 characters split across chunks included).
import { readdir } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DEN_STATUSES, DEN_TYPES, FUND_ACTIONS, FUND_CHANNELS, ISSUE_CODES, SELECTOR_TYPES, SEXES, SHARING_LEVELS, SUSPECT_ROLES,
  SUSPECT_STATUSES, type Item,
} from './contract.ts';
import { ADAPTERS, getAdapter } from './index.ts';
import { readFixture, run } from './test-support.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const decimal = z.string().regex(/^\d+(\.\d*[1-9])?$/);
const location = {
  line: z.number().int().positive().optional(), column: z.number().int().positive().optional(), path: z.string().startsWith('/').optional(),
};
const detail = {
  allowed: z.array(z.string().min(1)).min(1).optional(), expected: z.string().min(1).optional(), found: z.string().min(1).optional(),
  limit: z.number().int().positive().optional(),
};
const rawIdentifier = z.strictObject({
  type: z.enum(SELECTOR_TYPES), value: z.string(), country: z.string().optional(), ticker: z.string().optional(), field: z.string().optional(),
});
/** Optional members: left out (absent, kept), null (explicitly empty, cleared) or a value. */
const opt = <T extends z.ZodType>(type: T) => type.nullable().optional();
const common = { ref: z.string().min(1), sharingLevel: z.enum(SHARING_LEVELS).optional() };
const record = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('scamDen'), ...common, country: z.string().length(2), region: opt(z.string()),
    lat: opt(z.number().min(-90).max(90)), lon: opt(z.number().min(-180).max(180)), denType: z.enum(DEN_TYPES),
    status: z.enum(DEN_STATUSES), raidedOn: opt(isoDate), devicesSeized: opt(z.number().int().nonnegative()), firstSeenOn: opt(isoDate),
  }),
  z.strictObject({
    kind: z.literal('suspect'), ...common, fullName: opt(z.string()), birthDate: opt(isoDate), sex: z.enum(SEXES).optional(),
    nationality: opt(z.string().length(2)), identifiers: z.array(rawIdentifier),
    absentIdentifiers: z.array(z.enum([...SELECTOR_TYPES, 'NAME_DOB'])).optional(), role: z.enum(SUSPECT_ROLES),
    status: z.enum(SUSPECT_STATUSES), statusOn: opt(isoDate), traffickingVictim: z.boolean().optional(), denRef: opt(z.string()),
  }),
  z.strictObject({
    kind: z.literal('interceptedFund'), ...common, amount: decimal, currency: z.string().regex(/^[A-Z]{3,4}$/), amountUsd: opt(decimal),
    channel: z.enum(FUND_CHANNELS), action: z.enum(FUND_ACTIONS), actionOn: opt(isoDate), account: opt(rawIdentifier),
    victimCount: opt(z.number().int().nonnegative()), denRef: opt(z.string()),
  }),
]);
const item = z.union([
  z.strictObject({ kind: z.literal('record'), record, ...location }),
  z.strictObject({
    kind: z.literal('issue'), field: z.string().min(1), code: z.enum(ISSUE_CODES), severity: z.enum(['error', 'warning']),
    ref: z.string().optional(), ...location, ...detail,
  }),
]);

/** Every identifier value and name the adapter read, which no issue may echo. */
function rawValuesOf(items: readonly Item[]): string[] {
  return items.flatMap((i) => {
    if (i.kind !== 'record') return [];
    const r = i.record;
    if (r.kind === 'suspect') return [...r.identifiers.map((id) => id.value), r.fullName ?? ''];
    if (r.kind === 'interceptedFund') return [r.account?.value ?? ''];
    return [];
  }).filter((v) => v.length >= 4);
}

describe.each(ADAPTERS.map((adapter) => [adapter.format, adapter] as const))('%s adapter contract', (format, adapter) => {
  it('is listed under its format', () => {
    expect(getAdapter(format)).toBe(adapter);
    expect(adapter.mediaTypes.length).toBeGreaterThan(0);
  });

  it('has a valid fixture and at least one error fixture', async () => {
    const names = await readdir(new URL(`./${format}/fixtures/`, import.meta.url));
    expect(names.some((n) => n.startsWith('valid.'))).toBe(true);
    expect(names.length).toBeGreaterThan(5);
  });

  it('yields only contract-shaped items with no raw value in any issue, the same each run and for any chunking', async () => {
    const names = await readdir(new URL(`./${format}/fixtures/`, import.meta.url));
    for (const name of names) {
      const bytes = await readFixture(format, name);
      const items = await run(adapter, bytes);
      for (const it of items) expect(item.safeParse(it).success, `${name}: ${JSON.stringify(item.safeParse(it).error?.issues)}`).toBe(true);
      const issueText = JSON.stringify(items.filter((i) => i.kind === 'issue'));
      expect(issueText, name).not.toMatch(/planted/i);
      for (const raw of rawValuesOf(items)) expect(issueText.includes(raw), `${name} echoes a value`).toBe(false);
      expect(await run(adapter, bytes), name).toEqual(items);
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 16 }), async (sizes) => {
          expect(await run(adapter, bytes, undefined, sizes)).toEqual(items);
        }),
        { numRuns: 12 },
      );
    }
  });

  it('never throws on arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const items = await run(adapter, bytes);
        for (const it of items) expect(item.safeParse(it).success).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

describe('getAdapter', () => {
  it('registers one adapter per format folder, each under its folder name, and nothing else', async () => {
    const entries = await readdir(new URL('./', import.meta.url), { withFileTypes: true });
    const folders = entries.filter((e) => e.isDirectory() && e.name !== 'shared').map((e) => e.name);
    expect([...ADAPTERS.map((a) => a.format)].sort()).toEqual(folders.sort());
    expect(getAdapter('xlsx')).toBeUndefined();
  });
});
