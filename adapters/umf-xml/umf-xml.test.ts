import { describe, expect, it } from 'vitest';
import { DEN_TYPES } from '../contract.ts';
import { CONTEXT, issueKeys, issuesOf, readFixture, readSample, recordByRef, recordsOf, run } from '../test-support.ts';
import { umfXmlAdapter } from './index.ts';

const fixture = async (name: string) => run(umfXmlAdapter, await readFixture('umf-xml', name));
const message = (body: string, attrs = 'sender="DE-BKA"') => `<Message xmlns="urn:liaison:umf:1" ${attrs}>${body}</Message>`;
const location = (inner: string, attrs = '') =>
  `<Location id="L-9"${attrs}><Country>DE</Country><Category>LOAN</Category><Status>ACTIVE</Status>${inner}</Location>`;

describe('umf-xml adapter', () => {
  it('maps the shared sample, skipping the driving licence with a warning', async () => {
    const items = await run(umfXmlAdapter, await readSample('umf-xml.xml'));
    expect(issuesOf(items)).toEqual([
      { kind: 'issue', code: 'UNSUPPORTED_IDENTIFIER', severity: 'warning', field: 'Document[3]/@type', path: '/Message/Person[1]/Document[3]/@type', ref: 'P-1' },
    ]);
    expect(recordsOf(items)).toHaveLength(5);
    expect(recordByRef(items, 'suspect', 'P-2')).toMatchObject({ sharingLevel: 'RED', status: 'CHARGED', statusOn: '2022-06-11' });
  });

  it('maps every Location field, decoding predefined entities', async () => {
    const items = await fixture('valid.xml');
    expect(items.find((i) => i.kind === 'record')).toMatchObject({ path: '/Message/Location[1]' });
    expect(recordByRef(items, 'scamDen', 'L-1')).toEqual({
      kind: 'scamDen', ref: 'L-1', sharingLevel: 'GREEN', country: 'KH', region: 'Sihanoukville & Kampot', lat: 10.627, lon: 103.522,
      denType: 'CALL_CENTRE', status: 'RAIDED', raidedOn: '2022-06-10', devicesSeized: 37, firstSeenOn: '2021-11-01',
    });
  });

  it('maps every Person field; Document, Phone and Email become identifiers', async () => {
    expect(recordByRef(await fixture('valid.xml'), 'suspect', 'P-1')).toEqual({
      kind: 'suspect', ref: 'P-1', sharingLevel: 'AMBER', fullName: 'Planted Person', birthDate: '1991-03-04', sex: 'M', nationality: 'DE',
      identifiers: [
        { type: 'PASSPORT', value: 'PLANTED04', country: 'DE', field: 'Document[1]' },
        { type: 'PHONE', value: '+49 PLANTED', field: 'Phone' },
        { type: 'EMAIL', value: 'planted@example.org', field: 'Email' },
      ],
      absentIdentifiers: ['NATIONAL_ID', 'MESSENGER', 'BANK_ACCOUNT', 'CRYPTO_WALLET', 'DEVICE_IMEI'],
      role: 'MEMBER', status: 'ARRESTED', statusOn: '2022-06-10', traffickingVictim: false, denRef: 'L-1',
    });
  });

  it('maps every MonetaryValue field; Account and Wallet become the account', async () => {
    expect(recordByRef(await fixture('valid.xml'), 'interceptedFund', 'M-1')).toEqual({
      kind: 'interceptedFund', ref: 'M-1', sharingLevel: 'AMBER', amount: '12345.67', currency: 'EUR', amountUsd: '13456.78',
      channel: 'BANK_TRANSFER', action: 'FROZEN', actionOn: '2022-06-12',
      account: { type: 'BANK_ACCOUNT', value: 'DE00 PLANTED', field: 'Account' }, victimCount: 2, denRef: 'L-1',
    });
    const wallet = await run(umfXmlAdapter, message('<MonetaryValue id="M-9"><Amount currency="BTC">0.5</Amount><Channel>CRYPTO</Channel><Measure>SEIZED</Measure><Wallet ticker="BTC">bc1qPLANTEDxxxxxxxxxxxxxxxxxxxxxxxx</Wallet></MonetaryValue>'));
    expect(recordByRef(wallet, 'interceptedFund', 'M-9').account).toEqual({ type: 'CRYPTO_WALLET', value: 'bc1qPLANTEDxxxxxxxxxxxxxxxxxxxxxxxx', ticker: 'BTC', field: 'Wallet' });
  });

  it('maps every marking: CLEAR, WHITE, GREEN, AMBER, AMBER+STRICT and RED', async () => {
    const markings = { 'TLP:CLEAR': 'CLEAR', 'TLP:WHITE': 'CLEAR', 'TLP:GREEN': 'GREEN', 'TLP:AMBER': 'AMBER', 'TLP:AMBER+STRICT': 'RED', 'tlp:red': 'RED' };
    for (const [marking, level] of Object.entries(markings)) {
      const items = await run(umfXmlAdapter, message(location('', ` marking="${marking}"`)));
      expect(recordsOf(items)[0]?.sharingLevel).toBe(level);
      const byDefault = await run(umfXmlAdapter, message(location(''), `sender="DE-BKA" defaultMarking="${marking}"`));
      expect(recordsOf(byDefault)[0]?.sharingLevel).toBe(level);
    }
  });

  it('skips elements that are not records, with a warning', async () => {
    expect(issuesOf(await fixture('valid.xml'))).toContainEqual({ kind: 'issue', code: 'SKIPPED_OBJECT', severity: 'warning', field: 'Note', path: '/Message/Note[1]' });
  });

  it('rejects an unknown value naming the element and path', async () => {
    expect(issuesOf(await fixture('unknown-value.xml'))).toEqual([
      { kind: 'issue', code: 'UNKNOWN_VALUE', severity: 'error', field: 'Category', path: '/Message/Location[1]/Category', ref: 'L-1', allowed: [...DEN_TYPES] },
    ]);
  });

  it('rejects a future raid date and a birth date in another spelling', async () => {
    expect(issueKeys(await fixture('future-date.xml'))).toEqual(['FUTURE_DATE@RaidDate']);
    expect(issuesOf(await fixture('invalid-date.xml')).filter((i) => i.severity === 'error')).toMatchObject([{ code: 'INVALID_DATE', path: '/Message/Person[1]/BirthDate' }]);
  });

  it('rejects NaN as an amount', async () => {
    expect(issueKeys(await fixture('malformed-number.xml'))).toEqual(['MALFORMED_NUMBER@Amount']);
  });

  it('rejects a message from another sender or without one', async () => {
    expect(await fixture('sender-mismatch.xml')).toEqual([
      { kind: 'issue', code: 'SENDER_MISMATCH', severity: 'error', field: 'sender', path: '/Message/@sender' },
    ]);
    expect(issueKeys(await run(umfXmlAdapter, message(location(''), 'operation="FIRST-LIGHT-2022"')))).toEqual(['SENDER_MISMATCH@sender']);
    expect(recordsOf(await run(umfXmlAdapter, message(location('')), { ...CONTEXT, agencyCode: 'de-bka' }))).toHaveLength(1);
  });

  it('rejects a message that names another operation', async () => {
    expect(issueKeys(await fixture('operation-mismatch.xml'))).toEqual(['OPERATION_MISMATCH@operation']);
  });

  it('rejects a DOCTYPE before parsing, whatever it declares', async () => {
    expect(await fixture('doctype.xml')).toEqual([{ kind: 'issue', code: 'DOCTYPE_FORBIDDEN', severity: 'error', field: '(file)' }]);
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><Message sender="DE-BKA">&lol2;</Message>`;
    expect(issueKeys(await run(umfXmlAdapter, laughs))).toEqual(['DOCTYPE_FORBIDDEN@(file)']);
  });

  it('refuses an unknown marking on the record, and an unknown default for records without one', async () => {
    expect(issuesOf(await fixture('unknown-marking.xml'))).toMatchObject([{ code: 'UNKNOWN_MARKING', field: '@marking', path: '/Message/Location[1]/@marking' }]);
    const items = await run(umfXmlAdapter, message(location('') + location('', ' marking="TLP:RED"').replace('L-9', 'L-10'), 'sender="DE-BKA" defaultMarking="SECRET"'));
    expect(issueKeys(items)).toEqual(['UNKNOWN_MARKING@defaultMarking']);
    expect(recordsOf(items).map((r) => r.ref)).toEqual(['L-10']);
  });

  it('rejects a duplicate id', async () => {
    expect(issuesOf(await fixture('duplicate-ref.xml'))).toMatchObject([{ code: 'DUPLICATE_REF', field: '@id', path: '/Message/Location[2]/@id' }]);
  });

  it('refuses __proto__ element names and nesting deeper than 32', async () => {
    expect(issueKeys(await fixture('prototype-pollution.xml'))).toEqual(['MALFORMED_FILE@(file)']);
    expect(issueKeys(await fixture('too-deep.xml'))).toEqual(['TOO_DEEP@(file)']);
    expect(issueKeys(await run(umfXmlAdapter, message('<a>'.repeat(10_000) + '</a>'.repeat(10_000))))).toEqual(['TOO_DEEP@(file)']);
  });

  it('refuses malformed XML, another root and another declared encoding', async () => {
    expect(issueKeys(await run(umfXmlAdapter, message('<Location id="x">')))).toEqual(['MALFORMED_FILE@(file)']);
    expect(issueKeys(await run(umfXmlAdapter, '<Other sender="DE-BKA"/>'))).toEqual(['MALFORMED_FILE@(file)']);
    expect(issueKeys(await run(umfXmlAdapter, `<?xml version="1.0" encoding="ISO-8859-1"?>${message('')}`))).toEqual(['MALFORMED_FILE@(file)']);
  });

  it('decodes numeric character references without expanding anything else', async () => {
    const items = await run(umfXmlAdapter, message(location('<Region>K&#xF6;ln &#65;</Region>')));
    expect(recordByRef(items, 'scamDen', 'L-9').region).toBe('Köln A');
  });

  it('places an XML well-formedness error at its line and column', async () => {
    const text = '<Message sender="DE-BKA">\n  <Location id="L-1"></Locaton>\n</Message>';
    expect(issuesOf(await run(umfXmlAdapter, text))).toMatchObject([{ code: 'MALFORMED_FILE', field: '(file)', line: 2, column: expect.any(Number) }]);
  });
});
