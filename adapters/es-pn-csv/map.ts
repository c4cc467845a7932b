// es-pn-csv → shared records: one row of the Spanish national police CSV, its columns named
// as the partner names them, becomes a den (CENTRO), a suspect (SOSPECHOSO) or a fund (FONDOS)
// by `tipo`. Numbers are Spanish style (`1.234.567,89`, `10,627`), dates `dd/mm/aaaa`; `fecha`
// is raidedOn, statusOn or actionOn by row type; `moneda` defaults to EUR. Identifiers:
// `pasaporte` (with `nacionalidad`), `dni_nie` (ES), `telefonos` split on `|` (region ES),
// `cuenta` (IBAN, or an ES domestic account), `cartera` (ticker `moneda`).
import { HANDLING_CODES, type RawIdentifier } from '../contract.ts';
import { EVALUATION_CODES, readCodes } from '../shared/codes.ts';
import { parseCountry } from '../shared/countries.ts';
import { parseCurrency } from '../shared/currencies.ts';
import { matchValue, spellingsOf, valueTable } from '../shared/enums.ts';
import { amountParser, byTable, coordinateParser, countParser, dateParser, yesNoParser } from '../shared/field-parsers.ts';
import { absentIdentifierGroups, FieldReader, parseFreeText, type MapContext, type MapResult } from '../shared/fields.ts';
import { cleanText } from '../shared/text.ts';

export const ES_PN_COLUMNS = [
  'tipo', 'referencia', 'nivel', 'pais', 'region', 'lat', 'lon', 'categoria', 'estado', 'fecha', 'dispositivos',
  'nombre', 'apellidos', 'fecha_nacimiento', 'sexo', 'nacionalidad', 'pasaporte', 'dni_nie', 'telefonos', 'rol',
  'victima_trata', 'centro_ref', 'importe', 'moneda', 'importe_usd', 'canal', 'medida', 'cuenta', 'cartera', 'victimas',
  'tratamiento', 'nota_tratamiento', 'evaluacion', 'cotejable',
] as const;
export type EsPnColumn = (typeof ES_PN_COLUMNS)[number];
/** Without these a row cannot even say what it is: their absence is a file error. */
export const ES_PN_REQUIRED_COLUMNS: readonly EsPnColumn[] = ['tipo', 'referencia'];
/**
 * The columns a row of each tipo needs: a file holding such a row without one of these columns
 * is refused as a whole (MISSING_COLUMN), rather than every row of that tipo one by one.
 */
export const ES_PN_REQUIRED_BY_TIPO: Readonly<Record<string, readonly EsPnColumn[]>> = {
  CENTRO: ['pais', 'categoria', 'estado'],
  SOSPECHOSO: ['rol', 'estado'],
  FONDOS: ['importe', 'canal', 'medida'],
};

/** One CSV row by column name; a column the file lacks is undefined. */
export type EsPnRow = Partial<Record<EsPnColumn, string>>;

const TIPO = valueTable({ scamDen: ['CENTRO'], suspect: ['SOSPECHOSO'], interceptedFund: ['FONDOS'] });
const NIVEL = valueTable({ CLEAR: ['BLANCO'], GREEN: ['VERDE'], AMBER: ['AMBAR'], RED: ['ROJO'] });
const CATEGORIA = valueTable({
  CALL_CENTRE: ['CALL_CENTER'],
  INVESTMENT_ROMANCE: ['INVERSION', 'ROMANCE'],
  BRUSHING_TASK: ['TAREAS'],
  LOAN: ['PRESTAMOS'],
  SEXTORTION: ['SEXTORSION'],
  IMPERSONATION: ['SUPLANTACION'],
  MONEY_LAUNDERING: ['BLANQUEO'],
  OTHER: ['OTRO'],
});
const ESTADO_CENTRO = valueTable({
  SUSPECTED: ['SOSPECHOSO'],
  ACTIVE: ['ACTIVO'],
  RAIDED: ['REGISTRADO'],
  DISMANTLED: ['DESMANTELADO'],
});
const ESTADO_SOSPECHOSO = valueTable({
  WANTED: ['BUSCADO'],
  ARRESTED: ['DETENIDO'],
  SURRENDERED: ['ENTREGADO'],
  CHARGED: ['PROCESADO'],
  CONVICTED: ['CONDENADO'],
  RELEASED: ['LIBERADO'],
  REPATRIATED: ['REPATRIADO'],
});
const ROL = valueTable({
  ORGANIZER: ['CABECILLA'],
  CORE_MEMBER: ['NUCLEO'],
  MEMBER: ['MIEMBRO'],
  MONEY_MULE: ['MULA'],
  RECRUITER: ['CAPTADOR'],
  FACILITATOR: ['COLABORADOR'],
  UNKNOWN: ['DESCONOCIDO'],
});
const CANAL = valueTable({
  BANK_TRANSFER: ['TRANSFERENCIA'],
  THIRD_PARTY_PAYMENT: ['PASARELA'],
  SCORE_RUNNING: ['CUENTAS_PUENTE'],
  CRYPTO: ['CRIPTO'],
  CASH: ['EFECTIVO'],
  TRADE_HEDGING: ['COMERCIO'],
  OTHER: ['OTRO'],
});
const MEDIDA = valueTable({ STOP_PAYMENT: ['BLOQUEO'], FROZEN: ['CONGELACION'], SEIZED: ['INCAUTACION'], RETURNED: ['DEVOLUCION'] });
const SEXO = valueTable({ M: ['H'], F: ['M'], X: ['X'] });

const VICTIMA_TRATA = { yes: ['SI'], no: ['NO'] };
const victimaTrata = yesNoParser(VICTIMA_TRATA);
const COTEJABLE = { yes: ['SI'], no: ['NO'] };
const cotejable = yesNoParser(COTEJABLE);
const importe = amountParser('spanish');
const cuenta = countParser('spanish');

function rowBasics(r: FieldReader, row: EsPnRow, context: MapContext) {
  return {
    ref: r.ref('referencia', row.referencia),
    sharingLevel: r.sharing('nivel', row.nivel, byTable(NIVEL)),
    date: dateParser(r.today, ['dmy']),
    codes: readCodes(r, {
      handling: ['tratamiento', row.tratamiento],
      handlingNote: ['nota_tratamiento', row.nota_tratamiento],
      evaluation: ['evaluacion', row.evaluacion],
      matchable: ['cotejable', row.cotejable, cotejable],
    }),
  };
}

function mapCentro(row: EsPnRow, context: MapContext): MapResult {
  const r = new FieldReader(context);
  const { ref, sharingLevel, date, codes } = rowBasics(r, row, context);
  const required = {
    ref,
    country: r.need('pais', row.pais, parseCountry),
    denType: r.need('categoria', row.categoria, byTable(CATEGORIA)),
    status: r.need('estado', row.estado, byTable(ESTADO_CENTRO)),
  };
  const optional = {
    sharingLevel,
    ...codes,
    region: r.read('region', row.region, parseFreeText),
    lat: r.read('lat', row.lat, coordinateParser('lat', 'spanish')),
    lon: r.read('lon', row.lon, coordinateParser('lon', 'spanish')),
    raidedOn: r.read('fecha', row.fecha, date),
    devicesSeized: r.read('dispositivos', row.dispositivos, cuenta),
  };
  return r.finish(required, (values) => ({ kind: 'scamDen', ...values, ...optional }));
}

const present = (cell: string | undefined): cell is string => cell !== undefined && cleanText(cell) !== '';

function suspectIdentifiers(row: EsPnRow, nationality: string | undefined): RawIdentifier[] {
  const ids: RawIdentifier[] = [];
  if (present(row.pasaporte)) {
    ids.push({ type: 'PASSPORT', value: row.pasaporte, field: 'pasaporte', ...(nationality ? { country: nationality } : {}) });
  }
  if (present(row.dni_nie)) ids.push({ type: 'NATIONAL_ID', value: row.dni_nie, country: 'ES', field: 'dni_nie' });
  for (const phone of (row.telefonos ?? '').split('|').filter(present)) {
    ids.push({ type: 'PHONE', value: phone, country: 'ES', field: 'telefonos' });
  }
  return ids;
}

function mapSospechoso(row: EsPnRow, context: MapContext): MapResult {
  const r = new FieldReader(context);
  const { ref, sharingLevel, date, codes } = rowBasics(r, row, context);
  const required = {
    ref,
    role: r.need('rol', row.rol, byTable(ROL)),
    status: r.need('estado', row.estado, byTable(ESTADO_SOSPECHOSO)),
  };
  const nationality = r.read('nacionalidad', row.nacionalidad, parseCountry);
  // nombre and apellidos make one name: with either column missing the name is not known.
  const nameCarried = row.nombre !== undefined && row.apellidos !== undefined;
  const fullName = nameCarried ? [row.nombre, row.apellidos].filter(present).map(cleanText).join(' ') || null : undefined;
  const birthDate = r.read('fecha_nacimiento', row.fecha_nacimiento, date);
  const optional = {
    sharingLevel,
    ...codes,
    fullName,
    birthDate,
    sex: r.read('sexo', row.sexo, byTable(SEXO), { emptyAs: 'UNKNOWN' as const }),
    nationality,
    identifiers: suspectIdentifiers(row, nationality ?? undefined),
    absentIdentifiers: absentIdentifierGroups({
      // A passport is read with its nationality: without that column it cannot be, and stays as stored.
      PASSPORT: row.pasaporte !== undefined && row.nacionalidad !== undefined,
      NATIONAL_ID: row.dni_nie !== undefined,
      PHONE: row.telefonos !== undefined,
      NAME_DOB: nameCarried && row.fecha_nacimiento !== undefined,
    }),
    statusOn: r.read('fecha', row.fecha, date),
    traffickingVictim: r.flag('victima_trata', row.victima_trata, victimaTrata, false),
    denRef: r.read('centro_ref', row.centro_ref, parseFreeText),
  };
  return r.finish(required, (values) => ({ kind: 'suspect', ...values, ...optional }));
}

/** `cuenta` or `cartera`; both columns carried and empty: cleared; otherwise absent. */
function fundAccount(r: FieldReader, row: EsPnRow, currency: string): RawIdentifier | null | undefined {
  if (present(row.cuenta) && present(row.cartera)) r.report('cartera', 'UNSUPPORTED_IDENTIFIER', { severity: 'warning' });
  if (present(row.cuenta)) return { type: 'BANK_ACCOUNT', value: row.cuenta, country: 'ES', field: 'cuenta' };
  if (present(row.cartera)) return { type: 'CRYPTO_WALLET', value: row.cartera, ticker: currency, field: 'cartera' };
  // Columns run the whole file: an empty cartera cell beside a missing cuenta column says nothing of a bank account.
  return row.cuenta !== undefined && row.cartera !== undefined ? null : undefined;
}

function mapFondos(row: EsPnRow, context: MapContext): MapResult {
  const r = new FieldReader(context);
  const { ref, sharingLevel, date, codes } = rowBasics(r, row, context);
  const currency = r.read('moneda', row.moneda, parseCurrency) ?? 'EUR';
  const required = {
    ref,
    amount: r.need('importe', row.importe, importe),
    channel: r.need('canal', row.canal, byTable(CANAL)),
    action: r.need('medida', row.medida, byTable(MEDIDA)),
  };
  const optional = {
    sharingLevel,
    ...codes,
    currency,
    amountUsd: r.read('importe_usd', row.importe_usd, importe),
    actionOn: r.read('fecha', row.fecha, date),
    account: fundAccount(r, row, currency),
    victimCount: r.read('victimas', row.victimas, cuenta),
    denRef: r.read('centro_ref', row.centro_ref, parseFreeText),
  };
  return r.finish(required, (values) => ({ kind: 'interceptedFund', ...values, ...optional }));
}

/** The fixed lists of es-pn-csv, by column (the officer guide lists them). */
export const ES_PN_ALLOWED_VALUES: Readonly<Record<string, readonly string[]>> = {
  tipo: spellingsOf(TIPO),
  nivel: spellingsOf(NIVEL),
  categoria: spellingsOf(CATEGORIA),
  'estado (CENTRO)': spellingsOf(ESTADO_CENTRO),
  'estado (SOSPECHOSO)': spellingsOf(ESTADO_SOSPECHOSO),
  rol: spellingsOf(ROL),
  canal: spellingsOf(CANAL),
  medida: spellingsOf(MEDIDA),
  sexo: spellingsOf(SEXO),
  victima_trata: [...VICTIMA_TRATA.yes, ...VICTIMA_TRATA.no],
  tratamiento: HANDLING_CODES,
  evaluacion: EVALUATION_CODES,
  cotejable: [...COTEJABLE.yes, ...COTEJABLE.no],
};

const BY_TIPO = { scamDen: mapCentro, suspect: mapSospechoso, interceptedFund: mapFondos } as const;

/** Maps one row; `tipo` says which record it is. */
export function mapEsPnRow(row: EsPnRow, context: MapContext): MapResult {
  const tipo = matchValue(TIPO, row.tipo ?? '');
  if (tipo.ok) return BY_TIPO[tipo.value](row, context);
  const r = new FieldReader(context);
  r.ref('referencia', row.referencia);
  r.need('tipo', row.tipo, byTable(TIPO));
  return { issues: r.issues };
}
