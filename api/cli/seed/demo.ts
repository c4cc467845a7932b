// Demo data for `npm start` on a fresh machine, seeded once: the agencies that send the five
// samples of docs/examples, with their private keys written to <data dir>/demo-keys/ (so a
// newcomer can mint tokens), the joint operation the samples name, and a few dozen generated
// records of every type and sharing level. PH-NBI is deliberately not a participant of that
// operation, so the sharing rules show; it sends the STIX sample (which names no operation)
// to an operation of its own.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { registerAgency } from '../../agencies.ts';
import { generateAgencyKeyPair } from '../../auth/keys.ts';
import type { Database } from '../../../kernel/db.ts';
import { addOperationParticipant, createOperation } from '../../../schema/operations.ts';
import { generateRecords } from './generate.ts';

export const DEMO_OPERATION = 'FIRST-LIGHT-2022';
/** PH-NBI's own operation, where it sends the STIX sample. */
export const DEMO_PH_OPERATION = 'NBI-CYBER-2022';

export const DEMO_AGENCIES = [
  { code: 'ES-PN', name: 'Policía Nacional (Spain)', country: 'ES' },
  { code: 'CN-MPS', name: 'Ministry of Public Security, Criminal Investigation (China)', country: 'CN' },
  { code: 'PH-NBI', name: 'National Bureau of Investigation, Cybercrime Division (Philippines)', country: 'PH' },
  { code: 'DE-BKA', name: 'Bundeskriminalamt (Germany)', country: 'DE' },
] as const;

/** Besides its lead ES-PN; PH-NBI stays outside. */
const FIRST_LIGHT_PARTICIPANTS: readonly string[] = ['CN-MPS', 'DE-BKA'];

const ALL_SCOPES = ['records:read', 'records:submit', 'match:query', 'operations:manage'] as const;

export type DemoInfo = { seeded: boolean; keyDir: string; operation: string; agencies: string[] };

/** Who sends each sample of docs/examples on the demo, and to which operation. */
export const DEMO_SAMPLE_SENDS = [
  { file: 'es-pn-csv.csv', format: 'es-pn-csv', agency: 'ES-PN', operation: DEMO_OPERATION },
  { file: 'cn-mps-json.json', format: 'cn-mps-json', agency: 'CN-MPS', operation: DEMO_OPERATION },
  { file: 'umf-xml.xml', format: 'umf-xml', agency: 'DE-BKA', operation: DEMO_OPERATION },
  { file: 'liaison-json.json', format: 'liaison-json', agency: 'CN-MPS', operation: DEMO_OPERATION },
  { file: 'stix-2.1.json', format: 'stix-2.1', agency: 'PH-NBI', operation: DEMO_PH_OPERATION },
] as const;

export async function seedDemo(options: { db: Database; dataDir: string; pseudonymKey: string }): Promise<DemoInfo> {
  const { prisma } = options.db;
  const keyDir = join(options.dataDir, 'demo-keys');
  const info = { keyDir, operation: DEMO_OPERATION, agencies: DEMO_AGENCIES.map((a) => a.code) };
  await mkdir(keyDir, { recursive: true, mode: 0o700 });
  const addAgency = async (agency: (typeof DEMO_AGENCIES)[number]) => {
    const pair = await generateAgencyKeyPair({ kid: `${agency.code.toLowerCase()}-demo-1` });
    await writeFile(join(keyDir, `${agency.code}.private.jwk.json`), `${JSON.stringify(pair.privateJwk, null, 2)}\n`, {
      mode: 0o600,
    });
    await writeFile(join(keyDir, `${agency.code}.jwks.json`), `${JSON.stringify(pair.jwks, null, 2)}\n`);
    const created = await registerAgency(prisma, { ...agency, jwks: pair.jwks, scopes: [...ALL_SCOPES] });
    return { id: created.id, code: created.code };
  };
  const phOperation = { code: DEMO_PH_OPERATION, name: 'NBI cybercrime sweep 2022 (demo)', lead: 'PH-NBI' };

  if (await prisma.agency.findUnique({ where: { code: DEMO_AGENCIES[0].code }, select: { id: true } })) {
    // A demo seeded by an earlier release lacks the agencies and operation added since.
    const present = new Set((await prisma.agency.findMany({ select: { code: true } })).map((a) => a.code));
    for (const agency of DEMO_AGENCIES.filter((a) => !present.has(a.code))) {
      await addAgency(agency);
      if (FIRST_LIGHT_PARTICIPANTS.includes(agency.code)) {
        await addOperationParticipant(prisma, DEMO_OPERATION, agency.code);
      }
    }
    if (!(await prisma.operation.findFirst({ where: { code: DEMO_PH_OPERATION, lead: { code: phOperation.lead } }, select: { id: true } }))) {
      await createOperation(prisma, phOperation);
    }
    return { seeded: false, ...info };
  }

  const owners: { id: string; code: string }[] = [];
  for (const agency of DEMO_AGENCIES) owners.push(await addAgency(agency));

  const operation = await createOperation(prisma, {
    code: DEMO_OPERATION,
    name: 'First Light 2022 (demo)',
    lead: 'ES-PN',
    participants: [...FIRST_LIGHT_PARTICIPANTS],
    startsOn: '2022-03-01',
    endsOn: '2022-09-30',
  });
  await createOperation(prisma, phOperation);
  const [esPn, cnMps, phNbi] = owners as [(typeof owners)[0], (typeof owners)[0], (typeof owners)[0]];
  await generateRecords(prisma, {
    seed: 2022,
    pseudonymKey: options.pseudonymKey,
    owners: [esPn, cnMps],
    operationId: operation.id,
    dens: 12,
    suspects: 30,
    funds: 24,
    sharedPersonRate: 0.3,
    refPrefix: 'DEMO',
  });
  await generateRecords(prisma, {
    seed: 7,
    pseudonymKey: options.pseudonymKey,
    owners: [phNbi],
    operationId: null,
    dens: 4,
    suspects: 8,
    funds: 6,
    refPrefix: 'DEMO-PH',
  });
  return { seeded: true, ...info };
}
