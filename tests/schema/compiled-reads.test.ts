// Record reads compiled to one SQL statement (schema/compiled/) against the Prisma path they
// replace, on one database: two gateways, one compiling and one not, must give the same answers
// (fields, nested pages, links, filters, totalCount, pageInfo, an operation's lists) and cursors
// that either one opens;
// the compiled one must send one statement per root field, and fall back to the Prisma path for
// a selection it does not compile.
import { execute, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.ts';
import type { RequestContext } from '../../schema/context.ts';
import { ephemeralCursorKey } from '../../schema/cursor.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

let compiled: TestGateway;
let prismaPath: TestGateway;
let lead: TestAgency;
let partner: TestAgency;
let outsider: TestAgency;

beforeAll(async () => {
  compiled = await createTestGateway();
  prismaPath = await createTestGateway({}, { db: compiled.db, compiledReads: false });
  lead = await compiled.addAgency('AA-LEAD');
  partner = await compiled.addAgency('BB-PART');
  outsider = await compiled.addAgency('CC-OUT');
  const p = compiled.db.prisma;
  const op = await p.operation.create({
    data: { code: 'OP-COMP', name: 'Compiled', leadId: lead.id, participants: { create: [{ agencyId: lead.id }, { agencyId: partner.id }] } },
  });
  const levels = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const;
  for (let d = 0; d < 6; d += 1) {
    const level = levels[d % 4]!;
    const den = await p.scamDen.create({
      data: {
        ownerId: d % 2 ? partner.id : lead.id,
        sourceRef: `CD-${d}`,
        operationId: d < 5 ? op.id : null,
        sharingLevel: level,
        country: d % 3 ? 'KH' : 'MM',
        region: d % 2 ? `Region ${d}` : null,
        geohash: 'w3gv2',
        denType: d % 2 ? 'LOAN' : 'CALL_CENTRE',
        status: d % 2 ? 'RAIDED' : 'ACTIVE',
        raidedOn: d % 2 ? new Date('2025-03-0' + (d + 1)) : null,
        devicesSeized: d * 7,
        firstSeenOn: new Date('2024-12-31'),
        retractedAt: d === 4 ? new Date('2026-01-01T00:00:00Z') : null,
      },
    });
    for (let i = 0; i < 5; i += 1) {
      await p.suspect.create({
        data: {
          ownerId: i % 2 ? partner.id : lead.id,
          sourceRef: `CS-${d}-${i}`,
          operationId: op.id,
          sharingLevel: levels[(d + i) % 4]!,
          personKey: `cpk-${i}`,
          nationality: i % 2 ? 'CN' : 'VN',
          birthYear: 1980 + i,
          sex: i % 2 ? 'F' : 'M',
          role: i % 2 ? 'MONEY_MULE' : 'ORGANIZER',
          status: i % 2 ? 'ARRESTED' : 'WANTED',
          statusOn: i % 2 ? new Date('2025-05-05') : null,
          traffickingVictim: i === 3,
          denId: den.id,
        },
      });
      await p.interceptedFund.create({
        data: {
          ownerId: i % 2 ? lead.id : partner.id,
          sourceRef: `CF-${d}-${i}`,
          operationId: op.id,
          sharingLevel: levels[(d + i + 1) % 4]!,
          amount: i % 2 ? '1234.5' : '0.000001',
          currency: i % 2 ? 'USDT' : 'EUR',
          amountUsd: i % 2 ? '1234.50' : null,
          channel: i % 2 ? 'CRYPTO' : 'BANK_TRANSFER',
          action: i % 2 ? 'FROZEN' : 'SEIZED',
          actionOn: new Date('2025-06-0' + (i + 1)),
          accountKey: `acct-${i}`,
          accountCountry: 'HK',
          victimCount: i,
          denId: den.id,
        },
      });
    }
  }
});

afterAll(async () => {
  await prismaPath?.close();
  await compiled?.close();
});

const DEN_FIELDS = 'id country region geohash denType status raidedOn devicesSeized firstSeenOn sourceRef sharingLevel createdAt updatedAt retractedAt __typename';
const SUSPECT_FIELDS = 'id personKey nationality birthYear sex role status statusOn traffickingVictim sourceRef sharingLevel retractedAt';
const FUND_FIELDS = 'id amount currency amountUsd channel action actionOn accountKey accountCountry victimCount sharingLevel';

const QUERIES: [string, string, Record<string, unknown>][] = [
  [
    'nested dens with every field, counts and page info',
    `query($code: String!) { scamDens(first: 4, filter: { operationCode: $code }) { totalCount pageInfo { hasNextPage hasPreviousPage }
       edges { node { ${DEN_FIELDS}
         suspects(first: 3) { totalCount pageInfo { hasNextPage } edges { node { ${SUSPECT_FIELDS} den { id country } } } }
         funds: interceptedFunds(last: 2) { totalCount pageInfo { hasPreviousPage } edges { node { ${FUND_FIELDS} } } } } } } }`,
    { code: 'OP-COMP' },
  ],
  [
    'suspects with filters, fragments, aliases and directives',
    `query($skip: Boolean!) { suspects(first: 50, filter: { role: MONEY_MULE, country: "cn", status: ARRESTED }) { count: totalCount
       edges { node { ...S alias: personKey den @skip(if: $skip) { id suspects(first: 1) { edges { node { id } } } } } } } }
     fragment S on Suspect { id ... on Suspect { sex birthYear } }`,
    { skip: false },
  ],
  [
    'funds by channel, currency, owner and level, and an empty answer',
    `{ a: interceptedFunds(first: 50, filter: { channel: CRYPTO, currency: "usdt", owner: "AA-LEAD" }) { totalCount edges { node { ${FUND_FIELDS} den { id } } } }
       b: interceptedFunds(filter: { sharingLevel: RED }) { totalCount edges { node { id } } }
       c: scamDens(filter: { operationCode: "NOPE" }) { totalCount edges { node { id } } } }`,
    {},
  ],
  [
    "an operation's record lists, compiled and (alsoReportedBy) not",
    `{ operation(code: "OP-COMP") { code
         scamDens(first: 3) { totalCount pageInfo { hasNextPage } edges { node { id status suspects(first: 2) { totalCount edges { node { id } } } } } }
         suspects(last: 3) { totalCount pageInfo { hasPreviousPage } edges { node { id role den { id } } } }
         interceptedFunds { totalCount edges { node { id amount amountUsd } } }
         other: suspects(first: 2) { edges { node { id alsoReportedBy { code } } } } } }`,
    {},
  ],
  [
    'dens by lead-qualified operation code, status and type',
    `{ scamDens(filter: { operationCode: "AA-LEAD/OP-COMP", status: RAIDED, denType: LOAN, country: "kh" }) { totalCount edges { node { id status } } } }`,
    {},
  ],
];

/** The answer without cursors (each seal is fresh), which are compared by what they open. */
function withoutCursors(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCursors);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !/cursor$/i.test(k)).map(([k, v]) => [k, withoutCursors(v)]));
  }
  return value;
}

describe('compiled record reads', () => {
  for (const [title, query, variables] of QUERIES) {
    it(`GQL-15 answer as the Prisma path does: ${title}`, async () => {
      for (const viewer of [lead, partner, outsider]) {
        const fast = await compiled.gql(viewer, query, variables);
        const slow = await prismaPath.gql(viewer, query, variables);
        expect(fast.errors).toBeUndefined();
        expect(slow.errors).toBeUndefined();
        expect(withoutCursors(fast.data), viewer.code).toEqual(withoutCursors(slow.data));
      }
    });
  }

  it('GQL-16 pages forwards and backwards with cursors either path opens, nested and at the root', async () => {
    const page = (after?: string) =>
      `{ scamDens(first: 2${after ? `, after: "${after}"` : ''}) { pageInfo { endCursor hasNextPage }
         edges { cursor node { id suspects(first: 2) { pageInfo { endCursor } edges { node { id } } } } } } }`;
    type Page = { scamDens: { pageInfo: { endCursor: string; hasNextPage: boolean }; edges: { cursor: string; node: { id: string; suspects: { pageInfo: { endCursor: string | null } } } }[] } };
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 10; i += 1) {
      const fast = await compiled.gql<Page>(lead, page(after));
      const slow = await prismaPath.gql<Page>(lead, page(after));
      expect(fast.errors).toBeUndefined();
      expect(withoutCursors(fast.data)).toEqual(withoutCursors(slow.data));
      seen.push(...fast.data!.scamDens.edges.map((e) => e.node.id));
      const first = fast.data!.scamDens.edges[0];
      if (first?.node.suspects.pageInfo.endCursor) {
        // A nested cursor of the compiled path opens in the Prisma path and the other way round.
        const nested = (gw: TestGateway, cursor: string) =>
          gw.gql<{ node: { suspects: { edges: { node: { id: string } }[] } } }>(
            lead,
            `query($id: ID!, $after: String!) { node(id: $id) { ... on ScamDen { suspects(first: 5, after: $after) { edges { node { id } } } } } }`,
            { id: first.node.id, after: cursor },
          );
        const viaPrisma = await nested(prismaPath, first.node.suspects.pageInfo.endCursor);
        expect(viaPrisma.errors).toBeUndefined();
        expect(viaPrisma.data!.node.suspects.edges.length).toBeGreaterThan(0);
      }
      // Backwards from this page's first edge, through the other path, gives the page before.
      if (first && seen.length > 2) {
        const back = await prismaPath.gql<Page>(lead, `{ scamDens(last: 2, before: "${first.cursor}") { edges { node { id } } } }`);
        expect(back.data!.scamDens.edges.map((e) => e.node.id)).toEqual(seen.slice(-fast.data!.scamDens.edges.length - 2, -fast.data!.scamDens.edges.length));
      }
      if (!fast.data!.scamDens.pageInfo.hasNextPage) break;
      after = fast.data!.scamDens.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    // Six dens; the lead cannot see the partner's RED one.
    expect(seen.length).toBe(5);
  });

  it('GQL-17 a forged or foreign cursor is refused on the compiled path as on the Prisma path', async () => {
    const res = await compiled.gql(lead, '{ scamDens(first: 1) { edges { node { suspects(first: 1, after: "AAAA") { totalCount } } } } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const root = await compiled.gql<{ suspects: { pageInfo: { endCursor: string } } }>(lead, '{ suspects(first: 1) { pageInfo { endCursor } } }');
    const foreign = await compiled.gql(lead, `{ scamDens(after: "${root.data!.suspects.pageInfo.endCursor}") { totalCount } }`);
    expect(foreign.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('sends one SQL statement for a nested read, and falls back to Prisma for a field it does not compile', async () => {
    const calls: string[] = [];
    const real = compiled.db.prisma;
    const prisma = new Proxy(real, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key);
        if (typeof key === 'string' && (key.startsWith('$query') || ['scamDen', 'suspect', 'interceptedFund', 'agency'].includes(key))) calls.push(key);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as PrismaClient;
    const viewer = { agencyId: lead.id, agencyCode: lead.code, agencyName: 'Lead', subject: 'test', scopes: ['records:read' as const], jti: 'x', expiresAt: new Date(Date.now() + 60_000) };
    const context = (): RequestContext => ({
      prisma,
      viewer: { ...viewer, at: new Date() },
      requestId: 'test',
      log: compiled.app.fastify.log as never,
      now: () => new Date(),
      edge: { viewer, requestId: 'test' },
      ingest: undefined,
      cursorKey: ephemeralCursorKey(),
      compiledReads: true,
    });
    const nested = await execute({
      schema,
      document: parse('{ scamDens(first: 50) { totalCount edges { cursor node { id country suspects(first: 10) { edges { node { id den { id } } } } interceptedFunds(first: 10) { totalCount edges { node { id amount } } } } } } }'),
      contextValue: context(),
    });
    expect(nested.errors).toBeUndefined();
    expect(calls).toEqual(['$queryRawUnsafe']);
    calls.length = 0;
    const other = await execute({
      schema,
      document: parse('{ suspects(first: 5) { edges { node { id alsoReportedBy { code } } } } }'),
      contextValue: context(),
    });
    expect(other.errors).toBeUndefined();
    expect(calls).not.toContain('$queryRawUnsafe');
    expect(calls).toContain('suspect');
  });
});
