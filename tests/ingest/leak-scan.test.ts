// Anonymization at the door (docs/security.md; PRV-04, LOG-03 in docs/security-tests.md): every
// sample plus a generated corpus of planted identifiers is ingested (new, then updated so that
// history is written too, plus invalid records and invalid identifiers), every log line is
// kept, and then the whole database is dumped as text. No planted raw value, nor its
// normalized variants (E.164 phone, compact IBAN, lower-cased email, compact document number),
// may appear in the dump, the logs or the reports.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SubmissionReport } from '../../ingest/pipeline.ts';
import { createIngestFixture, liaisonJson, SAMPLE_SENDERS, SAMPLES_DIR, type IngestFixture } from './support.ts';

const CORPUS = 200;
const planted: string[] = [];
const plant = (...values: string[]) => {
  planted.push(...values);
  return values[0]!;
};

/** A valid German IBAN for an account number (ISO 13616 mod-97 check digits). */
function germanIban(account: number): string {
  const bban = `37040044${String(account).padStart(10, '0')}`;
  const check = 98n - (BigInt(`${bban}131400`) % 97n);
  return `DE${String(check).padStart(2, '0')}${bban}`;
}
const spaced = (s: string) => s.replace(/(.{4})/g, '$1 ').trim();

function corpus(round: number): string {
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < CORPUS; i++) {
    const tag = String(i).padStart(3, '0');
    const lat = (10 + i * 0.000137 + 0.000011).toFixed(6);
    const lon = (103 + i * 0.000291 + 0.000013).toFixed(6);
    plant(lat, lon);
    records.push({ kind: 'scamDen', ref: `D-${i}`, country: 'KH', lat: Number(lat), lon: Number(lon), denType: 'CALL_CENTRE', status: round === 0 ? 'ACTIVE' : 'RAIDED' });

    const given = plant(`Plantgiven${tag}`);
    const family = plant(`Zqxfamily${tag}`);
    plant(`${given} ${family}`);
    // Birth dates in the 1950s–70s: no other date the gateway stores is that old.
    const birth = `${1950 + (i % 25)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')}`;
    plant(birth, `${birth.slice(8, 10)}/${birth.slice(5, 7)}/${birth.slice(0, 4)}`);
    const passport = `PQ${9_100_000 + i}`;
    plant(`${passport.slice(0, 4)} ${passport.slice(4)}`, passport);
    const nid = plant(`ZN${7_300_000 + i}K`);
    const local = `6${String(71_000_000 + i)}`;
    plant(`+34 ${local.slice(0, 3)} ${local.slice(3, 6)} ${local.slice(6)}`, `+34${local}`);
    const email = plant(`Planted.User${tag}@Example.ORG`, `planted.user${tag}@example.org`);
    const handle = plant(`planted_handle_${tag}`);
    records.push({
      kind: 'suspect',
      ref: `S-${i}`,
      fullName: `${given} ${family}`,
      birthDate: birth,
      sex: 'F',
      nationality: 'CN',
      identifiers: [
        { type: 'PASSPORT', country: 'CN', value: `${passport.slice(0, 4)} ${passport.slice(4)}` },
        { type: 'NATIONAL_ID', country: 'ES', value: nid },
        { type: 'PHONE', value: `+34 ${local.slice(0, 3)} ${local.slice(3, 6)} ${local.slice(6)}` },
        { type: 'EMAIL', value: email },
        { type: 'MESSENGER', value: `telegram:@${handle}` },
      ],
      // Every 10th suspect is invalid in round 1: its identifiers must not leak through errors either.
      role: round === 1 && i % 10 === 0 ? 'GRAND_VIZIER' : 'MEMBER',
      status: round === 0 ? 'WANTED' : 'ARRESTED',
      traffickingVictim: false,
      denRef: `D-${i}`,
    });

    const iban = germanIban(5_320_130_000 + i);
    plant(spaced(iban), iban);
    const wallet = `0x${(0xabcdef0123 + i).toString(16).padStart(10, '0')}Cafe${'Be'.repeat(13)}`;
    plant(wallet, wallet.toLowerCase());
    const badIban = `${iban.slice(0, 2)}${iban.slice(2, 4) === '00' ? '01' : '00'}${iban.slice(4)}`;
    plant(spaced(badIban), badIban);
    records.push(
      { kind: 'interceptedFund', ref: `F-${i}`, amount: '100.00', currency: 'EUR', channel: 'BANK_TRANSFER', action: 'FROZEN', actionOn: '2022-06-12', account: { type: 'BANK_ACCOUNT', value: spaced(i % 7 === 0 ? badIban : iban) } },
      { kind: 'interceptedFund', ref: `W-${i}`, amount: '0.5', currency: 'ETH', channel: 'CRYPTO', action: 'SEIZED', actionOn: '2023-02-01', account: { type: 'CRYPTO_WALLET', ticker: 'ETH', value: wallet } },
    );
  }
  return liaisonJson(records);
}

/** Raw values of the shared samples, as written there and normalized. */
const SAMPLE_VALUES = [
  'E12345678', 'E 1234-5678', 'Li Wei', 'Zhang Li', 'García Pérez', 'Lucía', 'Nguyen Van An', 'C1234567', '+86 138 0013 8000',
  '+8613800138000', '13800138000', '6222020000000000000', '6222 0200 0000 0000 000', '110101199001020011', '320102198503080022',
  'zw_1990', 'EA7654321', '12345678Z', '+34 600 123 456', '+34600123456', '612345678', '699000111', '+34699000111',
  'ES91 2100 0418 4502 0005 1332', 'ES9121000418450200051332', 'TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE', 'C01X00T47', 'L01X00T47',
  '+49 151 23456789', '+4915123456789', 'max@example.org', 'DE89 3704 0044 0532 0130 00', 'DE89370400440532013000', 'Beispiel',
  'P1234567A', 'jdc_hr', '1990-01-02', '02/01/1990', '1991-03-04', '10.627', '103.522', '40.4168', '40,4168', '张伟',
];

let f: IngestFixture;
let corpusInput = '';
const reports: SubmissionReport[] = [];
const SENDERS = SAMPLE_SENDERS;

beforeAll(async () => {
  f = await createIngestFixture([...SENDERS.map((s) => s.agency), 'EUROPOL']);
  for (const sender of SENDERS) {
    const body = new Uint8Array(await readFile(new URL(sender.file, SAMPLES_DIR)));
    reports.push((await f.ingest(f.agencies[sender.agency]!, sender.format, body)).report);
    reports.push((await f.ingest(f.agencies[sender.agency]!, sender.format, body, { mode: 'PARTIAL', dryRun: true })).report);
  }
  const europol = f.agencies.EUROPOL!;
  const [first, second] = [corpus(0), corpus(1)];
  corpusInput = first + second;
  reports.push((await f.ingest(europol, 'liaison-json', first, { batchSize: 128 })).report);
  reports.push((await f.ingest(europol, 'liaison-json', second, { batchSize: 128, mode: 'PARTIAL' })).report);
  reports.push((await f.ingest(europol, 'liaison-json', second, { batchSize: 128 })).report); // ATOMIC: rejected
}, 120_000);
afterAll(async () => {
  await f?.close();
});

async function dumpDatabase(): Promise<string> {
  const tables = await f.db.prisma.$queryRaw<{ name: string }[]>`
    SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`;
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await f.db.prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT t::text AS row FROM "${name.replace(/"/g, '""')}" t`);
    parts.push(`-- ${name}\n${rows.map((r) => r.row).join('\n')}`);
  }
  return parts.join('\n');
}

test('the corpus was really stored, updated and partly rejected (the scan below is not vacuous)', async () => {
  const [corpusNew, corpusUpdate, corpusAtomic] = reports.slice(-3);
  expect(corpusNew!.counts).toMatchObject({ accepted: CORPUS * 4, rejected: 0 });
  expect(corpusUpdate!.counts).toMatchObject({ updated: CORPUS + CORPUS * 0.9, rejected: CORPUS / 10 });
  expect(corpusAtomic!.status).toBe('REJECTED');
  expect(corpusNew!.issues.filter((i) => i.code === 'INVALID_IDENTIFIER')).toHaveLength(Math.ceil(CORPUS / 7));
  expect(await f.db.prisma.recordVersion.count()).toBeGreaterThan(CORPUS);
  expect(await f.db.prisma.selector.count()).toBeGreaterThan(CORPUS * 5);
});

test('PRV-04/LOG-03: no planted raw identifier or normalized variant is in the database, the logs or the reports', async () => {
  const dump = await dumpDatabase();
  expect(dump.length).toBeGreaterThan(100_000);
  const haystacks = { database: dump, logs: JSON.stringify(f.logs), reports: JSON.stringify(reports) };
  const hits: string[] = [];
  for (const value of [...planted, ...SAMPLE_VALUES]) {
    for (const [where, text] of Object.entries(haystacks)) if (text.includes(value)) hits.push(`${where}: ${value}`);
  }
  expect(hits).toEqual([]);
  // The scan looks for values that were really sent: most planted strings are in the input as is.
  expect(planted.filter((v) => corpusInput.includes(v)).length).toBeGreaterThan(CORPUS * 10);
});
