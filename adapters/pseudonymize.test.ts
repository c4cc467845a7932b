import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MappedInterceptedFund, MappedScamDen, MappedSuspect } from './contract.ts';
import { getAdapter } from './index.ts';
import { normalizePersonName, pseudonymize, selectorHash, type AnonymizedSuspect } from './pseudonymize.ts';
import { readSample, recordsOf, run } from './test-support.ts';

const KEY = 'test-pseudonym-key';
const OPTS = { key: KEY, ownerCode: 'ES-PN' };
const hmac = (message: string) => createHmac('sha256', KEY).update(message).digest('hex');
const suspect = (extra: Partial<MappedSuspect> = {}): MappedSuspect => ({
  kind: 'suspect', ref: 'S-1', sex: 'M', identifiers: [], role: 'MEMBER', status: 'ARRESTED', traffickingVictim: false, ...extra,
});
const anonSuspect = (extra: Partial<MappedSuspect> = {}, opts = OPTS) => {
  const out = pseudonymize(suspect(extra), opts);
  return { ...out, record: out.record as AnonymizedSuspect };
};

describe('selectorHash', () => {
  it('is hex HMAC-SHA256 of TYPE:value', () => {
    expect(selectorHash(KEY, 'PASSPORT', 'CN:E12345678')).toBe(hmac('PASSPORT:CN:E12345678'));
    expect(selectorHash(KEY, 'PASSPORT', 'CN:E12345678')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('pseudonymize a suspect', () => {
  it('keys a person by passport first, then national id, then name and birth date, then its own record', () => {
    const passport = { type: 'PASSPORT', value: 'e 1234-5678', country: 'CN' } as const;
    const id = { type: 'NATIONAL_ID', value: '110101199001020011', country: 'CN' } as const;
    const named = { fullName: 'Li Wei', birthDate: '1990-01-02' };
    expect(anonSuspect({ identifiers: [id, passport], ...named }).record.personKey).toBe(hmac('PASSPORT:CN:E12345678'));
    expect(anonSuspect({ identifiers: [id], ...named }).record.personKey).toBe(hmac('NATIONAL_ID:CN:110101199001020011'));
    expect(anonSuspect(named).record.personKey).toBe(hmac('NAME_DOB:li wei:1990-01-02'));
    expect(anonSuspect({ fullName: 'Li Wei' }).record.personKey).toBe(hmac('RECORD:ES-PN:S-1'));
  });

  it('gives an unidentified suspect a key of its own, stable across resubmissions and distinct per owner', () => {
    expect(anonSuspect().record.personKey).toBe(anonSuspect().record.personKey);
    expect(anonSuspect().record.personKey).not.toBe(anonSuspect({}, { ...OPTS, ownerCode: 'FR-PN' }).record.personKey);
    expect(anonSuspect().record.personKey).not.toBe(anonSuspect({ ref: 'S-2' }).record.personKey);
  });

  it('matches names whatever the token order, case, accents and spacing', () => {
    expect(normalizePersonName('  LÍ,  Wei ')).toBe('li wei');
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 1, maxLength: 4 }), (tokens) => {
        const shuffled = [...tokens].reverse().map((t) => t.toUpperCase()).join('   ');
        expect(normalizePersonName(shuffled)).toBe(normalizePersonName(tokens.join(' ')));
      }),
    );
  });

  it('picks the same passport whatever order the documents come in', () => {
    const a = { type: 'PASSPORT', value: 'B222', country: 'DE' } as const;
    const b = { type: 'PASSPORT', value: 'A111', country: 'DE' } as const;
    expect(anonSuspect({ identifiers: [a, b] }).record.personKey).toBe(anonSuspect({ identifiers: [b, a] }).record.personKey);
  });

  it('turns identifiers into deduplicated selectors and drops names, birth dates and raw values', () => {
    const { record } = anonSuspect({
      fullName: 'Planted Name', birthDate: '1990-01-02', nationality: 'ES',
      identifiers: [
        { type: 'PHONE', value: '612 345 678' },
        { type: 'PHONE', value: '+34612345678' },
        { type: 'MESSENGER', value: 'telegram:@planted' },
      ],
    });
    expect(record.selectors).toEqual([
      { type: 'PHONE', hash: hmac('PHONE:+34612345678') },
      { type: 'MESSENGER', hash: hmac('MESSENGER:telegram:planted') },
      { type: 'NAME_DOB', hash: hmac('NAME_DOB:name planted:1990-01-02') },
    ]);
    expect(record.birthYear).toBe(1990);
    for (const gone of ['fullName', 'birthDate', 'identifiers']) expect(record).not.toHaveProperty(gone);
    expect(JSON.stringify(record)).not.toMatch(/planted|\+34612345678|612 345 678|1990-01-02/i);
  });

  it('drops an invalid identifier with a warning naming the field, never the value', () => {
    const { record, warnings } = anonSuspect({
      identifiers: [
        { type: 'PASSPORT', value: 'PLANTED/01', country: 'CN', field: 'pasaporte' },
        { type: 'PHONE', value: '+34 PLANTED', field: 'telefonos' },
        { type: 'EMAIL', value: '', field: 'Email' },
      ],
    });
    expect(record.selectors).toEqual([]);
    expect(warnings).toEqual([
      { kind: 'issue', code: 'INVALID_IDENTIFIER', severity: 'warning', field: 'pasaporte', ref: 'S-1' },
      { kind: 'issue', code: 'INVALID_IDENTIFIER', severity: 'warning', field: 'telefonos', ref: 'S-1' },
      { kind: 'issue', code: 'INVALID_IDENTIFIER', severity: 'warning', field: 'Email', ref: 'S-1' },
    ]);
  });
});

describe('pseudonymize a den and a fund', () => {
  it('replaces coordinates by a geohash of precision 5', () => {
    const den: MappedScamDen = { kind: 'scamDen', ref: 'D-1', country: 'KH', lat: 10.627, lon: 103.522, denType: 'OTHER', status: 'ACTIVE' };
    expect(pseudonymize(den, OPTS).record).toEqual({ kind: 'scamDen', ref: 'D-1', country: 'KH', geohash: 'w3cs7', denType: 'OTHER', status: 'ACTIVE' });
  });

  it('keys an IBAN account and keeps its country', () => {
    const fund: MappedInterceptedFund = {
      kind: 'interceptedFund', ref: 'F-1', amount: '1', currency: 'EUR', channel: 'CASH', action: 'SEIZED',
      account: { type: 'BANK_ACCOUNT', value: 'DE89 3704 0044 0532 0130 00', field: 'Account' },
    };
    expect(pseudonymize(fund, OPTS)).toEqual({
      record: { kind: 'interceptedFund', ref: 'F-1', amount: '1', currency: 'EUR', channel: 'CASH', action: 'SEIZED', accountKey: hmac('BANK_ACCOUNT:DE89370400440532013000'), accountCountry: 'DE' },
      warnings: [],
    });
    const broken = pseudonymize({ ...fund, account: { ...fund.account!, value: 'DE00 3704 0044 0532 0130 00' } }, OPTS);
    expect(broken.record).toMatchObject({ accountKey: null, accountCountry: null });
    expect(broken.warnings).toEqual([{ kind: 'issue', code: 'INVALID_IDENTIFIER', severity: 'warning', field: 'Account', ref: 'F-1' }]);
  });
});

describe('one person across four partner formats', () => {
  it('gives Li Wei / 张伟 / Wei Zhang Li, passport CN E12345678, one personKey in liaison-json, cn-mps-json, es-pn-csv and umf-xml', async () => {
    const sources = [
      ['liaison-json', 'liaison-json.json', 'S-1'],
      ['cn-mps-json', 'cn-mps-json.json', 'XYR-0001'],
      ['es-pn-csv', 'es-pn-csv.csv', 'ES-S-001'],
      ['umf-xml', 'umf-xml.xml', 'P-2'],
    ] as const;
    const keys = new Map<string, string>();
    for (const [format, sample, ref] of sources) {
      const items = await run(getAdapter(format)!, await readSample(sample));
      const found = recordsOf(items).find((r) => r.kind === 'suspect' && r.ref === ref);
      expect(found, `${format} ${ref}`).toBeDefined();
      const { record } = pseudonymize(found!, { key: KEY, ownerCode: format });
      keys.set(format, (record as AnonymizedSuspect).personKey);
    }
    expect(new Set(keys.values()).size).toBe(1);
    expect(keys.get('umf-xml')).toBe(hmac('PASSPORT:CN:E12345678'));
  });

  it('keeps other suspects of the samples apart', async () => {
    const items = await run(getAdapter('cn-mps-json')!, await readSample('cn-mps-json.json'));
    const keys = recordsOf(items)
      .filter((r) => r.kind === 'suspect')
      .map((r) => (pseudonymize(r, OPTS).record as AnonymizedSuspect).personKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
