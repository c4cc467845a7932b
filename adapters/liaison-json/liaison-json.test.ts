import { describe, expect, it } from 'vitest';
import { DEN_STATUSES, DEN_TYPES, FUND_ACTIONS, FUND_CHANNELS, SEXES, SHARING_LEVELS, SUSPECT_ROLES, SUSPECT_STATUSES } from '../contract.ts';
import { CONTEXT, issueKeys, issuesOf, readFixture, readSample, recordByRef, recordsOf, run } from '../test-support.ts';
import { liaisonJsonAdapter } from './index.ts';

const fixture = async (name: string) => run(liaisonJsonAdapter, await readFixture('liaison-json', name));
const oneRecord = (record: Record<string, unknown>) =>
  JSON.stringify({ format: 'liaison-json', version: 1, operation: 'FIRST-LIGHT-2022', records: [record] });
const den = { kind: 'scamDen', ref: 'D-9', country: 'KH', denType: 'LOAN', status: 'ACTIVE' };
const fund = { kind: 'interceptedFund', ref: 'F-9', amount: '10', currency: 'EUR', channel: 'CASH', action: 'SEIZED' };

describe('liaison-json adapter', () => {
  it('maps the shared sample: two dens, two suspects, two funds, no issues', async () => {
    const items = await run(liaisonJsonAdapter, await readSample('liaison-json.json'));
    expect(issuesOf(items)).toEqual([]);
    expect(recordsOf(items).map((r) => `${r.kind}:${r.ref}`)).toEqual([
      'scamDen:D-1', 'scamDen:D-2', 'suspect:S-1', 'suspect:S-2', 'interceptedFund:F-1', 'interceptedFund:F-2',
    ]);
    expect(recordByRef(items, 'interceptedFund', 'F-1')).toMatchObject({ amount: '125000', amountUsd: '17361.11', currency: 'CNY' });
    expect(recordByRef(items, 'interceptedFund', 'F-2').account).toMatchObject({ type: 'CRYPTO_WALLET', ticker: 'USDT' });
  });

  it('maps every den field', async () => {
    const items = await fixture('valid.json');
    expect(recordByRef(items, 'scamDen', 'D-1')).toEqual({
      kind: 'scamDen', ref: 'D-1', country: 'KH', region: 'Sihanoukville', lat: 10.627, lon: 103.522,
      denType: 'CALL_CENTRE', status: 'RAIDED', raidedOn: '2022-06-10', devicesSeized: 120, firstSeenOn: '2021-11-01',
    });
  });

  it('maps every suspect field and keeps identifiers raw with their field names', async () => {
    const items = await fixture('valid.json');
    expect(recordByRef(items, 'suspect', 'S-1')).toEqual({
      kind: 'suspect', ref: 'S-1', sharingLevel: 'RED', fullName: 'Planted Person', birthDate: '1990-01-02', sex: 'M', nationality: 'CN',
      identifiers: [
        { type: 'PASSPORT', country: 'CN', value: 'PLANTED01', field: 'identifiers/0' },
        { type: 'PHONE', value: '+86 PLANTED', field: 'identifiers/1' },
      ],
      absentIdentifiers: [],
      role: 'CORE_MEMBER', status: 'ARRESTED', statusOn: '2022-06-10', traffickingVictim: false, denRef: 'D-1',
    });
    expect(issuesOf(items)).toEqual([
      { kind: 'issue', code: 'UNSUPPORTED_IDENTIFIER', severity: 'warning', field: 'identifiers/2/type', path: '/records/1/identifiers/2/type', ref: 'S-1' },
    ]);
  });

  it('maps every fund field, accepting a JSON number amount with two decimals', async () => {
    const items = await fixture('valid.json');
    expect(recordByRef(items, 'interceptedFund', 'F-1')).toEqual({
      kind: 'interceptedFund', ref: 'F-1', amount: '1234.5', currency: 'CNY', amountUsd: '171.11',
      channel: 'SCORE_RUNNING', action: 'FROZEN', actionOn: '2022-06-12',
      account: { type: 'BANK_ACCOUNT', country: 'CN', value: 'PLANTED-ACCT', field: 'account' }, victimCount: 3, denRef: 'D-1',
    });
  });

  it('takes every shared enum value, in any case', async () => {
    const suspect = { kind: 'suspect', ref: 'S-9', role: 'MEMBER', status: 'WANTED' };
    const cases: [Record<string, unknown>, string, readonly string[]][] = [
      [den, 'sharingLevel', SHARING_LEVELS], [den, 'denType', DEN_TYPES], [den, 'status', DEN_STATUSES],
      [suspect, 'sex', SEXES], [suspect, 'role', SUSPECT_ROLES], [suspect, 'status', SUSPECT_STATUSES],
      [fund, 'channel', FUND_CHANNELS], [fund, 'action', FUND_ACTIONS],
    ];
    for (const [base, field, values] of cases) {
      const records = values.map((value, i) => ({ ...base, ref: `R-${i}`, [field]: value.toLowerCase() }));
      const mapped = recordsOf(await run(liaisonJsonAdapter, JSON.stringify({ records })));
      expect(mapped.map((r) => (r as unknown as Record<string, unknown>)[field])).toEqual(values);
    }
  });

  it('leaves out what the record leaves out, and reads null or "" as the default', async () => {
    const absent = await run(liaisonJsonAdapter, oneRecord({ kind: 'suspect', ref: 'S-9', role: 'MEMBER', status: 'WANTED' }));
    const suspect = recordByRef(absent, 'suspect', 'S-9');
    for (const member of ['sharingLevel', 'sex', 'traffickingVictim', 'statusOn', 'denRef', 'nationality']) expect(suspect).not.toHaveProperty(member);
    expect(suspect.absentIdentifiers).toEqual(['PASSPORT', 'NATIONAL_ID', 'PHONE', 'EMAIL', 'MESSENGER', 'BANK_ACCOUNT', 'CRYPTO_WALLET', 'DEVICE_IMEI', 'NAME_DOB']);
    const empty = { sharingLevel: null, sex: '', traffickingVictim: null, statusOn: '', denRef: null, nationality: ' ', identifiers: null };
    const cleared = await run(liaisonJsonAdapter, oneRecord({ kind: 'suspect', ref: 'S-9', role: 'MEMBER', status: 'WANTED', ...empty }));
    expect(recordByRef(cleared, 'suspect', 'S-9')).toMatchObject({
      sharingLevel: 'AMBER', sex: 'UNKNOWN', traffickingVictim: false, statusOn: null, denRef: null, nationality: null, identifiers: [],
      absentIdentifiers: ['NAME_DOB'],
    });
  });

  it('rejects an unknown enum value naming the field and path', async () => {
    const items = await fixture('unknown-value.json');
    expect(recordsOf(items)).toEqual([]);
    expect(issuesOf(items)).toEqual([
      { kind: 'issue', code: 'UNKNOWN_VALUE', severity: 'error', field: 'denType', path: '/records/0/denType', ref: 'D-1', allowed: [...DEN_TYPES] },
    ]);
  });

  it('rejects a date in the future and a date not on the calendar', async () => {
    expect(issueKeys(await fixture('future-date.json'))).toEqual(['FUTURE_DATE@raidedOn']);
    expect(issueKeys(await fixture('invalid-date.json'))).toEqual(['INVALID_DATE@raidedOn']);
  });

  it('rejects malformed and negative amounts', async () => {
    expect(issueKeys(await fixture('malformed-number.json'))).toEqual(['MALFORMED_NUMBER@amount']);
    expect(issueKeys(await fixture('negative-amount.json'))).toEqual(['OUT_OF_RANGE@amount']);
  });

  it('rejects a JSON number amount with more than two decimals as written', async () => {
    const items = await run(liaisonJsonAdapter, oneRecord({ ...fund }).replace('"10"', '10.500'));
    expect(issuesOf(items)).toMatchObject([{ code: 'MALFORMED_NUMBER', field: 'amount', path: '/records/0/amount' }]);
  });

  it('rejects a missing required field', async () => {
    const { denType: _, ...noType } = den;
    expect(issueKeys(await run(liaisonJsonAdapter, oneRecord(noType)))).toEqual(['MISSING_FIELD@denType']);
  });

  it('rejects an unknown or missing kind', async () => {
    expect(issueKeys(await run(liaisonJsonAdapter, oneRecord({ ...den, kind: 'vehicle' })))).toEqual(['UNKNOWN_VALUE@kind']);
    expect(issuesOf(await run(liaisonJsonAdapter, oneRecord({ ...den, kind: 'toString' })))).toMatchObject([
      { code: 'UNKNOWN_VALUE', field: 'kind', allowed: ['scamDen', 'suspect', 'interceptedFund'] },
    ]);
    expect(issueKeys(await run(liaisonJsonAdapter, oneRecord({ ref: 'X' })))).toEqual(['MISSING_FIELD@kind']);
  });

  it('rejects a file that names another operation', async () => {
    const items = await fixture('operation-mismatch.json');
    expect(items).toEqual([{ kind: 'issue', code: 'OPERATION_MISMATCH', severity: 'error', field: 'operation', path: '/operation' }]);
  });

  it('rejects another format or version', async () => {
    expect(issueKeys(await run(liaisonJsonAdapter, '{"format":"stix","records":[]}'))).toEqual(['MALFORMED_FILE@format']);
    expect(issueKeys(await run(liaisonJsonAdapter, '{"version":2,"records":[]}'))).toEqual(['MALFORMED_FILE@version']);
  });

  it('rejects a second record with the same ref and kind', async () => {
    const items = await fixture('duplicate-ref.json');
    expect(recordsOf(items)).toHaveLength(1);
    expect(issuesOf(items)).toMatchObject([{ code: 'DUPLICATE_REF', field: 'ref', path: '/records/1/ref', ref: 'D-1' }]);
  });

  it('keeps the same ref for different kinds', async () => {
    const body = JSON.stringify({ records: [den, { ...fund, ref: 'D-9' }] });
    expect(recordsOf(await run(liaisonJsonAdapter, body))).toHaveLength(2);
  });

  it('ends the stream on prototype-pollution keys, deep nesting and truncation', async () => {
    expect(issueKeys(await fixture('prototype-pollution.json'))).toEqual(['MALFORMED_FILE@(file)']);
    expect(issueKeys(await fixture('too-deep.json'))).toEqual(['TOO_DEEP@(file)']);
    expect(issueKeys(await fixture('truncated.json'))).toEqual(['MALFORMED_FILE@(file)']);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('reports a file without records', async () => {
    expect(issueKeys(await run(liaisonJsonAdapter, '{"format":"liaison-json"}'))).toEqual(['MISSING_FIELD@records']);
  });

  it('reads the operation case-insensitively', async () => {
    const items = await run(liaisonJsonAdapter, oneRecord(den), { ...CONTEXT, operationCode: 'first-light-2022' });
    expect(recordsOf(items)).toHaveLength(1);
  });

  it('places a JSON syntax error at its line and column', async () => {
    const text = '{"format":"liaison-json","version":1,"records":[\n  {"kind":"scamDen","ref":"D-1",}\n]}';
    expect(issuesOf(await run(liaisonJsonAdapter, text, CONTEXT, [7]))).toEqual([
      { kind: 'issue', code: 'MALFORMED_FILE', severity: 'error', field: '(file)', line: 2, column: 33, path: '/records/0/ref' },
    ]);
  });
});
