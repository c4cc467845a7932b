import { describe, expect, it } from 'vitest';
import { DEN_TYPES } from '../contract.ts';
import { issueKeys, issuesOf, readFixture, readSample, recordByRef, recordsOf, run } from '../test-support.ts';
import { stixAdapter } from './index.ts';
import { MAX_STIX_OBJECTS } from './parse.ts';

const fixture = async (name: string) => run(stixAdapter, await readFixture('stix-2.1', name));
const INF = 'infrastructure--0d6a1e49-0a0f-4f0e-9c4a-6d1a3c2a6b01';
const TA = 'threat-actor--3f5a0e7e-4c1b-4f5d-8e0c-2d9a6b7c8d01';
const FUND = 'x-liaison-intercepted-fund--9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c01';
const bundle = (objects: unknown[]) => JSON.stringify({ type: 'bundle', id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d', objects });
const den = (marks?: string[]) => ({
  type: 'infrastructure', id: INF, x_liaison_kind: 'scam-den', x_liaison_den_type: 'LOAN', x_liaison_status: 'ACTIVE',
  ...(marks ? { object_marking_refs: marks } : {}),
});
const location = { type: 'location', id: 'location--7c0b8f2e-6f4e-4a55-9d38-2b1f0c8d9e11', country: 'PH' };
const locatedAt = { type: 'relationship', id: 'relationship--00000000-0000-4000-8000-000000000001', relationship_type: 'located-at', source_ref: INF, target_ref: location.id };

describe('stix-2.1 adapter', () => {
  it('maps the shared sample and skips identity and indicator', async () => {
    const items = await run(stixAdapter, await readSample('stix-2.1.json'));
    expect(issuesOf(items)).toEqual([
      { kind: 'issue', code: 'SKIPPED_OBJECT', severity: 'warning', field: 'identity', path: '/objects/0' },
      { kind: 'issue', code: 'SKIPPED_OBJECT', severity: 'warning', field: 'indicator', path: '/objects/8' },
    ]);
    expect(recordsOf(items).map((r) => r.kind)).toEqual(['scamDen', 'suspect', 'interceptedFund']);
  });

  it('maps every den field from the infrastructure and its joined location, even when the relationship comes first', async () => {
    expect(recordByRef(await fixture('valid.json'), 'scamDen', INF)).toEqual({
      kind: 'scamDen', ref: INF, sharingLevel: 'AMBER', country: 'PH', region: 'Pampanga', lat: 15.18, lon: 120.55,
      denType: 'INVESTMENT_ROMANCE', status: 'DISMANTLED', raidedOn: '2022-06-15', devicesSeized: 410,
    });
  });

  it('maps every suspect field; several markings take the most restrictive', async () => {
    expect(recordByRef(await fixture('valid.json'), 'suspect', TA)).toEqual({
      kind: 'suspect', ref: TA, sharingLevel: 'RED', fullName: 'Planted Person', birthDate: '1988-12-01', sex: 'M', nationality: 'PH',
      identifiers: [
        { type: 'PASSPORT', country: 'PH', value: 'PLANTED05', field: 'x_liaison_identifiers/0' },
        { type: 'MESSENGER', value: 'telegram:@planted', field: 'x_liaison_identifiers/1' },
      ],
      absentIdentifiers: [],
      role: 'RECRUITER', status: 'ARRESTED', statusOn: '2022-06-15', traffickingVictim: false, denRef: INF,
    });
  });

  it('maps every fund field; its den is the target of related-to', async () => {
    expect(recordByRef(await fixture('valid.json'), 'interceptedFund', FUND)).toEqual({
      kind: 'interceptedFund', ref: FUND, amount: '2500000', currency: 'PHP', amountUsd: '45454.55',
      channel: 'THIRD_PARTY_PAYMENT', action: 'STOP_PAYMENT', actionOn: '2022-06-16',
      account: { type: 'BANK_ACCOUNT', country: 'PH', value: 'PLANTED-PH', field: 'account' }, victimCount: 40, denRef: INF,
    });
  });

  it('skips a location that no den joins', async () => {
    expect(issueKeys(await fixture('valid.json'))).toEqual(['SKIPPED_OBJECT@identity', 'SKIPPED_OBJECT@location']);
  });

  it('maps every TLP 1.0 and 2.0 marking id, and leaves the level out without one', async () => {
    const ids: Record<string, string> = {
      'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'CLEAR',
      'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487': 'CLEAR',
      'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'GREEN',
      'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb': 'GREEN',
      'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'AMBER',
      'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421': 'AMBER',
      'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003': 'RED',
      'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'RED',
      'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1': 'RED',
    };
    for (const [id, level] of Object.entries(ids)) {
      const items = await run(stixAdapter, bundle([den([id]), location, locatedAt]));
      expect(recordsOf(items)[0]?.sharingLevel).toBe(level);
    }
    // No marking: left out, so a stored level is kept (a new record is stored AMBER).
    expect(recordsOf(await run(stixAdapter, bundle([den(), location, locatedAt])))[0]).not.toHaveProperty('sharingLevel');
  });

  it('refuses a record with an unknown marking (fail closed)', async () => {
    const items = await fixture('unknown-marking.json');
    expect(recordsOf(items)).toEqual([]);
    expect(issuesOf(items)).toMatchObject([{ code: 'UNKNOWN_MARKING', field: 'object_marking_refs/0', path: '/objects/0/object_marking_refs/0' }]);
  });

  it('rejects an unknown value naming the STIX property and path', async () => {
    expect(issuesOf(await fixture('unknown-value.json')).filter((i) => i.severity === 'error')).toEqual([
      { kind: 'issue', code: 'UNKNOWN_VALUE', severity: 'error', field: 'x_liaison_den_type', path: '/objects/0/x_liaison_den_type', ref: INF, allowed: [...DEN_TYPES] },
    ]);
  });

  it('requires a den to have a country through its location', async () => {
    expect(issueKeys(await run(stixAdapter, bundle([den()])))).toEqual(['MISSING_FIELD@country']);
  });

  it('rejects future and impossible dates', async () => {
    expect(issueKeys(await fixture('future-date.json'))).toEqual(['FUTURE_DATE@x_liaison_raided_on']);
    expect(issuesOf(await fixture('invalid-date.json'))).toMatchObject([{ code: 'INVALID_DATE', path: '/objects/0/x_liaison_birth_date' }]);
  });

  it('rejects an amount sent as a JSON number', async () => {
    expect(issuesOf(await fixture('malformed-number.json'))).toMatchObject([{ code: 'MALFORMED_NUMBER', field: 'amount', path: '/objects/0/amount' }]);
  });

  it('rejects a duplicate object id', async () => {
    expect(issuesOf(await fixture('duplicate-ref.json'))).toMatchObject([{ code: 'DUPLICATE_REF', field: 'id', path: '/objects/1/id' }]);
  });

  it('rejects an id that is not type--UUID of its own type', async () => {
    const items = await run(stixAdapter, bundle([{ ...den(), id: 'infrastructure--1' }, location, locatedAt]));
    expect(issueKeys(items)).toContain('UNKNOWN_VALUE@id');
  });

  it('refuses a bundle that is not a bundle, prototype keys and deep extensions', async () => {
    expect(issueKeys(await run(stixAdapter, '{"type":"report","objects":[]}'))).toEqual(['MALFORMED_FILE@type']);
    expect(issueKeys(await fixture('prototype-pollution.json'))).toEqual(['MALFORMED_FILE@(file)']);
    expect(issueKeys(await fixture('too-deep.json'))).toEqual(['TOO_DEEP@(file)']);
  });

  it(`refuses more than ${MAX_STIX_OBJECTS} objects`, async () => {
    const note = '{"type":"note","id":"note--00000000-0000-4000-8000-000000000000"}';
    const text = `{"type":"bundle","objects":[${Array.from({ length: MAX_STIX_OBJECTS + 1 }, () => note).join(',')}]}`;
    const items = await run(stixAdapter, text);
    expect(items.at(-1)).toEqual({
      kind: 'issue', code: 'TOO_LARGE', severity: 'error', field: 'objects', path: `/objects/${MAX_STIX_OBJECTS}`, limit: MAX_STIX_OBJECTS,
    });
  });
});
