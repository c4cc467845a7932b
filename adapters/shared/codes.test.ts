// Handling code, 4x4 evaluation and matchable in each of the five formats: where each format
// carries them, that a file without them leaves them out (absent: the stored value stays), that
// an empty field means the default, and that a bad code or an H3 without its note is a record
// error naming the partner's field.
import { describe, expect, it } from 'vitest';
import { getAdapter } from '../index.ts';
import { CONTEXT, issueKeys, recordsOf, run } from '../test-support.ts';

const adapter = (format: string) => getAdapter(format)!;
const codesOf = (record: object) => {
  const { handling, handlingNote, sourceReliability, informationAssessment, matchable } = record as Record<string, unknown>;
  return Object.fromEntries(Object.entries({ handling, handlingNote, sourceReliability, informationAssessment, matchable }).filter(([, v]) => v !== undefined));
};

describe('liaison-json codes', () => {
  const file = (extra: object) =>
    JSON.stringify({ format: 'liaison-json', version: 1, operation: CONTEXT.operationCode, records: [{ kind: 'scamDen', ref: 'D-1', country: 'KH', denType: 'LOAN', status: 'ACTIVE', ...extra }] });

  it('reads handling, note, source reliability, information assessment and matchable', async () => {
    const items = await run(adapter('liaison-json'), file({ handling: 'H3', handlingNote: 'not before 2027', sourceReliability: 'B', informationAssessment: 2, matchable: false }));
    expect(issueKeys(items)).toEqual([]);
    expect(codesOf(recordsOf(items)[0]!)).toEqual({ handling: 'H3', handlingNote: 'not before 2027', sourceReliability: 'B', informationAssessment: 2, matchable: false });
  });

  it('leaves every code out when the record does not carry it, and reads empty as the default', async () => {
    expect(codesOf(recordsOf(await run(adapter('liaison-json'), file({})))[0]!)).toEqual({});
    const empty = await run(adapter('liaison-json'), file({ handling: '', sourceReliability: null, informationAssessment: null, matchable: null }));
    expect(codesOf(recordsOf(empty)[0]!)).toEqual({ handling: 'H0', sourceReliability: 'X', informationAssessment: 4, matchable: true });
  });

  it('refuses an unknown code and an H3 without its note, naming the field', async () => {
    const items = await run(adapter('liaison-json'), file({ handling: 'H9', sourceReliability: 'Z', informationAssessment: 5 }));
    expect(issueKeys(items)).toEqual(['UNKNOWN_VALUE@handling', 'UNKNOWN_VALUE@sourceReliability', 'UNKNOWN_VALUE@informationAssessment']);
    expect(recordsOf(items)).toEqual([]);
    expect(issueKeys(await run(adapter('liaison-json'), file({ handling: 'H3' })))).toEqual(['MISSING_FIELD@handlingNote']);
  });
});

describe('es-pn-csv codes', () => {
  const HEADER = 'tipo;referencia;pais;categoria;estado';
  const row = 'CENTRO;C-1;KH;PRESTAMOS;ACTIVO';

  it('reads tratamiento, nota_tratamiento, evaluacion and cotejable; without the columns they are absent', async () => {
    const items = await run(adapter('es-pn-csv'), `${HEADER};tratamiento;nota_tratamiento;evaluacion;cotejable\n${row};H2;;b3;NO\n`);
    expect(issueKeys(items)).toEqual([]);
    expect(codesOf(recordsOf(items)[0]!)).toEqual({ handling: 'H2', handlingNote: null, sourceReliability: 'B', informationAssessment: 3, matchable: false });
    expect(codesOf(recordsOf(await run(adapter('es-pn-csv'), `${HEADER}\n${row}\n`))[0]!)).toEqual({});
  });

  it('refuses a bad evaluacion, listing the codes it takes', async () => {
    const items = await run(adapter('es-pn-csv'), `${HEADER};evaluacion\n${row};B7\n`);
    expect(issueKeys(items)).toEqual(['UNKNOWN_VALUE@evaluacion']);
    expect(items.find((i) => i.kind === 'issue')).toMatchObject({ line: 2, allowed: expect.arrayContaining(['A1', 'X4']) });
  });
});

describe('cn-mps-json codes', () => {
  const file = (extra: object) =>
    JSON.stringify({ 行动代号: CONTEXT.operationCode, 窝点: [{ 编号: 'WD-1', 国家: '柬埔寨', 类型: '刷单', 状态: '活跃', ...extra }] });

  it('reads 处理代码, 处理说明, 评估等级 and 可比对', async () => {
    const items = await run(adapter('cn-mps-json'), file({ 处理代码: 'H3', 处理说明: '仅限情报用途', 评估等级: 'A1', 可比对: '否' }));
    expect(issueKeys(items)).toEqual([]);
    expect(codesOf(recordsOf(items)[0]!)).toEqual({ handling: 'H3', handlingNote: '仅限情报用途', sourceReliability: 'A', informationAssessment: 1, matchable: false });
    expect(codesOf(recordsOf(await run(adapter('cn-mps-json'), file({})))[0]!)).toEqual({});
  });

  it('refuses H3 without 处理说明', async () => {
    expect(issueKeys(await run(adapter('cn-mps-json'), file({ 处理代码: 'H3' })))).toEqual(['MISSING_FIELD@处理说明']);
  });
});

describe('umf-xml codes', () => {
  const file = (inner: string) =>
    `<?xml version="1.0"?><Message xmlns="urn:liaison:umf:1" sender="${CONTEXT.agencyCode}" operation="${CONTEXT.operationCode}">` +
    `<Location id="L-1"><Country>KH</Country><Category>LOAN</Category><Status>ACTIVE</Status>${inner}</Location></Message>`;

  it('reads HandlingCode, HandlingNote, Evaluation and Matchable', async () => {
    const items = await run(adapter('umf-xml'), file('<HandlingCode>H1</HandlingCode><Evaluation>C4</Evaluation><Matchable>0</Matchable>'));
    expect(issueKeys(items)).toEqual([]);
    expect(codesOf(recordsOf(items)[0]!)).toEqual({ handling: 'H1', sourceReliability: 'C', informationAssessment: 4, matchable: false });
    expect(codesOf(recordsOf(await run(adapter('umf-xml'), file('')))[0]!)).toEqual({});
  });
});

describe('stix-2.1 codes', () => {
  const H3 = 'marking-definition--0b3c4d5e-6f70-4182-9394-a5b6c7d8e9f0';
  const TLP_RED = 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed';
  const bundle = (den: object, markings: object[] = []) =>
    JSON.stringify({
      type: 'bundle',
      id: 'bundle--11111111-2222-4333-8444-555555555555',
      objects: [
        ...markings,
        {
          type: 'infrastructure', spec_version: '2.1', id: 'infrastructure--aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', name: 'den', x_liaison_kind: 'scam-den',
          x_liaison_den_type: 'LOAN', x_liaison_status: 'ACTIVE', ...den,
        },
      ],
    });
  const statement = (id: string, text: string) => ({ type: 'marking-definition', spec_version: '2.1', id, created: '2024-01-01T00:00:00Z', definition_type: 'statement', definition: { statement: text } });

  it('reads handling from a statement marking, assessment from confidence, reliability and matchable from x_liaison_', async () => {
    const located = await run(
      adapter('stix-2.1'),
      bundle({ object_marking_refs: [TLP_RED, H3], confidence: 65, x_liaison_source_reliability: 'B', x_liaison_matchable: false }, [
        statement(H3, 'H3: no use before the trial'),
        { type: 'location', spec_version: '2.1', id: 'location--aaaaaaaa-bbbb-4ccc-8ddd-ffffffffffff', country: 'KH' },
        { type: 'relationship', spec_version: '2.1', id: 'relationship--aaaaaaaa-bbbb-4ccc-8ddd-000000000000', relationship_type: 'located-at',
          source_ref: 'infrastructure--aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', target_ref: 'location--aaaaaaaa-bbbb-4ccc-8ddd-ffffffffffff' },
      ]),
    );
    expect(issueKeys(located)).toEqual([]);
    expect(recordsOf(located)[0]).toMatchObject({ sharingLevel: 'RED', handling: 'H3', handlingNote: 'no use before the trial', sourceReliability: 'B', informationAssessment: 2, matchable: false });
  });

  it('refuses a confidence over 100 and an H3 statement without its note', async () => {
    const items = await run(adapter('stix-2.1'), bundle({ confidence: 101, object_marking_refs: [H3] }, [statement(H3, 'H3')]));
    expect(issueKeys(items)).toEqual(expect.arrayContaining(['OUT_OF_RANGE@confidence', 'MISSING_FIELD@object_marking_refs/0']));
  });
});
