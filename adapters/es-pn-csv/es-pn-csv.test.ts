import { describe, expect, it } from 'vitest';
import { issueKeys, issuesOf, readFixture, readSample, recordByRef, recordsOf, run } from '../test-support.ts';
import { esPnCsvAdapter } from './index.ts';
import { ES_PN_COLUMNS } from './map.ts';

const fixture = async (name: string) => run(esPnCsvAdapter, await readFixture('es-pn-csv', name));
const HEADER = ES_PN_COLUMNS.join(';');
const row = (cells: Partial<Record<(typeof ES_PN_COLUMNS)[number], string>>) => ES_PN_COLUMNS.map((c) => cells[c] ?? '').join(';');
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';
const centro = { tipo: 'CENTRO', referencia: 'C-9', pais: 'ES', categoria: 'OTRO', estado: 'ACTIVO' };
const sospechoso = { tipo: 'SOSPECHOSO', referencia: 'S-9', rol: 'MIEMBRO', estado: 'BUSCADO' };
const fondos = { tipo: 'FONDOS', referencia: 'F-9', importe: '1', canal: 'EFECTIVO', medida: 'BLOQUEO' };

describe('es-pn-csv adapter', () => {
  it('maps the shared sample with Spanish numbers and dd/mm/aaaa dates', async () => {
    const items = await run(esPnCsvAdapter, await readSample('es-pn-csv.csv'));
    expect(issuesOf(items)).toEqual([]);
    expect(recordsOf(items)).toHaveLength(7);
    expect(recordByRef(items, 'interceptedFund', 'ES-F-001')).toMatchObject({ amount: '1234567.89', amountUsd: '1382716.04', currency: 'EUR' });
    expect(recordByRef(items, 'scamDen', 'ES-C-001')).toMatchObject({ lat: 40.4168, lon: -3.7038, raidedOn: '2019-06-14', country: 'ES' });
  });

  it('maps every CENTRO column', async () => {
    const items = await fixture('valid.csv');
    expect(items.find((i) => i.kind === 'record')).toMatchObject({ line: 2 });
    expect(recordByRef(items, 'scamDen', 'ES-C-1')).toEqual({
      kind: 'scamDen', ref: 'ES-C-1', sharingLevel: 'AMBER', country: 'ES', region: 'Madrid', lat: 40.4168, lon: -3.7038,
      denType: 'CALL_CENTRE', status: 'DISMANTLED', raidedOn: '2019-06-14', devicesSeized: 1250,
    });
  });

  it('maps every SOSPECHOSO column, splitting telefonos on |', async () => {
    expect(recordByRef(await fixture('valid.csv'), 'suspect', 'ES-S-1')).toEqual({
      kind: 'suspect', ref: 'ES-S-1', sharingLevel: 'GREEN', fullName: 'Planted Persona', birthDate: '1990-01-02', sex: 'M', nationality: 'CN',
      identifiers: [
        { type: 'PASSPORT', value: 'PLANTED03', country: 'CN', field: 'pasaporte' },
        { type: 'NATIONAL_ID', value: 'PLANTED-DNI', country: 'ES', field: 'dni_nie' },
        { type: 'PHONE', value: '+34 PLANTED', country: 'ES', field: 'telefonos' },
        { type: 'PHONE', value: '612345678', country: 'ES', field: 'telefonos' },
      ],
      absentIdentifiers: ['EMAIL', 'MESSENGER', 'BANK_ACCOUNT', 'CRYPTO_WALLET', 'DEVICE_IMEI'],
      role: 'CORE_MEMBER', status: 'ARRESTED', statusOn: '2019-06-14', traffickingVictim: false, denRef: 'ES-C-1',
    });
  });

  it('maps every FONDOS column; cartera takes moneda as its ticker', async () => {
    const items = await fixture('valid.csv');
    expect(recordByRef(items, 'interceptedFund', 'ES-F-1')).toEqual({
      kind: 'interceptedFund', ref: 'ES-F-1', sharingLevel: 'AMBER', amount: '1234567.89', currency: 'EUR', amountUsd: '1382716.04',
      channel: 'BANK_TRANSFER', action: 'FROZEN', actionOn: '2019-06-18',
      account: { type: 'BANK_ACCOUNT', value: 'ES00 PLANTED', country: 'ES', field: 'cuenta' }, victimCount: 12, denRef: 'ES-C-1',
    });
    expect(recordByRef(items, 'interceptedFund', 'ES-F-2').account).toEqual({
      type: 'CRYPTO_WALLET', value: 'PLANTEDWALLET0000000000000000000', ticker: 'USDT', field: 'cartera',
    });
  });

  it('maps every value of the nivel, categoria, estado, rol, canal, medida, sexo and victima_trata tables', async () => {
    const cases: [Record<string, string>, string, string, Record<string, unknown>][] = [
      [centro, 'nivel', 'sharingLevel', { BLANCO: 'CLEAR', VERDE: 'GREEN', AMBAR: 'AMBER', ROJO: 'RED' }],
      [centro, 'categoria', 'denType', { CALL_CENTER: 'CALL_CENTRE', INVERSION: 'INVESTMENT_ROMANCE', ROMANCE: 'INVESTMENT_ROMANCE', TAREAS: 'BRUSHING_TASK', PRESTAMOS: 'LOAN', SEXTORSION: 'SEXTORTION', SUPLANTACION: 'IMPERSONATION', BLANQUEO: 'MONEY_LAUNDERING', OTRO: 'OTHER' }],
      [centro, 'estado', 'status', { SOSPECHOSO: 'SUSPECTED', ACTIVO: 'ACTIVE', REGISTRADO: 'RAIDED', DESMANTELADO: 'DISMANTLED' }],
      [sospechoso, 'estado', 'status', { BUSCADO: 'WANTED', DETENIDO: 'ARRESTED', ENTREGADO: 'SURRENDERED', PROCESADO: 'CHARGED', CONDENADO: 'CONVICTED', LIBERADO: 'RELEASED', REPATRIADO: 'REPATRIATED' }],
      [sospechoso, 'rol', 'role', { CABECILLA: 'ORGANIZER', NUCLEO: 'CORE_MEMBER', MIEMBRO: 'MEMBER', MULA: 'MONEY_MULE', CAPTADOR: 'RECRUITER', COLABORADOR: 'FACILITATOR', DESCONOCIDO: 'UNKNOWN' }],
      [sospechoso, 'sexo', 'sex', { H: 'M', M: 'F', X: 'X' }],
      [sospechoso, 'victima_trata', 'traffickingVictim', { SI: true, NO: false, sí: true }],
      [fondos, 'canal', 'channel', { TRANSFERENCIA: 'BANK_TRANSFER', PASARELA: 'THIRD_PARTY_PAYMENT', CUENTAS_PUENTE: 'SCORE_RUNNING', CRIPTO: 'CRYPTO', EFECTIVO: 'CASH', COMERCIO: 'TRADE_HEDGING', OTRO: 'OTHER' }],
      [fondos, 'medida', 'medida', { BLOQUEO: 'STOP_PAYMENT', CONGELACION: 'FROZEN', INCAUTACION: 'SEIZED', DEVOLUCION: 'RETURNED' }],
    ];
    for (const [base, column, field, table] of cases) {
      const rows = Object.keys(table).map((value, i) => row({ ...base, referencia: `R-${i}`, [column]: value }));
      const records = recordsOf(await run(esPnCsvAdapter, csv(...rows)));
      const key = field === 'medida' ? 'action' : field;
      expect(records.map((r) => (r as unknown as Record<string, unknown>)[key])).toEqual(Object.values(table));
    }
  });

  it('defaults moneda to EUR, leaves nivel out when its column is missing, and reads columns in any order', async () => {
    const text = 'medida;importe;referencia;canal;tipo\nBLOQUEO;"1.000,5";F-1;EFECTIVO;FONDOS\n';
    expect(recordsOf(await run(esPnCsvAdapter, text))).toEqual([
      { kind: 'interceptedFund', ref: 'F-1', amount: '1000.5', currency: 'EUR', channel: 'CASH', action: 'STOP_PAYMENT' },
    ]);
  });

  it('rejects an unknown value naming the column and line', async () => {
    expect(issuesOf(await fixture('unknown-value.csv'))).toEqual([
      {
        kind: 'issue', code: 'UNKNOWN_VALUE', severity: 'error', field: 'categoria', line: 2, ref: 'ES-C-1',
        allowed: ['CALL_CENTER', 'INVERSION', 'ROMANCE', 'TAREAS', 'PRESTAMOS', 'SEXTORSION', 'SUPLANTACION', 'BLANQUEO', 'OTRO'],
      },
    ]);
    expect(issueKeys(await run(esPnCsvAdapter, csv(row({ ...centro, tipo: 'VEHICULO' }))))).toEqual(['UNKNOWN_VALUE@tipo']);
  });

  it('rejects a date in the future and 31 February', async () => {
    expect(issueKeys(await fixture('future-date.csv'))).toEqual(['FUTURE_DATE@fecha']);
    expect(issueKeys(await fixture('invalid-date.csv'))).toEqual(['INVALID_DATE@fecha_nacimiento']);
  });

  it('rejects a number in English style and a negative amount', async () => {
    expect(issueKeys(await fixture('malformed-number.csv'))).toEqual(['MALFORMED_NUMBER@importe']);
    expect(issueKeys(await fixture('negative-amount.csv'))).toEqual(['OUT_OF_RANGE@importe']);
  });

  it('rejects a file without a required column, as a file error', async () => {
    expect(issuesOf(await fixture('missing-column.csv'))).toEqual([
      { kind: 'issue', code: 'MISSING_COLUMN', severity: 'error', field: 'tipo', line: 1 },
    ]);
  });

  it('reports a ragged row with its line and goes on', async () => {
    const items = await fixture('ragged-row.csv');
    expect(issuesOf(items)).toEqual([{ kind: 'issue', code: 'MALFORMED_ROW', severity: 'error', field: '(row)', line: 3 }]);
    expect(recordsOf(items).map((r) => r.ref)).toEqual(['ES-C-1', 'ES-C-2']);
  });

  it('rejects a duplicate referencia', async () => {
    expect(issuesOf(await fixture('duplicate-ref.csv'))).toMatchObject([{ code: 'DUPLICATE_REF', field: 'referencia', line: 3 }]);
  });

  it('ends the stream on an unbalanced quote', async () => {
    const items = await fixture('unbalanced-quote.csv');
    expect(recordsOf(items)).toHaveLength(1);
    expect(issueKeys(items)).toEqual(['MALFORMED_FILE@(file)']);
  });

  it('refuses a row over 64 KiB', async () => {
    expect(issueKeys(await run(esPnCsvAdapter, csv(row({ ...centro, region: 'x'.repeat(70_000) }))))).toEqual(['TOO_LARGE@(file)']);
  });

  it('refuses a UTF-16 file', async () => {
    const utf16 = new Uint8Array([0xff, 0xfe, ...[...'tipo;referencia\n'].flatMap((c) => [c.charCodeAt(0), 0])]);
    expect(issueKeys(await run(esPnCsvAdapter, utf16))).toEqual(['MALFORMED_FILE@(file)']);
  });

  it('counts lines across quoted multi-line cells and blank lines', async () => {
    const text = `${HEADER}\n${row({ ...centro, region: '"Madrid\nCentro"' })}\n\n${row({ ...centro, referencia: 'C-10', categoria: 'NADA' })}\n`;
    const items = await run(esPnCsvAdapter, text);
    expect(recordByRef(items, 'scamDen', 'C-9').region).toBe('Madrid\nCentro');
    expect(issuesOf(items)).toMatchObject([{ code: 'UNKNOWN_VALUE', line: 5 }]);
  });

  it('stores a formula-looking cell as plain data', async () => {
    const items = await run(esPnCsvAdapter, csv(row({ ...centro, region: '=HYPERLINK(x)' })));
    expect(recordByRef(items, 'scamDen', 'C-9').region).toBe('=HYPERLINK(x)');
  });

  it('names the delimiter of a comma-separated file instead of a missing column', async () => {
    const items = await run(esPnCsvAdapter, 'tipo,referencia,pais\nCENTRO,C-1,ES\n');
    expect(issuesOf(items)).toEqual([
      { kind: 'issue', code: 'WRONG_DELIMITER', severity: 'error', field: '(file)', line: 1, found: ',', expected: ';' },
    ]);
  });

  it('places a quote error at its line and cell', async () => {
    const items = await run(esPnCsvAdapter, `${HEADER}\nCENTRO;C-1;"AMBAR"x;ES\n`);
    expect(issuesOf(items)).toMatchObject([{ code: 'MALFORMED_FILE', field: '(file)', line: 2, column: 3 }]);
  });

  it('refuses the file when a column its rows need is missing, and only then', async () => {
    const withoutPais = 'tipo;referencia;categoria;estado;rol\nSOSPECHOSO;S-1;;BUSCADO;MIEMBRO\nCENTRO;C-1;OTRO;ACTIVO;\n';
    expect(issuesOf(await run(esPnCsvAdapter, withoutPais))).toEqual([
      { kind: 'issue', code: 'MISSING_COLUMN', severity: 'error', field: 'pais', line: 1 },
    ]);
    const suspectsOnly = 'tipo;referencia;estado;rol\nSOSPECHOSO;S-1;BUSCADO;MIEMBRO\n';
    expect(issuesOf(await run(esPnCsvAdapter, suspectsOnly))).toEqual([]);
  });
});
