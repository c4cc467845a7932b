// The leak scan of governed linkage (MAT-04, MAT-14, PRV-09): everything the gateway keeps or
// writes about a match, a watch or a disclosure — the audit chain, the events outbox, stored
// hits, disclosure requests and grants, watches and their selectors, every log line — plus any
// answers a test collected, as one text in which no raw identifier may appear.
import type { TestGateway } from './app.ts';

const text = (value: unknown) => JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v));

/** Everything stored or logged that could carry an identifier, with `extra` (answers) appended. */
export async function leakScanDump(gw: TestGateway, extra: unknown[] = []): Promise<string> {
  const p = gw.db.prisma;
  return text([
    await p.auditEvent.findMany(),
    await p.agencyEvent.findMany(),
    await p.matchHit.findMany(),
    await p.disclosureRequest.findMany(),
    await p.recordGrant.findMany(),
    await p.watch.findMany({ include: { selectors: true } }),
    gw.logs,
    extra,
  ]);
}
