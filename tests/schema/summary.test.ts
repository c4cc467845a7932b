// OperationSummary: distinct persons by personKey with the latest-status rule, exact sums
// per currency, every live record of the operation whatever its level, visible to participants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
let a: TestAgency;
let b: TestAgency;
let outsider: TestAgency;

const SUMMARY = `query { operation(code: "OP-SUM") { summary {
  countries scamDens densRaided suspects suspectsArrested suspectsSurrendered suspectsWanted
  traffickingVictims devicesSeized fundRecords fundsInterceptedUsd fundsByCurrency { currency amount } } } }`;

/** The gateway's client (or a transaction's) with every `$queryRaw` statement's text passed to `seen` first. */
function spyOnQueries(seen: (sql: string) => void): typeof gw.db.prisma;
function spyOnQueries<T extends Pick<typeof gw.db.prisma, '$queryRaw'>>(seen: (sql: string) => void, client: T): T;
function spyOnQueries(seen: (sql: string) => void, client: Pick<typeof gw.db.prisma, '$queryRaw'> = gw.db.prisma): object {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === '$queryRaw') {
        return (strings: TemplateStringsArray, ...values: unknown[]) => {
          seen(strings.join('?'));
          return target.$queryRaw(strings, ...values);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

beforeAll(async () => {
  gw = await createTestGateway();
  a = await gw.addAgency('ES-PN');
  b = await gw.addAgency('CN-MPS');
  outsider = await gw.addAgency('PH-NBI');
  const p = gw.db.prisma;
  const op = await p.operation.create({
    data: { code: 'OP-SUM', name: 'Summary', leadId: a.id, participants: { create: [{ agencyId: a.id }, { agencyId: b.id }] } },
  });
  const other = await p.operation.create({ data: { code: 'OP-ELSE', name: 'Else', leadId: b.id, participants: { create: [{ agencyId: b.id }] } } });
  const date = (d: string) => new Date(`${d}T00:00:00Z`);
  let n = 0;
  const suspect = (owner: TestAgency, personKey: string, status: string, statusOn: string | null, extra: object = {}) =>
    p.suspect.create({
      data: {
        ownerId: owner.id,
        sourceRef: `S-${++n}`,
        operationId: op.id,
        personKey,
        role: 'MEMBER',
        status: status as 'WANTED',
        statusOn: statusOn ? date(statusOn) : null,
        ...extra,
      },
    });
  await suspect(a, 'P1', 'ARRESTED', '2022-06-10');
  await suspect(b, 'P1', 'CHARGED', '2022-06-11', { sharingLevel: 'RED' });
  await suspect(a, 'P2', 'WANTED', '2022-06-01');
  await suspect(b, 'P2', 'SURRENDERED', '2022-05-01');
  await suspect(a, 'P3', 'ARRESTED', '2022-07-01');
  await suspect(b, 'P3', 'SURRENDERED', '2022-07-01'); // same day: the more advanced status wins
  await suspect(b, 'P4', 'REPATRIATED', '2022-08-01', { sharingLevel: 'RED', traffickingVictim: true });
  await suspect(a, 'P5', 'ARRESTED', '2022-08-01', { retractedAt: new Date() });
  await suspect(a, 'P6', 'WANTED', null);
  await suspect(b, 'P6', 'ARRESTED', '2022-01-01');
  await p.suspect.create({ data: { ownerId: b.id, sourceRef: 'S-ELSE', operationId: other.id, personKey: 'P9', role: 'MEMBER', status: 'ARRESTED' } });

  const den = (owner: TestAgency, ref: string, country: string, status: string, devices: number | null, extra: object = {}) =>
    p.scamDen.create({
      data: { ownerId: owner.id, sourceRef: ref, operationId: op.id, country, denType: 'CALL_CENTRE', status: status as 'RAIDED', devicesSeized: devices, ...extra },
    });
  await den(a, 'D-1', 'KH', 'RAIDED', 10);
  await den(b, 'D-2', 'KH', 'DISMANTLED', 5, { sharingLevel: 'RED' });
  await den(a, 'D-3', 'MM', 'ACTIVE', null);
  await den(a, 'D-4', 'PH', 'RAIDED', 99, { retractedAt: new Date() });

  const fund = (owner: TestAgency, ref: string, amount: string, currency: string, amountUsd: string | null, extra: object = {}) =>
    p.interceptedFund.create({
      data: { ownerId: owner.id, sourceRef: ref, operationId: op.id, amount, currency, amountUsd, channel: 'BANK_TRANSFER', action: 'FROZEN', ...extra },
    });
  await fund(a, 'F-1', '0.10', 'EUR', '0.11');
  await fund(b, 'F-2', '0.20', 'EUR', '0.22', { sharingLevel: 'RED' });
  await fund(a, 'F-3', '125000.00', 'CNY', '17361.11');
  await fund(b, 'F-4', '885000', 'USDT', null);
  await fund(a, 'F-5', '1000000', 'EUR', '1000000', { retractedAt: new Date() });
  await p.interceptedFund.create({
    data: { ownerId: b.id, sourceRef: 'F-ELSE', operationId: other.id, amount: '5', currency: 'EUR', channel: 'CASH', action: 'SEIZED' },
  });
});

afterAll(() => gw?.close());

describe('OperationSummary', () => {
  it('counts distinct persons by their latest status, and every live record whatever its level', async () => {
    // B sees every report (A's are AMBER in B's operation): the exact totals over all records.
    const res = await gw.gql<{ operation: { summary: Record<string, unknown> } }>(b, SUMMARY);
    expect(res.errors).toBeUndefined();
    expect(res.data!.operation.summary).toEqual({
      countries: 2,
      scamDens: 3,
      densRaided: 2,
      suspects: 5,
      suspectsArrested: 2,
      suspectsSurrendered: 1,
      suspectsWanted: 1,
      traffickingVictims: 1,
      devicesSeized: 15,
      fundRecords: 4,
      fundsInterceptedUsd: '17361.44',
      fundsByCurrency: [
        { currency: 'CNY', amount: '125000.00' },
        { currency: 'EUR', amount: '0.30' },
        { currency: 'USDT', amount: '885000.00' },
      ],
    });
  });

  it("differs for A only by the persons behind B's RED reports, and does not exist for an outsider", async () => {
    const forA = await gw.gql<{ operation: { summary: Record<string, unknown> } }>(a, SUMMARY);
    const forB = await gw.gql<{ operation: { summary: Record<string, unknown> } }>(b, SUMMARY);
    // P1: A's own report cannot be tied to B's RED one, so A counts two persons (its ARRESTED,
    // B's CHARGED) where B counts one: whether they are the same never shows to A.
    expect(forA.data!.operation.summary).toEqual({ ...forB.data!.operation.summary, suspects: 6, suspectsArrested: 3 });
    const forOutsider = await gw.gql(outsider, SUMMARY);
    expect(forOutsider.data).toEqual({ operation: null });
    expect(forOutsider.errors).toBeUndefined();
  });

  it('computes in one SQL statement, never by loading records', async () => {
    const statements: string[] = [];
    const { operationSummary } = await import('../../schema/operations.ts');
    const op = await gw.db.prisma.operation.findFirstOrThrow({ where: { code: 'OP-SUM' } });
    const spy = spyOnQueries((sql) => statements.push(sql));
    const summary = await operationSummary(spy, op.id, { agencyId: b.id });
    expect(summary.suspects).toBe(5);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/count\(/);
  });

  it('serves a cached summary until a submission of the operation completes; aged figures are served while one computation refreshes them', async () => {
    const { cachedOperationSummary, SUMMARY_MAX_AGE_MS } = await import('../../schema/operations.ts');
    const op = await gw.db.prisma.operation.findFirstOrThrow({ where: { code: 'OP-SUM' } });
    const aggregates: string[] = [];
    const spy = spyOnQueries((sql) => {
      if (sql.includes('DISTINCT ON')) aggregates.push('summary');
    });
    const first = await cachedOperationSummary(spy, op.id, { agencyId: a.id });
    await Promise.all([cachedOperationSummary(spy, op.id, { agencyId: a.id }), cachedOperationSummary(spy, op.id, { agencyId: a.id })]);
    expect(aggregates).toHaveLength(1);

    await gw.db.prisma.scamDen.create({
      data: { ownerId: a.id, sourceRef: 'D-NEW', operationId: op.id, country: 'LA', denType: 'LOAN', status: 'ACTIVE' },
    });
    await gw.db.prisma.submission.create({
      data: { agencyId: a.id, subject: 's', format: 'liaison-json', operationId: op.id, contentSha256: 'f'.repeat(64), status: 'ACCEPTED', completedAt: new Date() },
    });
    const after = await cachedOperationSummary(spy, op.id, { agencyId: a.id });
    expect(aggregates).toHaveLength(2);
    expect(after.scamDens).toBe(first.scamDens + 1);
    expect(after.countries).toBe(first.countries + 1);

    // A change made outside submissions: once the figures are older than SUMMARY_MAX_AGE_MS the
    // read still gets them at once and starts one computation in the background; the reads
    // after it get the new figures.
    await gw.db.prisma.scamDen.create({
      data: { ownerId: a.id, sourceRef: 'D-DIRECT', operationId: op.id, country: 'MM', denType: 'LOAN', status: 'ACTIVE' },
    });
    const aged = Date.now() + SUMMARY_MAX_AGE_MS + 1;
    const stale = await cachedOperationSummary(spy, op.id, { agencyId: a.id }, aged);
    expect(stale.scamDens).toBe(after.scamDens);
    expect(aggregates).toHaveLength(3);
    await expect.poll(async () => (await cachedOperationSummary(spy, op.id, { agencyId: a.id })).scamDens).toBe(after.scamDens + 1);
    expect(aggregates).toHaveLength(3);
  });
});

describe('summaries computed before a submission commits', () => {
  it('computes in the transaction the figures this process served and installs them at commit, so the next reader does not wait', async () => {
    const { cachedOperationSummary, summariesBeforeCommit, SUMMARY_IDLE_MS } = await import('../../schema/operations.ts');
    const op = await gw.db.prisma.operation.findFirstOrThrow({ where: { code: 'OP-SUM' } });
    const computed: string[] = [];
    const countSummaries = (sql: string) => {
      if (sql.includes('DISTINCT ON')) computed.push('summary');
    };
    const spy = spyOnQueries(countSummaries);
    const before = await cachedOperationSummary(spy, op.id, { agencyId: a.id });
    expect(computed).toHaveLength(1);

    let install = () => {};
    await gw.db.prisma.$transaction(async (tx) => {
      await tx.scamDen.create({ data: { ownerId: a.id, sourceRef: 'D-REFRESH', operationId: op.id, country: 'VN', denType: 'LOAN', status: 'ACTIVE' } });
      await tx.submission.create({
        data: { agencyId: a.id, subject: 's', format: 'liaison-json', operationId: op.id, contentSha256: 'e'.repeat(64), status: 'ACCEPTED', completedAt: new Date() },
      });
      install = await summariesBeforeCommit(spy, spyOnQueries(countSummaries, tx), op.id);
    });
    // Computed once, in the transaction, for the one reader this process served…
    expect(computed).toHaveLength(2);
    install();
    // …so the next reader gets the new figures without another computation.
    const after = await cachedOperationSummary(spy, op.id, { agencyId: a.id });
    expect(after.scamDens).toBe(before.scamDens + 1);
    expect(computed).toHaveLength(2);

    // Figures nobody read for SUMMARY_IDLE_MS are dropped, not computed for the submission.
    const idle = await gw.db.prisma.$transaction((tx) => summariesBeforeCommit(spy, spyOnQueries(countSummaries, tx), op.id, Date.now() + SUMMARY_IDLE_MS + 1));
    idle();
    expect(computed).toHaveLength(2);
    await cachedOperationSummary(spy, op.id, { agencyId: a.id });
    expect(computed).toHaveLength(3);
  });
});

describe('changes made outside submissions', () => {
  it('a grant given, revoked or expired, and a retraction, show in every process at the next read', async () => {
    const { cachedOperationSummary } = await import('../../schema/operations.ts');
    const p = gw.db.prisma;
    const op = await p.operation.create({
      data: { code: 'OP-GOV', name: 'Governed', leadId: a.id, participants: { create: [{ agencyId: a.id }, { agencyId: b.id }] } },
    });
    await p.suspect.create({ data: { ownerId: a.id, sourceRef: 'G-A', operationId: op.id, personKey: 'PG', role: 'MEMBER', status: 'WANTED' } });
    const red = await p.suspect.create({
      data: { ownerId: b.id, sourceRef: 'G-B', operationId: op.id, personKey: 'PG', role: 'MEMBER', status: 'ARRESTED', sharingLevel: 'RED' },
    });
    const den = await p.scamDen.create({ data: { ownerId: a.id, sourceRef: 'G-D', operationId: op.id, country: 'KH', denType: 'CALL_CENTRE', status: 'ACTIVE' } });
    const query = `query { operation(code: "OP-GOV") { summary { scamDens suspects } } }`;
    // The gateway's own cache, and another process's (its own client, its own cache).
    const other = spyOnQueries(() => {});
    const figures = async () => {
      const res = await gw.gql<{ operation: { summary: { scamDens: number; suspects: number } } }>(a, query);
      expect(res.errors).toBeUndefined();
      const there = await cachedOperationSummary(other, op.id, { agencyId: a.id, at: gw.clock.now });
      expect({ scamDens: there.scamDens, suspects: there.suspects }).toEqual(res.data!.operation.summary);
      return res.data!.operation.summary;
    };
    // A cannot tie its report to B's RED one: two persons.
    expect(await figures()).toEqual({ scamDens: 1, suspects: 2 });

    const grant = async (expiresAt: Date | null) => {
      const request = await p.disclosureRequest.create({
        data: {
          hitRefHash: `gov-${Date.now()}`.padEnd(64, '0'),
          requesterId: a.id,
          requestedBy: 'officer',
          ownerId: b.id,
          kind: 'SUSPECT',
          recordId: red.id,
          justification: 'summary test',
          legalBasis: 'summary test',
          status: 'APPROVED',
          dueAt: new Date(Date.now() + 48 * 3600_000),
        },
      });
      return p.recordGrant.create({ data: { requestId: request.id, granteeId: a.id, suspectId: red.id, expiresAt } });
    };
    // Granted B's report, A sees that both are one person.
    const given = await grant(null);
    expect(await figures()).toEqual({ scamDens: 1, suspects: 1 });
    await p.recordGrant.update({ where: { id: given.id }, data: { revokedAt: new Date() } });
    expect(await figures()).toEqual({ scamDens: 1, suspects: 2 });
    // A grant that runs out shows as gone at the first read after its end, with no write.
    const start = gw.clock.now;
    await grant(new Date(start.getTime() + 3600_000));
    expect(await figures()).toEqual({ scamDens: 1, suspects: 1 });
    gw.clock.now = new Date(start.getTime() + 2 * 3600_000);
    try {
      expect(await figures()).toEqual({ scamDens: 1, suspects: 2 });
    } finally {
      gw.clock.now = start;
    }

    const retracted = await gw.gql(a, 'mutation($id: ID!) { retractRecord(id: $id, reason: "entered in error") { id } }', {
      id: Buffer.from(`ScamDen:${den.id}`).toString('base64'),
    });
    expect(retracted.errors).toBeUndefined();
    // (The clock is back before the grant's end: it is in force again.)
    expect(await figures()).toEqual({ scamDens: 0, suspects: 1 });
  });
});
