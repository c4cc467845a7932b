// What the isolation and soak benchmarks' gateway holds before it is measured, and the contract between
// bench/isolation/run.ts (or bench/soak/run.ts) and its gateway child (bench/servers/service.ts). The child sets the
// database up itself, PostgreSQL or its own PGlite alike: agency A (the lead, whose fixed read is
// measured) and B (the participant that floods, trickles and uploads), with the public
// keys the parent generated, one operation they share, and generated records of both.
import { registerAgency } from '../../api/agencies.ts';
import type { AgencyKeyPair } from '../../api/auth/keys.ts';
import { generateRecords } from '../../api/cli/seed/generate.ts';
import type { Database } from '../../kernel/db.ts';
import { createOperation } from '../../schema/operations.ts';

export const OPERATION_CODE = 'BENCH-ISOLATION';
/** Agency A's fixed read and B's pressure are made by these two. */
export const AGENCY_A = { code: 'ES-PN', name: 'Policía Nacional (isolation bench)', country: 'ES' } as const;
/** B is also umf-xml's `sender` of the big upload. */
export const AGENCY_B = { code: 'CN-MPS', name: 'Ministry of Public Security (isolation bench)', country: 'CN' } as const;
/**
 * B's other faces in the isolation bench: the same kind of partner under its own code for each
 * case, so every case starts with B's whole allowance rather than what the case before left.
 */
export const AGENCY_B_FLOOD = { code: 'VN-MPS', name: 'Ministry of Public Security VN (isolation bench)', country: 'VN' } as const;
export const AGENCY_B_COSTLY = { code: 'TH-RTP', name: 'Royal Thai Police (isolation bench)', country: 'TH' } as const;

export type BenchAgencyEntry = { code: string; name: string; country: string };

/** Environment variable carrying the child's IsolationSetup as JSON. */
export const SETUP_ENV = 'BENCH_ISOLATION_SETUP';

export type IsolationSetup = {
  /** PostgreSQL (a fresh database the parent created) or a PGlite directory of the child's own. */
  database: { url: string } | { dataDir: string };
  pseudonymKey: string;
  /** The agencies, the operation's lead first, then its participants. */
  agencies: BenchAgencyEntry[];
  /** Public JWKS of each agency, by code. */
  jwks: Record<string, AgencyKeyPair['jwks']>;
  records: { dens: number; suspects: number; funds: number; seed: number };
  /** LIAISON_* settings of the gateway under test (limits), as the operator would set them. */
  settings: Record<string, string>;
  /** Each agency's match quota per day, when the default would end a long run's matches. */
  matchQuotaPerDay?: number;
  /** Per-agency limits the operator sets (`liaison agency limits`), by agency code. */
  limits?: Record<string, { requestsPerMinute?: number; costPerMinute?: number }>;
};

export async function setupIsolationDatabase(db: Database, setup: IsolationSetup): Promise<void> {
  await db.migrate();
  const owners: { id: string; code: string }[] = [];
  for (const agency of setup.agencies) {
    const jwks = setup.jwks[agency.code];
    if (!jwks) throw new Error(`bench: no JWKS for ${agency.code}`);
    const row = await registerAgency(db.prisma, { ...agency, jwks, scopes: ['records:read', 'records:submit', 'match:query'] });
    const limits = setup.limits?.[agency.code] ?? {};
    await db.prisma.agency.update({ where: { id: row.id }, data: { matchQuotaPerDay: setup.matchQuotaPerDay ?? null, ...limits } });
    owners.push({ id: row.id, code: row.code });
  }
  const operation = await createOperation(db.prisma, {
    code: OPERATION_CODE,
    name: 'Isolation bench operation',
    lead: setup.agencies[0]!.code,
    participants: setup.agencies.slice(1).map((a) => a.code),
    startsOn: '2024-01-01',
  });
  await generateRecords(db.prisma, { ...setup.records, pseudonymKey: setup.pseudonymKey, owners, operationId: operation.id });
  if (db.kind === 'postgres') {
    await db.prisma.$executeRawUnsafe('VACUUM (ANALYZE) scam_den, suspect, intercepted_fund, selector, operation_participant, agency');
  }
}
