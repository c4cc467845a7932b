// Absent is not null (issue 7, item 1), through the real pipeline and database, for every
// optional field of every format: a full record is stored; the same file without that field
// changes nothing (no update, no history); the same file with the field explicitly empty
// clears it (to null, or to the column's default). Formats spell "without" and "empty" in
// their own way: a CSV column missing vs an empty cell, a JSON key missing vs null or "", an
// XML element or attribute missing vs empty, a STIX property missing.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ES_PN_COLUMNS } from '../../adapters/es-pn-csv/map.ts';
import { addParticipant, createIngestFixture, SAMPLES_DIR, type Agency, type IngestFixture } from './support.ts';

type Change = { omit?: string; empty?: string; ref?: string };
type Snapshot = Record<string, Record<string, unknown>>;
/**
 * `field` as the format spells it; `ref` the record it belongs to; `cleared`: columns after an
 * explicit empty, or null where the format has no way to clear the field (only leaving it out is tested).
 */
type FieldCase = { field: string; ref: string; cleared: Record<string, unknown> | null };
type FormatSpec = { format: string; file: (agency: Agency, change: Change) => string; cases: FieldCase[] };

const TIMESTAMPS = ['id', 'submission_id', 'created_at', 'updated_at'];

/** Every record the agency owns, by `kind:ref`, without ids and timestamps; suspects with their selector types. */
async function snapshot(f: IngestFixture, agency: Agency): Promise<Snapshot> {
  const rows = await f.db.prisma.$queryRaw<{ key: string; data: Record<string, unknown> }[]>`
    SELECT 'den:' || source_ref AS key, to_jsonb(d) AS data FROM scam_den d WHERE owner_id = ${agency.id}::uuid
    UNION ALL
    SELECT 'suspect:' || source_ref, to_jsonb(s) || jsonb_build_object('selectors',
             (SELECT coalesce(jsonb_agg(x.type::text || ':' || x.hash ORDER BY x.type::text || ':' || x.hash), '[]'::jsonb)
                FROM selector x WHERE x.suspect_id = s.id))
      FROM suspect s WHERE owner_id = ${agency.id}::uuid
    UNION ALL
    SELECT 'fund:' || source_ref, to_jsonb(i) FROM intercepted_fund i WHERE owner_id = ${agency.id}::uuid`;
  const out: Snapshot = {};
  for (const { key, data } of rows) {
    for (const column of TIMESTAMPS) delete data[column];
    // Bookkeeping, not record data: the digest of the last record written (another file, another digest).
    delete data.ingest_digest;
    if (Array.isArray(data.selectors)) data.selectorTypes = [...new Set(data.selectors.map((s) => String(s).split(':')[0]))].sort();
    out[key] = data;
  }
  return out;
}

async function versionCount(f: IngestFixture, agency: Agency): Promise<number> {
  const [row] = await f.db.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM record_version WHERE owner_id = ${agency.id}::uuid`;
  return row!.n;
}

const without = <T extends Record<string, unknown>>(record: T, change: Change, ref: string): Record<string, unknown> => {
  if (change.ref !== ref) return record;
  const out: Record<string, unknown> = { ...record };
  if (change.omit !== undefined) delete out[change.omit];
  if (change.empty !== undefined) out[change.empty] = null;
  return out;
};

// ---- es-pn-csv: a column missing from the file vs an empty cell in one row ----------------------

const ES_ROWS: Record<string, string>[] = [
  { tipo: 'CENTRO', referencia: 'C-1', nivel: 'VERDE', pais: 'ES', region: 'Madrid', lat: '40,4168', lon: '-3,7038', categoria: 'OTRO',
    estado: 'REGISTRADO', fecha: '14/06/2019', dispositivos: '12' },
  { tipo: 'SOSPECHOSO', referencia: 'S-1', nivel: 'ROJO', fecha: '14/06/2019', nombre: 'Ana', apellidos: 'Perez', fecha_nacimiento: '02/01/1990',
    sexo: 'M', nacionalidad: 'ES', pasaporte: 'X1234567', dni_nie: '12345678Z', telefonos: '612345678', rol: 'MIEMBRO', estado: 'DETENIDO',
    victima_trata: 'SI', centro_ref: 'C-1' },
  { tipo: 'FONDOS', referencia: 'F-1', nivel: 'ROJO', importe: '1.000,50', moneda: 'EUR', importe_usd: '9.999,99', canal: 'EFECTIVO',
    medida: 'BLOQUEO', fecha: '18/06/2019', cuenta: 'ES9121000418450200051332', victimas: '3', centro_ref: 'C-1' },
];

const esPnCsv: FormatSpec = {
  format: 'es-pn-csv',
  file: (_agency, change) => {
    const columns = ES_PN_COLUMNS.filter((c) => c !== change.omit);
    const lines = ES_ROWS.map((row) => columns.map((c) => (row.referencia === change.ref && c === change.empty ? '' : (row[c] ?? ''))).join(';'));
    return `${[columns.join(';'), ...lines].join('\n')}\n`;
  },
  cases: [
    { field: 'nivel', ref: 'C-1', cleared: { 'den:C-1': { sharing_level: 'AMBER' } } },
    { field: 'region', ref: 'C-1', cleared: { 'den:C-1': { region: null } } },
    { field: 'lat', ref: 'C-1', cleared: { 'den:C-1': { geohash: null } } },
    { field: 'lon', ref: 'C-1', cleared: { 'den:C-1': { geohash: null } } },
    { field: 'fecha', ref: 'C-1', cleared: { 'den:C-1': { raided_on: null } } },
    { field: 'dispositivos', ref: 'C-1', cleared: { 'den:C-1': { devices_seized: null } } },
    { field: 'fecha', ref: 'S-1', cleared: { 'suspect:S-1': { status_on: null } } },
    { field: 'nombre', ref: 'S-1', cleared: { 'suspect:S-1': { selectorTypes: ['NAME_DOB', 'NATIONAL_ID', 'PASSPORT', 'PHONE'] } } },
    { field: 'apellidos', ref: 'S-1', cleared: { 'suspect:S-1': { selectorTypes: ['NAME_DOB', 'NATIONAL_ID', 'PASSPORT', 'PHONE'] } } },
    { field: 'fecha_nacimiento', ref: 'S-1', cleared: { 'suspect:S-1': { birth_year: null, selectorTypes: ['NATIONAL_ID', 'PASSPORT', 'PHONE'] } } },
    { field: 'sexo', ref: 'S-1', cleared: { 'suspect:S-1': { sex: 'UNKNOWN' } } },
    { field: 'nacionalidad', ref: 'S-1', cleared: { 'suspect:S-1': { nationality: null } } },
    { field: 'pasaporte', ref: 'S-1', cleared: { 'suspect:S-1': { selectorTypes: ['NAME_DOB', 'NATIONAL_ID', 'PHONE'] } } },
    { field: 'dni_nie', ref: 'S-1', cleared: { 'suspect:S-1': { selectorTypes: ['NAME_DOB', 'PASSPORT', 'PHONE'] } } },
    { field: 'telefonos', ref: 'S-1', cleared: { 'suspect:S-1': { selectorTypes: ['NAME_DOB', 'NATIONAL_ID', 'PASSPORT'] } } },
    { field: 'victima_trata', ref: 'S-1', cleared: { 'suspect:S-1': { trafficking_victim: false } } },
    { field: 'centro_ref', ref: 'S-1', cleared: { 'suspect:S-1': { den_id: null } } },
    { field: 'nivel', ref: 'F-1', cleared: { 'fund:F-1': { sharing_level: 'AMBER' } } },
    { field: 'importe_usd', ref: 'F-1', cleared: { 'fund:F-1': { amount_usd: expect.any(Number) } } },
    { field: 'fecha', ref: 'F-1', cleared: { 'fund:F-1': { action_on: null } } },
    { field: 'cuenta', ref: 'F-1', cleared: { 'fund:F-1': { account_key: null, account_country: null } } },
    { field: 'victimas', ref: 'F-1', cleared: { 'fund:F-1': { victim_count: null } } },
    { field: 'centro_ref', ref: 'F-1', cleared: { 'fund:F-1': { den_id: null } } },
  ],
};

// ---- liaison-json: a key missing from a record vs null --------------------------------------------

const LIAISON_RECORDS = [
  { kind: 'scamDen', ref: 'D-1', sharingLevel: 'GREEN', country: 'KH', region: 'Sihanoukville', lat: 10.627, lon: 103.522, denType: 'CALL_CENTRE',
    status: 'RAIDED', raidedOn: '2022-06-10', devicesSeized: 120, firstSeenOn: '2021-11-01' },
  { kind: 'suspect', ref: 'S-1', sharingLevel: 'RED', fullName: 'Li Wei', birthDate: '1990-01-02', sex: 'M', nationality: 'CN',
    identifiers: [{ type: 'PASSPORT', country: 'CN', value: 'E12345678' }, { type: 'PHONE', value: '+86 138 0013 8000' }],
    role: 'CORE_MEMBER', status: 'ARRESTED', statusOn: '2022-06-10', traffickingVictim: true, denRef: 'D-1' },
  { kind: 'interceptedFund', ref: 'F-1', sharingLevel: 'RED', amount: '125000.00', currency: 'CNY', amountUsd: '99999.99', channel: 'SCORE_RUNNING',
    action: 'FROZEN', actionOn: '2022-06-12', account: { type: 'BANK_ACCOUNT', country: 'CN', value: '6222020000000000000' }, victimCount: 3, denRef: 'D-1' },
];

const liaisonJson: FormatSpec = {
  format: 'liaison-json',
  file: (_agency, change) =>
    JSON.stringify({ format: 'liaison-json', version: 1, operation: 'FIRST-LIGHT-2022', records: LIAISON_RECORDS.map((r) => without(r, change, r.ref)) }),
  cases: [
    { field: 'sharingLevel', ref: 'D-1', cleared: { 'den:D-1': { sharing_level: 'AMBER' } } },
    { field: 'region', ref: 'D-1', cleared: { 'den:D-1': { region: null } } },
    { field: 'lat', ref: 'D-1', cleared: { 'den:D-1': { geohash: null } } },
    { field: 'lon', ref: 'D-1', cleared: { 'den:D-1': { geohash: null } } },
    { field: 'raidedOn', ref: 'D-1', cleared: { 'den:D-1': { raided_on: null } } },
    { field: 'devicesSeized', ref: 'D-1', cleared: { 'den:D-1': { devices_seized: null } } },
    { field: 'firstSeenOn', ref: 'D-1', cleared: { 'den:D-1': { first_seen_on: null } } },
    { field: 'sharingLevel', ref: 'S-1', cleared: { 'suspect:S-1': { sharing_level: 'AMBER' } } },
    { field: 'fullName', ref: 'S-1', cleared: { 'suspect:S-1': { selectorTypes: ['PASSPORT', 'PHONE'] } } },
    { field: 'birthDate', ref: 'S-1', cleared: { 'suspect:S-1': { birth_year: null, selectorTypes: ['PASSPORT', 'PHONE'] } } },
    { field: 'sex', ref: 'S-1', cleared: { 'suspect:S-1': { sex: 'UNKNOWN' } } },
    { field: 'nationality', ref: 'S-1', cleared: { 'suspect:S-1': { nationality: null } } },
    { field: 'identifiers', ref: 'S-1', cleared: { 'suspect:S-1': { selectorTypes: ['NAME_DOB'] } } },
    { field: 'statusOn', ref: 'S-1', cleared: { 'suspect:S-1': { status_on: null } } },
    { field: 'traffickingVictim', ref: 'S-1', cleared: { 'suspect:S-1': { trafficking_victim: false } } },
    { field: 'denRef', ref: 'S-1', cleared: { 'suspect:S-1': { den_id: null } } },
    { field: 'sharingLevel', ref: 'F-1', cleared: { 'fund:F-1': { sharing_level: 'AMBER' } } },
    { field: 'amountUsd', ref: 'F-1', cleared: { 'fund:F-1': { amount_usd: expect.any(Number) } } },
    { field: 'actionOn', ref: 'F-1', cleared: { 'fund:F-1': { action_on: null } } },
    { field: 'account', ref: 'F-1', cleared: { 'fund:F-1': { account_key: null, account_country: null } } },
    { field: 'victimCount', ref: 'F-1', cleared: { 'fund:F-1': { victim_count: null } } },
    { field: 'denRef', ref: 'F-1', cleared: { 'fund:F-1': { den_id: null } } },
  ],
};

// ---- cn-mps-json: a Chinese key missing vs null ----------------------------------------------------

const CN_ARRAYS = {
  窝点: [{ 编号: 'WD-1', 国家: '柬埔寨', 地区: '西哈努克', 纬度: 10.63, 经度: 103.52, 类型: '刷单返利', 状态: '已捣毁', 捣毁日期: '2022年6月10日',
          缴获作案工具: 120, 发现日期: '2021-11-01', 共享级别: '绿色' }],
  嫌疑人: [{ 编号: 'XYR-1', 姓名: '张伟', 性别: '男', 出生日期: '1990-01-02', 国籍: '中国', 护照号: 'E12345678', 身份证号: '110101199001020011',
           手机号: ['13800138000'], 微信号: 'zw_1990', 角色: '骨干', 状态: '抓获', 状态日期: '2022/06/10', 是否被拐骗: true, 所属窝点: 'WD-1',
           共享级别: '红色' }],
  涉案资金: [{ 编号: 'ZJ-1', 金额: 12.5, 金额单位: '万元', 币种: 'CNY', 折合美元: '99999.99', 渠道: '跑分平台', 处置: '冻结', 处置日期: '2022-06-12',
            账户: '6222 0200 0000 0000 000', 受害人数: 3, 所属窝点: 'WD-1', 共享级别: '红色' }],
};

const cnMpsJson: FormatSpec = {
  format: 'cn-mps-json',
  file: (_agency, change) =>
    JSON.stringify({
      报送单位: '公安部刑事侦查局',
      行动代号: 'FIRST-LIGHT-2022',
      ...Object.fromEntries(Object.entries(CN_ARRAYS).map(([key, list]) => [key, list.map((r) => without(r, change, r['编号']))])),
    }),
  cases: [
    { field: '共享级别', ref: 'WD-1', cleared: { 'den:WD-1': { sharing_level: 'AMBER' } } },
    { field: '地区', ref: 'WD-1', cleared: { 'den:WD-1': { region: null } } },
    { field: '纬度', ref: 'WD-1', cleared: { 'den:WD-1': { geohash: null } } },
    { field: '捣毁日期', ref: 'WD-1', cleared: { 'den:WD-1': { raided_on: null } } },
    { field: '缴获作案工具', ref: 'WD-1', cleared: { 'den:WD-1': { devices_seized: null } } },
    { field: '发现日期', ref: 'WD-1', cleared: { 'den:WD-1': { first_seen_on: null } } },
    { field: '姓名', ref: 'XYR-1', cleared: { 'suspect:XYR-1': { selectorTypes: ['MESSENGER', 'NATIONAL_ID', 'PASSPORT', 'PHONE'] } } },
    { field: '出生日期', ref: 'XYR-1', cleared: { 'suspect:XYR-1': { birth_year: null } } },
    { field: '性别', ref: 'XYR-1', cleared: { 'suspect:XYR-1': { sex: 'UNKNOWN' } } },
    { field: '国籍', ref: 'XYR-1', cleared: { 'suspect:XYR-1': { nationality: null } } },
    { field: '护照号', ref: 'XYR-1', cleared: { 'suspect:XYR-1': { selectorTypes: ['MESSENGER', 'NAME_DOB', 'NATIONAL_ID', 'PHONE'] } } },
    { field: '身份证号', ref: 'XYR-1', cleared: { 'suspect:XYR-1': { selectorTypes: ['MESSENGER', 'NAME_DOB', 'PASSPORT', 'PHONE'] } } },
    { field: '手机号', ref: 'XYR-1', cleared: { 'suspect:XYR-1': { selectorTypes: ['MESSENGER', 'NAME_DOB', 'NATIONAL_ID', 'PASSPORT'] } } },
    { field: '微信号', ref: 'XYR-1', cleared: { 'suspect:XYR-1': { selectorTypes: ['NAME_DOB', 'NATIONAL_ID', 'PASSPORT', 'PHONE'] } } },
    { field: '状态日期', ref: 'XYR-1', cleared: { 'suspect:XYR-1': { status_on: null } } },
    { field: '是否被拐骗', ref: 'XYR-1', cleared: { 'suspect:XYR-1': { trafficking_victim: false } } },
    { field: '所属窝点', ref: 'XYR-1', cleared: { 'suspect:XYR-1': { den_id: null } } },
    { field: '共享级别', ref: 'ZJ-1', cleared: { 'fund:ZJ-1': { sharing_level: 'AMBER' } } },
    { field: '折合美元', ref: 'ZJ-1', cleared: { 'fund:ZJ-1': { amount_usd: expect.any(Number) } } },
    { field: '处置日期', ref: 'ZJ-1', cleared: { 'fund:ZJ-1': { action_on: null } } },
    { field: '账户', ref: 'ZJ-1', cleared: { 'fund:ZJ-1': { account_key: null, account_country: null } } },
    { field: '受害人数', ref: 'ZJ-1', cleared: { 'fund:ZJ-1': { victim_count: null } } },
    { field: '所属窝点', ref: 'ZJ-1', cleared: { 'fund:ZJ-1': { den_id: null } } },
  ],
};

// ---- umf-xml: an element or attribute missing vs empty ------------------------------------------

/** The element `name`: left out when omitted, empty when emptied (by field name), else `full`. */
const xmlPart = (change: Change, ref: string, name: string, full: string, empty: string): string =>
  change.ref === ref && change.omit === name ? '' : change.ref === ref && change.empty === name ? empty : full;

const umfXml: FormatSpec = {
  format: 'umf-xml',
  file: (agency, c) => `<?xml version="1.0" encoding="UTF-8"?>
<Message xmlns="urn:liaison:umf:1" sender="${agency.code}" operation="FIRST-LIGHT-2022">
  <Location id="L-1"${xmlPart(c, 'L-1', '@marking', ' marking="TLP:GREEN"', '')}>
    <Country>KH</Country>${xmlPart(c, 'L-1', 'Region', '<Region>Kampot</Region>', '<Region/>')}
    ${xmlPart(c, 'L-1', 'Coordinates', '<Coordinates lat="10.627" lon="103.522"/>', '<Coordinates lat="" lon=""/>')}
    <Category>CALL_CENTRE</Category><Status>RAIDED</Status>${xmlPart(c, 'L-1', 'RaidDate', '<RaidDate>2022-06-10</RaidDate>', '<RaidDate/>')}
    ${xmlPart(c, 'L-1', 'DevicesSeized', '<DevicesSeized>37</DevicesSeized>', '<DevicesSeized/>')}
    ${xmlPart(c, 'L-1', 'FirstSeen', '<FirstSeen>2021-11-01</FirstSeen>', '<FirstSeen></FirstSeen>')}
  </Location>
  <Person id="P-1" marking="TLP:RED">
    ${xmlPart(c, 'P-1', 'Name', '<Name><Given>Max</Given><Family>Beispiel</Family></Name>', '<Name/>')}
    ${xmlPart(c, 'P-1', 'BirthDate', '<BirthDate>1991-03-04</BirthDate>', '<BirthDate/>')}
    ${xmlPart(c, 'P-1', 'Sex', '<Sex>M</Sex>', '<Sex/>')}${xmlPart(c, 'P-1', 'Nationality', '<Nationality>DE</Nationality>', '<Nationality/>')}
    ${xmlPart(c, 'P-1', 'Document', '<Document type="PASSPORT" country="DE">C01X00T47</Document>', '<Document type="PASSPORT"/>')}
    ${xmlPart(c, 'P-1', 'Phone', '<Phone>+49 151 23456789</Phone>', '<Phone/>')}
    ${xmlPart(c, 'P-1', 'Email', '<Email>max@example.org</Email>', '<Email/>')}
    <Role>MEMBER</Role><Status${xmlPart(c, 'P-1', 'Status/@date', ' date="2022-06-10"', ' date=""')}>ARRESTED</Status>
    ${xmlPart(c, 'P-1', 'TraffickingVictim', '<TraffickingVictim>true</TraffickingVictim>', '<TraffickingVictim/>')}
    ${xmlPart(c, 'P-1', 'LocationRef', '<LocationRef ref="L-1"/>', '<LocationRef ref=""/>')}
  </Person>
  <MonetaryValue id="M-1" marking="TLP:RED">
    <Amount currency="EUR">12345.67</Amount>${xmlPart(c, 'M-1', 'AmountUsd', '<AmountUsd>99999.99</AmountUsd>', '<AmountUsd/>')}
    <Channel>BANK_TRANSFER</Channel><Measure${xmlPart(c, 'M-1', 'Measure/@date', ' date="2022-06-12"', ' date=""')}>FROZEN</Measure>
    ${xmlPart(c, 'M-1', 'Account', '<Account type="IBAN">DE89 3704 0044 0532 0130 00</Account>', '<Account type="IBAN"/>')}
    ${xmlPart(c, 'M-1', 'Victims', '<Victims>2</Victims>', '<Victims/>')}
    ${xmlPart(c, 'M-1', 'LocationRef', '<LocationRef ref="L-1"/>', '<LocationRef ref=""/>')}
  </MonetaryValue>
</Message>`,
  cases: [
    // A marking is never cleared: an empty one is unknown and refuses the record (fail closed).
    { field: '@marking', ref: 'L-1', cleared: null },
    { field: 'Region', ref: 'L-1', cleared: { 'den:L-1': { region: null } } },
    { field: 'Coordinates', ref: 'L-1', cleared: { 'den:L-1': { geohash: null } } },
    { field: 'RaidDate', ref: 'L-1', cleared: { 'den:L-1': { raided_on: null } } },
    { field: 'DevicesSeized', ref: 'L-1', cleared: { 'den:L-1': { devices_seized: null } } },
    { field: 'FirstSeen', ref: 'L-1', cleared: { 'den:L-1': { first_seen_on: null } } },
    { field: 'Name', ref: 'P-1', cleared: { 'suspect:P-1': { selectorTypes: ['EMAIL', 'PASSPORT', 'PHONE'] } } },
    { field: 'BirthDate', ref: 'P-1', cleared: { 'suspect:P-1': { birth_year: null, selectorTypes: ['EMAIL', 'PASSPORT', 'PHONE'] } } },
    { field: 'Sex', ref: 'P-1', cleared: { 'suspect:P-1': { sex: 'UNKNOWN' } } },
    { field: 'Nationality', ref: 'P-1', cleared: { 'suspect:P-1': { nationality: null } } },
    { field: 'Document', ref: 'P-1', cleared: { 'suspect:P-1': { selectorTypes: ['EMAIL', 'NAME_DOB', 'PHONE'] } } },
    { field: 'Phone', ref: 'P-1', cleared: { 'suspect:P-1': { selectorTypes: ['EMAIL', 'NAME_DOB', 'PASSPORT'] } } },
    { field: 'Email', ref: 'P-1', cleared: { 'suspect:P-1': { selectorTypes: ['NAME_DOB', 'PASSPORT', 'PHONE'] } } },
    { field: 'Status/@date', ref: 'P-1', cleared: { 'suspect:P-1': { status_on: null } } },
    { field: 'TraffickingVictim', ref: 'P-1', cleared: { 'suspect:P-1': { trafficking_victim: false } } },
    { field: 'LocationRef', ref: 'P-1', cleared: { 'suspect:P-1': { den_id: null } } },
    { field: 'AmountUsd', ref: 'M-1', cleared: { 'fund:M-1': { amount_usd: expect.any(Number) } } },
    { field: 'Measure/@date', ref: 'M-1', cleared: { 'fund:M-1': { action_on: null } } },
    { field: 'Account', ref: 'M-1', cleared: { 'fund:M-1': { account_key: null, account_country: null } } },
    { field: 'Victims', ref: 'M-1', cleared: { 'fund:M-1': { victim_count: null } } },
    { field: 'LocationRef', ref: 'M-1', cleared: { 'fund:M-1': { den_id: null } } },
  ],
};

// ---- stix-2.1: a property missing vs null ------------------------------------------------------

const INF = 'infrastructure--0d6a1e49-0a0f-4f0e-9c4a-6d1a3c2a6b01';
const LOC = 'location--7c0b8f2e-6f4e-4a55-9d38-2b1f0c8d9e11';
const TA = 'threat-actor--3f5a0e7e-4c1b-4f5d-8e0c-2d9a6b7c8d01';
const FUND = 'x-liaison-intercepted-fund--9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c01';
const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';
const STAMP = { spec_version: '2.1', created: '2022-06-30T00:00:00.000Z', modified: '2022-06-30T00:00:00.000Z' };
const rel = (n: number, type: string, source: string, target: string) => ({
  type: 'relationship', id: `relationship--1b6f6b0e-1d0c-4f3e-8f0a-0c7b5b6a1a0${n}`, ...STAMP, relationship_type: type, source_ref: source, target_ref: target,
});
const STIX_OBJECTS = [
  { type: 'infrastructure', id: INF, ...STAMP, name: 'Compound A', x_liaison_kind: 'scam-den', x_liaison_den_type: 'INVESTMENT_ROMANCE',
    x_liaison_status: 'DISMANTLED', x_liaison_raided_on: '2022-06-15', x_liaison_devices_seized: 410, object_marking_refs: [GREEN] },
  { type: 'location', id: LOC, ...STAMP, country: 'PH', region: 'Pampanga', latitude: 15.18, longitude: 120.55 },
  rel(1, 'located-at', INF, LOC),
  { type: 'threat-actor', id: TA, ...STAMP, name: 'Juan Dela Cruz', threat_actor_types: ['criminal'], x_liaison_role: 'RECRUITER',
    x_liaison_status: 'ARRESTED', x_liaison_status_on: '2022-06-15', x_liaison_sex: 'M', x_liaison_nationality: 'PH',
    x_liaison_birth_date: '1988-12-01', x_liaison_trafficking_victim: true,
    x_liaison_identifiers: [{ type: 'PASSPORT', country: 'PH', value: 'P1234567A' }, { type: 'MESSENGER', value: 'telegram:@jdc_hr' }],
    object_marking_refs: [GREEN] },
  rel(2, 'uses', TA, INF),
  { type: 'x-liaison-intercepted-fund', id: FUND, ...STAMP, amount: '2500000.00', currency: 'PHP', amount_usd: '99999.99',
    channel: 'THIRD_PARTY_PAYMENT', action: 'STOP_PAYMENT', action_on: '2022-06-16',
    account: { type: 'BANK_ACCOUNT', country: 'PH', value: '001234567890' }, victim_count: 40, object_marking_refs: [GREEN] },
  rel(3, 'related-to', FUND, INF),
];

const stix: FormatSpec = {
  format: 'stix-2.1',
  file: (_agency, change) =>
    JSON.stringify({ type: 'bundle', id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d', objects: STIX_OBJECTS.map((o) => without(o, change, o.id)) }),
  cases: [
    { field: 'object_marking_refs', ref: INF, cleared: { [`den:${INF}`]: { sharing_level: 'AMBER' } } },
    { field: 'region', ref: LOC, cleared: { [`den:${INF}`]: { region: null } } },
    { field: 'latitude', ref: LOC, cleared: { [`den:${INF}`]: { geohash: null } } },
    { field: 'x_liaison_raided_on', ref: INF, cleared: { [`den:${INF}`]: { raided_on: null } } },
    { field: 'x_liaison_devices_seized', ref: INF, cleared: { [`den:${INF}`]: { devices_seized: null } } },
    { field: 'object_marking_refs', ref: TA, cleared: { [`suspect:${TA}`]: { sharing_level: 'AMBER' } } },
    { field: 'name', ref: TA, cleared: { [`suspect:${TA}`]: { selectorTypes: ['MESSENGER', 'PASSPORT'] } } },
    { field: 'x_liaison_birth_date', ref: TA, cleared: { [`suspect:${TA}`]: { birth_year: null, selectorTypes: ['MESSENGER', 'PASSPORT'] } } },
    { field: 'x_liaison_sex', ref: TA, cleared: { [`suspect:${TA}`]: { sex: 'UNKNOWN' } } },
    { field: 'x_liaison_nationality', ref: TA, cleared: { [`suspect:${TA}`]: { nationality: null } } },
    { field: 'x_liaison_identifiers', ref: TA, cleared: { [`suspect:${TA}`]: { selectorTypes: ['NAME_DOB'] } } },
    { field: 'x_liaison_status_on', ref: TA, cleared: { [`suspect:${TA}`]: { status_on: null } } },
    { field: 'x_liaison_trafficking_victim', ref: TA, cleared: { [`suspect:${TA}`]: { trafficking_victim: false } } },
    { field: 'object_marking_refs', ref: FUND, cleared: { [`fund:${FUND}`]: { sharing_level: 'AMBER' } } },
    { field: 'amount_usd', ref: FUND, cleared: { [`fund:${FUND}`]: { amount_usd: expect.any(Number) } } },
    { field: 'action_on', ref: FUND, cleared: { [`fund:${FUND}`]: { action_on: null } } },
    { field: 'account', ref: FUND, cleared: { [`fund:${FUND}`]: { account_key: null, account_country: null } } },
    { field: 'victim_count', ref: FUND, cleared: { [`fund:${FUND}`]: { victim_count: null } } },
  ],
};

const FORMATS = [esPnCsv, liaisonJson, cnMpsJson, umfXml, stix];

let f: IngestFixture;
let agencies = 0;
beforeAll(async () => {
  f = await createIngestFixture(['XX-LEAD']);
});
afterAll(() => f.close());

describe.each(FORMATS.map((spec) => [spec.format, spec] as const))('%s: absent is not null', (_format, spec) => {
  test.each(spec.cases.map((c) => [c.field, c.ref, c] as const))('%s of %s: left out keeps the stored value, empty clears it', async (_f, _r, c) => {
    const agency = await addParticipant(f, `AB-${++agencies}`);
    const full = await f.ingest(agency, spec.format, spec.file(agency, {}));
    expect(full.report.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(full.report.counts.rejected).toBe(0);
    const stored = await snapshot(f, agency);

    const left = await f.ingest(agency, spec.format, spec.file(agency, { omit: c.field, ref: c.ref }));
    expect(left.report.status).toBe('ACCEPTED');
    expect(left.report.counts).toMatchObject({ updated: 0, rejected: 0 });
    expect(await snapshot(f, agency)).toEqual(stored);

    if (c.cleared === null) return;
    const versions = await versionCount(f, agency);
    const emptied = await f.ingest(agency, spec.format, spec.file(agency, { empty: c.field, ref: c.ref }));
    expect(emptied.report.status).toBe('ACCEPTED');
    // Each record the empty field changed keeps its previous version in the history.
    expect(await versionCount(f, agency)).toBe(versions + Object.keys(c.cleared).length);
    const after = await snapshot(f, agency);
    for (const [key, columns] of Object.entries(c.cleared)) {
      expect(after[key], key).toMatchObject(columns as Record<string, unknown>);
      expect(after[key], key).not.toEqual(stored[key]);
    }
  });
});

test('the shipped es-pn-csv sample without its fecha column changes nothing (the reported blocker)', async () => {
  const agency = await addParticipant(f, 'ES-SAMPLE');
  const sample = await readFile(new URL('es-pn-csv.csv', SAMPLES_DIR), 'utf8');
  expect((await f.ingest(agency, 'es-pn-csv', sample)).report.counts.rejected).toBe(0);
  const stored = await snapshot(f, agency);
  const lines = sample.replace(/^\uFEFF/, '').split(/\r?\n/);
  const fecha = lines[0]!.split(';').indexOf('fecha');
  const withoutFecha = lines.map((line) => (line ? line.split(';').filter((_, i) => i !== fecha).join(';') : line)).join('\n');
  const second = await f.ingest(agency, 'es-pn-csv', withoutFecha);
  expect(second.report.status).toBe('ACCEPTED');
  expect(second.report.counts).toMatchObject({ updated: 0, unchanged: 7, rejected: 0 });
  expect(await snapshot(f, agency)).toEqual(stored);
  expect(stored['den:ES-C-001']).toMatchObject({ raided_on: expect.any(String) });
});
