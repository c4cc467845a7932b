// Shared set-up of the ingest tests (not shipped code): a fresh database with agencies, the
// operation FIRST-LIGHT-2022, the reference rates and a receipt signer; an `ingest` call with
// defaults; a logger that keeps every line in memory; and generators of partner files.
import { Writable } from 'node:stream';
import type { Database } from '../../kernel/db.ts';
import { createLogger, type Logger } from '../../kernel/logger.ts';
import { ingestSubmission, type IngestInput, type IngestResult } from '../../ingest/pipeline.ts';
import { ensureReferenceRates } from '../../ingest/rates.ts';
import { createReceiptSigner, type ReceiptSigner } from '../../ingest/receipts.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

export const PSEUDONYM_KEY = 'ingest-test-pseudonym-key-0123456789abcdef';
export const OPERATION = 'FIRST-LIGHT-2022';
export const SAMPLES_DIR = new URL('../../docs/examples/', import.meta.url);
export const NOW = new Date('2026-06-01T12:00:00Z');

export type Agency = { id: string; code: string };

/** The five shared samples and the agency that sends each (umf-xml names DE-BKA as its sender). */
export const SAMPLE_SENDERS = [
  { agency: 'ES-PN', format: 'es-pn-csv', file: 'es-pn-csv.csv' },
  { agency: 'CN-MPS', format: 'cn-mps-json', file: 'cn-mps-json.json' },
  { agency: 'DE-BKA', format: 'umf-xml', file: 'umf-xml.xml' },
  { agency: 'PH-NBI', format: 'stix-2.1', file: 'stix-2.1.json' },
  { agency: 'INTERPOL', format: 'liaison-json', file: 'liaison-json.json' },
] as const;

export type IngestFixture = {
  db: TestDatabase;
  signer: ReceiptSigner;
  agencies: Record<string, Agency>;
  operationId: string;
  logs: Record<string, unknown>[];
  log: Logger;
  ingest(agency: Agency, format: string, body: string | Uint8Array, options?: Partial<IngestInput>): Promise<IngestResult>;
  close(): Promise<void>;
};

export function memoryLogger(level = 'debug'): { log: Logger; lines: string[]; logs: Record<string, unknown>[] } {
  const lines: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line.trim()) continue;
        lines.push(line);
        logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { log: createLogger({ level, pretty: false, destination: sink }), lines, logs };
}

export async function* chunked(bytes: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export const bytesOf = (body: string | Uint8Array): Uint8Array => (typeof body === 'string' ? new TextEncoder().encode(body) : body);

export async function addAgency(db: Database, code: string, country = 'ES'): Promise<Agency> {
  const row = await db.prisma.agency.create({ data: { code, name: code, country, scopes: ['records:submit'] } });
  return { id: row.id, code: row.code };
}

/** A new agency taking part in the fixture's operation (tests use one each to stay apart). */
export async function addParticipant(f: IngestFixture, code: string): Promise<Agency> {
  const agency = await addAgency(f.db, code);
  await f.db.prisma.operationParticipant.create({ data: { operationId: f.operationId, agencyId: agency.id } });
  return agency;
}

/** A database with the given agencies; all but those in `outsiders` take part in FIRST-LIGHT-2022. */
export async function createIngestFixture(codes: string[], outsiders: string[] = []): Promise<IngestFixture> {
  const db = await createTestDatabase();
  const agencies: Record<string, Agency> = {};
  for (const code of [...codes, ...outsiders]) agencies[code] = await addAgency(db, code);
  const members = codes.map((c) => agencies[c]!);
  const operation = await db.prisma.operation.create({
    data: {
      code: OPERATION,
      name: 'First Light 2022',
      leadId: members[0]!.id,
      participants: { create: members.map((a) => ({ agencyId: a.id })) },
    },
  });
  await ensureReferenceRates(db.prisma);
  const signer = await createReceiptSigner(db.prisma, PSEUDONYM_KEY, () => NOW);
  const { log, logs } = memoryLogger();
  return {
    db,
    signer,
    agencies,
    operationId: operation.id,
    logs,
    log,
    ingest: (agency, format, body, options = {}) =>
      ingestSubmission({
        db,
        pseudonymKey: PSEUDONYM_KEY,
        agency,
        subject: 'officer-1',
        format,
        operationCode: OPERATION,
        mode: 'ATOMIC',
        dryRun: false,
        body: chunked(bytesOf(body)),
        maxBytes: 50 * 1024 * 1024,
        now: () => NOW,
        signer,
        log,
        ...options,
      }),
    close: () => db.close(),
  };
}

/** Row counts of the record tables, for "nothing stored" assertions. */
export async function tableCounts(db: Database): Promise<Record<string, number>> {
  const [row] = await db.prisma.$queryRaw<Record<string, number>[]>`
    SELECT (SELECT count(*) FROM scam_den)::int AS dens, (SELECT count(*) FROM suspect)::int AS suspects,
           (SELECT count(*) FROM selector)::int AS selectors, (SELECT count(*) FROM intercepted_fund)::int AS funds,
           (SELECT count(*) FROM submission)::int AS submissions, (SELECT count(*) FROM record_version)::int AS versions`;
  return row!;
}

// ---- generated partner files ----------------------------------------------------------------

export type LiaisonRecord = Record<string, unknown>;

export function liaisonJson(records: LiaisonRecord[], operation = OPERATION): string {
  return JSON.stringify({ format: 'liaison-json', version: 1, operation, records });
}

export const den = (ref: string, extra: LiaisonRecord = {}): LiaisonRecord => ({
  kind: 'scamDen',
  ref,
  country: 'KH',
  region: 'Sihanoukville',
  denType: 'CALL_CENTRE',
  status: 'RAIDED',
  raidedOn: '2022-06-10',
  devicesSeized: 12,
  ...extra,
});

export const suspect = (ref: string, passport: string, extra: LiaisonRecord = {}): LiaisonRecord => ({
  kind: 'suspect',
  ref,
  sex: 'M',
  nationality: 'CN',
  identifiers: [
    { type: 'PASSPORT', country: 'CN', value: passport },
    { type: 'PHONE', value: '+86 138 0013 8000' },
  ],
  role: 'MEMBER',
  status: 'ARRESTED',
  statusOn: '2022-06-10',
  traffickingVictim: false,
  ...extra,
});

export const fund = (ref: string, amount: string, currency: string, extra: LiaisonRecord = {}): LiaisonRecord => ({
  kind: 'interceptedFund',
  ref,
  amount,
  currency,
  channel: 'BANK_TRANSFER',
  action: 'FROZEN',
  actionOn: '2022-06-12',
  ...extra,
});

/** A liaison-json file of n records (1 suspect with 2 selectors each, dens every 50th). */
export function bigLiaisonJson(n: number, prefix = 'S'): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 50 === 0) parts.push(JSON.stringify(den(`${prefix}-D-${i}`)));
    else parts.push(JSON.stringify(suspect(`${prefix}-${i}`, `E${String(10_000_000 + i)}`, { denRef: `${prefix}-D-${i - (i % 50)}` })));
  }
  return `{"format":"liaison-json","version":1,"operation":"${OPERATION}","records":[${parts.join(',\n')}]}`;
}

const ES_HEADER =
  'tipo;referencia;nivel;pais;region;lat;lon;categoria;estado;fecha;dispositivos;nombre;apellidos;fecha_nacimiento;sexo;nacionalidad;pasaporte;dni_nie;telefonos;rol;victima_trata;centro_ref;importe;moneda;importe_usd;canal;medida;cuenta;cartera;victimas';

/** An es-pn-csv file of n records: a den every 50th row, else a suspect with passport + phone. */
export function bigEsPnCsv(n: number, prefix = 'ES'): string {
  const lines = [ES_HEADER];
  for (let i = 0; i < n; i++) {
    if (i % 50 === 0) lines.push(`CENTRO;${prefix}-C-${i};AMBAR;Camboya;Phnom Penh;;;INVERSION;REGISTRADO;02/05/2022;31;;;;;;;;;;;;;;;;;;;`);
    else {
      const phone = `6${String(10_000_000 + i).padStart(8, '0')}`;
      lines.push(
        `SOSPECHOSO;${prefix}-S-${i};VERDE;;;;;;DETENIDO;14/06/2022;;Nombre;Apellido;02/01/1990;H;CN;E${10_000_000 + i};;${phone};NUCLEO;NO;${prefix}-C-${i - (i % 50)};;;;;;;;`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A body that sends its first half, then waits for `release()`; `reading` resolves once it waits. */
export function heldBody(text: string) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const bytes = new TextEncoder().encode(text);
  const half = Math.floor(bytes.length / 2);
  let started!: () => void;
  const reading = new Promise<void>((resolve) => (started = resolve));
  async function* body() {
    yield bytes.subarray(0, half);
    started();
    await gate;
    yield bytes.subarray(half);
  }
  return { body: body(), release, reading };
}
