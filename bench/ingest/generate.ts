// Deterministic partner files for the ingest benchmark, one writer per registered format (the
// list comes from the adapter registry, adapters/index.ts; layoutOf() refuses a format it has no
// writer for, so a new adapter shows up here as a loud error, not as a silent gap). Every record is ONE suspect with exactly two identifiers,
// a passport and a mobile phone, so the pipeline stores one suspect row and two selector rows
// per record (no name: with a birth date it would add a NAME_DOB selector). Values are
// realistic and unique: refs are numbered, passports follow each country's shape, phones are
// valid mobile numbers of the suspect's nationality (checked with the gateway's own
// normalizePhone by selfCheck()), each number derived from the record index by a bijection,
// so no two records share a selector (nor two files written from disjoint `firstIndex` ranges).
// The same (format, count, seed, agency, firstIndex) gives the same bytes. Files go to a temp
// directory and are never committed.
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { ADAPTER_FORMATS } from '../../adapters/index.ts';
import { normalizePhone } from '../../adapters/shared/identifiers.ts';
import type { SharingLevel, SuspectRole, SuspectStatus } from '../../prisma/generated/client/enums.ts';
import { seededRandom as prng } from '../../api/cli/seed/generate.ts';

export const BENCH_FORMATS = ADAPTER_FORMATS;
export type BenchFormat = (typeof BENCH_FORMATS)[number];

export type GenerateOptions = {
  format: BenchFormat;
  count: number;
  /** The submitting agency (umf-xml's `sender` must equal it). */
  agencyCode: string;
  operationCode: string;
  seed: number;
  /** Pretty-printed layout (one field per line) where the format allows it: bigger files, same records. */
  pretty?: boolean;
  /**
   * The index the file's identifiers start from (default 0). Files written from disjoint index
   * ranges share no passport or phone, so that one file's records never link to another's.
   */
  firstIndex?: number;
};

/** One suspect: the raw values every format writes in its own way. */
export type SuspectValues = {
  index: number;
  nationality: Country;
  passport: string;
  /** International form, e.g. `+34 612 345 678`. */
  phone: string;
  /** National digits only, e.g. `612345678` (formats whose default region is the nationality). */
  phoneNational: string;
  birthDate: string; // YYYY-MM-DD
  statusOn: string; // YYYY-MM-DD
  sex: 'M' | 'F';
  role: (typeof ROLES)[number];
  status: (typeof STATUSES)[number];
  sharing: (typeof LEVELS)[number];
  victim: boolean;
  name: string;
};

type Country = 'CN' | 'ES' | 'PH' | 'VN' | 'TH';

/** Mobile ranges that libphonenumber-js (max metadata) takes as valid; 7 free digits each. */
const PHONES: Record<Country, { cc: string; prefixes: string[]; group: (n: string) => string }> = {
  CN: { cc: '86', prefixes: ['1380', '1391', '1502', '1863'], group: (n) => `${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}` },
  ES: { cc: '34', prefixes: ['61', '62', '65', '69'], group: (n) => `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` },
  PH: { cc: '63', prefixes: ['917', '918', '927'], group: (n) => `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` },
  VN: { cc: '84', prefixes: ['91', '98'], group: (n) => `${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5)}` },
  TH: { cc: '66', prefixes: ['81', '89'], group: (n) => `${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5)}` },
};
const COUNTRIES: Country[] = ['CN', 'ES', 'PH', 'VN', 'TH'];
// Subsets chosen for the benchmark, typed by the database enums so a misspelt value fails tsc.
const ROLES = ['MEMBER', 'CORE_MEMBER', 'MONEY_MULE', 'RECRUITER', 'ORGANIZER'] as const satisfies readonly SuspectRole[];
const STATUSES = ['ARRESTED', 'WANTED', 'CHARGED', 'REPATRIATED'] as const satisfies readonly SuspectStatus[];
const LEVELS = ['AMBER', 'GREEN', 'RED'] as const satisfies readonly SharingLevel[];
const GIVEN = ['Wei', 'Lucia', 'Minh', 'Somchai', 'Maria', 'Jun', 'Carlos', 'Anh', 'Jose', 'Mei'];
const FAMILY = ['Zhang', 'Garcia', 'Nguyen', 'Saetang', 'Santos', 'Li', 'Perez', 'Tran', 'Reyes', 'Chen'];

/** k ↦ a distinct `digits`-digit number for every k < 10^digits (multiplier prime, coprime to 10). */
const scramble = (k: number, digits: number, salt: number) => {
  const m = 10 ** digits;
  return String((k * 7_919 + salt) % m).padStart(digits, '0');
};
const pad2 = (n: number) => String(n).padStart(2, '0');
const LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';

/** `k` is the index among the suspects of this nationality: the digits are unique per country. */
function passportOf(country: Country, k: number): string {
  const letter = LETTERS[k % LETTERS.length]!;
  switch (country) {
    case 'CN':
      return `E${scramble(k, 8, 31_337)}`; // E + 8 digits
    case 'ES':
      return `PA${letter}${scramble(k, 6, 4_242)}`; // 3 letters + 6 digits
    case 'PH':
      return `P${scramble(k, 7, 777)}${letter}`; // P + 7 digits + letter
    case 'VN':
      return `C${scramble(k, 7, 1_001)}`; // C + 7 digits
    case 'TH':
      return `A${letter}${scramble(k, 7, 5_150)}`; // 2 letters + 7 digits
  }
}

export function suspectValues(index: number, random: () => number): SuspectValues {
  const nationality = COUNTRIES[index % COUNTRIES.length]!;
  const k = Math.floor(index / COUNTRIES.length); // index among this nationality's suspects
  const phone = PHONES[nationality];
  const prefix = phone.prefixes[k % phone.prefixes.length]!;
  // (prefix, 7 free digits) is unique per k: up to 10^7 suspects per prefix.
  const national = `${prefix}${scramble(Math.floor(k / phone.prefixes.length), 7, 2_718_281)}`;
  const year = 1965 + Math.floor(random() * 40);
  const statusMonth = 1 + Math.floor(random() * 12);
  return {
    index,
    nationality,
    passport: passportOf(nationality, k),
    phone: `+${phone.cc} ${phone.group(national)}`,
    phoneNational: national,
    birthDate: `${year}-${pad2(1 + Math.floor(random() * 12))}-${pad2(1 + Math.floor(random() * 28))}`,
    statusOn: `${2021 + Math.floor(random() * 3)}-${pad2(statusMonth)}-${pad2(1 + Math.floor(random() * 28))}`,
    sex: random() < 0.8 ? 'M' : 'F',
    role: ROLES[Math.floor(random() * ROLES.length)]!,
    status: STATUSES[Math.floor(random() * STATUSES.length)]!,
    sharing: LEVELS[Math.floor(random() * LEVELS.length)]!,
    victim: random() < 0.05,
    name: `${GIVEN[Math.floor(random() * GIVEN.length)]!} ${FAMILY[Math.floor(random() * FAMILY.length)]!}`,
  };
}

/** Each generated phone must be one the gateway keeps (else the bench would measure dropped selectors). */
export function selfCheck(samples = 2_000): void {
  const random = prng(1);
  for (let i = 0; i < samples; i++) {
    const v = suspectValues(i * 37, random);
    if (!normalizePhone(v.phone, v.nationality) || !normalizePhone(v.phoneNational, v.nationality)) {
      throw new Error(`generator: phone for ${v.nationality} index ${v.index} is not valid for libphonenumber-js`);
    }
  }
}

// ---- one writer per format: head, record(i), separator, tail -------------------------------

type Layout = { head: string; record: (v: SuspectValues, ref: string) => string; separator: string; tail: string; ref: (i: number) => string };

const num6 = (i: number) => String(i + 1).padStart(6, '0');
const dmy = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
/** A deterministic UUID v4 shape for STIX ids. */
const uuidOf = (i: number, salt: string) => `${salt}-0000-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`;
const json = (value: unknown, pretty: boolean) => (pretty ? JSON.stringify(value, null, 2).replace(/^/gm, '    ') : JSON.stringify(value));

const CN_NAMES: Record<Country, string> = { CN: '中国', ES: '西班牙', PH: '菲律宾', VN: '越南', TH: '泰国' };
const CN_ROLES: Record<SuspectValues['role'], string> = { MEMBER: '成员', CORE_MEMBER: '骨干', MONEY_MULE: '车手', RECRUITER: '招募人员', ORGANIZER: '头目' };
const CN_STATUS: Record<SuspectValues['status'], string> = { ARRESTED: '抓获', WANTED: '在逃', CHARGED: '起诉', REPATRIATED: '遣返' };
const CN_LEVEL: Record<SuspectValues['sharing'], string> = { AMBER: '琥珀', GREEN: '绿色', RED: '红色' };
const ES_ROLES: Record<SuspectValues['role'], string> = { MEMBER: 'MIEMBRO', CORE_MEMBER: 'NUCLEO', MONEY_MULE: 'MULA', RECRUITER: 'CAPTADOR', ORGANIZER: 'CABECILLA' };
const ES_STATUS: Record<SuspectValues['status'], string> = { ARRESTED: 'DETENIDO', WANTED: 'BUSCADO', CHARGED: 'PROCESADO', REPATRIATED: 'REPATRIADO' };
const ES_LEVEL: Record<SuspectValues['sharing'], string> = { AMBER: 'AMBAR', GREEN: 'VERDE', RED: 'ROJO' };
const STIX_TLP2: Record<SuspectValues['sharing'], string> = {
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};
const ES_COLUMNS = [
  'tipo', 'referencia', 'nivel', 'pais', 'region', 'lat', 'lon', 'categoria', 'estado', 'fecha', 'dispositivos', 'nombre', 'apellidos',
  'fecha_nacimiento', 'sexo', 'nacionalidad', 'pasaporte', 'dni_nie', 'telefonos', 'rol', 'victima_trata', 'centro_ref', 'importe',
  'moneda', 'importe_usd', 'canal', 'medida', 'cuenta', 'cartera', 'victimas',
] as const;

function layoutOf(o: GenerateOptions): Layout {
  const pretty = o.pretty ?? false;
  const nl = pretty ? '\n' : '';
  switch (o.format) {
    case 'liaison-json':
      return {
        head: `{"format":"liaison-json","version":1,"operation":${JSON.stringify(o.operationCode)},"records":[${nl}`,
        ref: (i) => `LJ-S-${num6(i)}`,
        record: (v, ref) =>
          json(
            {
              kind: 'suspect', ref, sharingLevel: v.sharing, birthDate: v.birthDate, sex: v.sex, nationality: v.nationality,
              identifiers: [
                { type: 'PASSPORT', country: v.nationality, value: v.passport },
                { type: 'PHONE', value: v.phone },
              ],
              role: v.role, status: v.status, statusOn: v.statusOn, traffickingVictim: v.victim,
            },
            pretty,
          ),
        separator: `,\n`,
        tail: `${nl}]}\n`,
      };
    case 'cn-mps-json':
      return {
        head: `{"报送单位":"公安部刑事侦查局","行动代号":${JSON.stringify(o.operationCode)},"共享级别":"琥珀","嫌疑人":[${nl}`,
        ref: (i) => `XYR-${num6(i)}`,
        record: (v, ref) =>
          json(
            {
              编号: ref, 性别: v.sex === 'M' ? '男' : '女', 出生日期: v.birthDate, 国籍: CN_NAMES[v.nationality], 护照号: v.passport,
              // The default region of 手机号 is CN: Chinese numbers come national, others international.
              手机号: [v.nationality === 'CN' ? v.phoneNational : v.phone],
              角色: CN_ROLES[v.role], 状态: CN_STATUS[v.status], 状态日期: v.statusOn.replace(/-/g, '/'), 是否被拐骗: v.victim,
              共享级别: CN_LEVEL[v.sharing],
            },
            pretty,
          ),
        separator: `,\n`,
        tail: `${nl}]}\n`,
      };
    case 'es-pn-csv': {
      const at = new Map(ES_COLUMNS.map((c, i) => [c, i]));
      return {
        head: `\uFEFF${ES_COLUMNS.join(';')}\n`,
        ref: (i) => `ES-S-${num6(i)}`,
        record: (v, ref) => {
          const cells: string[] = new Array<string>(ES_COLUMNS.length).fill('');
          const set = (c: (typeof ES_COLUMNS)[number], value: string) => (cells[at.get(c)!] = value);
          set('tipo', 'SOSPECHOSO');
          set('referencia', ref);
          set('nivel', ES_LEVEL[v.sharing]);
          set('estado', ES_STATUS[v.status]);
          set('fecha', dmy(v.statusOn));
          set('fecha_nacimiento', dmy(v.birthDate));
          set('sexo', v.sex === 'M' ? 'H' : 'M');
          set('nacionalidad', v.nationality);
          set('pasaporte', v.passport);
          // Default region of telefonos is ES: Spanish numbers come national, others international.
          set('telefonos', v.nationality === 'ES' ? v.phoneNational : v.phone);
          set('rol', ES_ROLES[v.role]);
          set('victima_trata', v.victim ? 'SI' : 'NO');
          return cells.join(';');
        },
        separator: '\n',
        tail: '\n',
      };
    }
    case 'umf-xml': {
      const ind = pretty ? '\n    ' : '';
      return {
        head: `<?xml version="1.0" encoding="UTF-8"?>\n<Message xmlns="urn:liaison:umf:1" sender="${o.agencyCode}" operation="${o.operationCode}" defaultMarking="TLP:AMBER">\n`,
        ref: (i) => `P-${num6(i)}`,
        record: (v, ref) =>
          `  <Person id="${ref}" marking="TLP:${v.sharing}">${ind}<BirthDate>${v.birthDate}</BirthDate>${ind}<Sex>${v.sex}</Sex>` +
          `${ind}<Nationality>${v.nationality}</Nationality>${ind}<Document type="PASSPORT" country="${v.nationality}">${v.passport}</Document>` +
          `${ind}<Phone>${v.phone}</Phone>${ind}<Role>${v.role}</Role>${ind}<Status date="${v.statusOn}">${v.status}</Status>` +
          `${ind}<TraffickingVictim>${v.victim}</TraffickingVictim>${pretty ? '\n  ' : ''}</Person>`,
        separator: '\n',
        tail: '\n</Message>\n',
      };
    }
    case 'stix-2.1':
      return {
        head: `{"type":"bundle","id":"bundle--${uuidOf(o.seed, '5d0092c5')}","objects":[${nl}`,
        ref: (i) => `threat-actor--${uuidOf(i, '3f5a0e7e')}`,
        record: (v, ref) =>
          json(
            {
              type: 'threat-actor', spec_version: '2.1', id: ref, created: '2023-01-01T00:00:00.000Z', modified: '2023-01-01T00:00:00.000Z',
              // A name without a birth date: no NAME_DOB selector, two selectors as in the other formats.
              name: v.name, threat_actor_types: ['criminal'], x_liaison_role: v.role, x_liaison_status: v.status,
              x_liaison_status_on: v.statusOn, x_liaison_sex: v.sex, x_liaison_nationality: v.nationality,
              x_liaison_trafficking_victim: v.victim,
              x_liaison_identifiers: [
                { type: 'PASSPORT', country: v.nationality, value: v.passport },
                { type: 'PHONE', value: v.phone },
              ],
              object_marking_refs: [STIX_TLP2[v.sharing]],
            },
            pretty,
          ),
        separator: `,\n`,
        tail: `${nl}]}\n`,
      };
    default:
      throw new Error(`bench: no file writer for format ${o.format} (bench/ingest/generate.ts, layoutOf)`);
  }
}

/** Writes the file; answers its size in bytes. */
export async function generateFile(path: string, options: GenerateOptions): Promise<number> {
  const layout = layoutOf(options);
  const random = prng(options.seed);
  const out = createWriteStream(path);
  let buffer = layout.head;
  for (let i = 0; i < options.count; i++) {
    const values = suspectValues((options.firstIndex ?? 0) + i, random);
    buffer += (i > 0 ? layout.separator : '') + layout.record(values, layout.ref(i));
    if (buffer.length >= 1 << 16) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer + layout.tail);
  await once(out, 'finish');
  return (await stat(path)).size;
}

/** Bytes per record of a format's layout, from a small sample (to size the RSS files). */
export async function bytesPerRecord(dir: string, options: Omit<GenerateOptions, 'count'>): Promise<number> {
  const sample = 2_000;
  const size = await generateFile(`${dir}/sample-${options.format}.tmp`, { ...options, count: sample });
  return size / sample;
}
