// Record reads compiled to one SQL statement (schema/compiled/) against the Prisma path they
// replace, on one database: two gateways, one compiling and one not, must give the same answers
// (fields, nested pages, links, filters, totalCount, pageInfo, an operation's lists) and cursors
// that either one opens;
// the compiled one must send one statement per root field, and fall back to the Prisma path for
// a selection it does not compile.
import { execute, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.ts';
import type { RequestContext, Scope } from '../../schema/context.ts';
import { decodeCursor, ephemeralCursorKey } from '../../schema/cursor.ts';
import { executeDirect } from '../../schema/compiled/direct.ts';
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
          // One fund without an account key: a sealed column's null.
          accountKey: d === 3 && i === 2 ? null : `acct-${i}`,
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

/** A request context of `agency` with records:read (or `scopes`), on `prisma`, with compiled reads on. */
function contextFor(agency: TestAgency, prisma: PrismaClient, scopes: Scope[] = ['records:read'], cursorKey = ephemeralCursorKey()): RequestContext {
  const viewer = { agencyId: agency.id, agencyCode: agency.code, agencyName: agency.code, subject: 'test', scopes, jti: 'x', expiresAt: new Date(Date.now() + 60_000) };
  return {
    prisma,
    viewer: { ...viewer, at: new Date() },
    requestId: 'test',
    log: compiled.app.fastify.log as never,
    now: () => new Date(),
    edge: { viewer, requestId: 'test' },
    ingest: undefined,
    cursorKey,
    compiledReads: true,
  };
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
    const context = () => contextFor(lead, prisma);
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

/** Every cursor of an answer (by path) opened to its position, and the answer with each cursor replaced by its path. */
function openCursors(value: unknown, key: RequestContext['cursorKey'], path = ''): { shape: unknown; positions: Record<string, unknown> } {
  const positions: Record<string, unknown> = {};
  const walk = (v: unknown, at: string, connection: string): unknown => {
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${at}.${i}`, connection));
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, item]) => {
          if (/cursor$/i.test(k) && typeof item === 'string') {
            positions[`${at}.${k}`] = ['Query.scamDens', 'Query.suspects', 'Query.interceptedFunds', 'ScamDen.suspects', 'ScamDen.interceptedFunds']
              .map((c) => decodeCursor(key, c, item))
              .find((p) => p !== undefined);
            return [k, `cursor at ${at}.${k}`];
          }
          return [k, walk(item, `${at}.${k}`, connection)];
        }),
      );
    }
    return v;
  };
  return { shape: walk(value, path, ''), positions };
}

/** Every connection in an answer whose page info and edges both carry cursors: the page's ends are its edges' own seals. */
function pageEndsAreEdgeCursors(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((n, item) => n + pageEndsAreEdgeCursors(item), 0);
  if (!value || typeof value !== 'object') return 0;
  const connection = value as { pageInfo?: { startCursor?: string; endCursor?: string }; edges?: { cursor?: string }[] };
  let checked = 0;
  if (connection.edges?.length && connection.edges[0]!.cursor !== undefined && connection.pageInfo?.startCursor !== undefined) {
    expect(connection.pageInfo.startCursor).toBe(connection.edges[0]!.cursor);
    expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)!.cursor);
    checked += 1;
  }
  return checked + Object.values(value).reduce<number>((n, item) => n + pageEndsAreEdgeCursors(item), 0);
}

const DIRECT_QUERIES: [string, string, Record<string, unknown>][] = [
  ['the bench page: dens with suspects and funds', `query($code: String!) { scamDens(first: 50, filter: { operationCode: $code }) { edges { node {
     id country region denType status raidedOn devicesSeized
     suspects(first: 10) { edges { node { id personKey role status statusOn } } }
     interceptedFunds(first: 10) { edges { node { id amount currency amountUsd action } } } } } } }`, { code: 'OP-COMP' }],
  ...QUERIES.slice(0, 3),
  ['typenames, cursors and page info at every level, every field of every type',
   `{ __typename scamDens(last: 3) { __typename totalCount pageInfo { __typename startCursor endCursor hasNextPage hasPreviousPage }
      edges { __typename cursor node { __typename ${DEN_FIELDS} handling handlingNote sourceReliability informationAssessment matchable retractionReason
        suspects(first: 2) { __typename edges { cursor node { ${SUSPECT_FIELDS} den { __typename id status } } } pageInfo { endCursor } }
        interceptedFunds(first: 2) { edges { cursor node { ${FUND_FIELDS} den { id } } } } } } }
     suspects(first: 3) { edges { node { id den { id suspects(first: 2) { totalCount edges { node { id } } } } } } } }`, {}],
  ['one list under two keys, edges twice, fragments and directives from variables with defaults',
   `query($first: Int = 2, $with: Boolean = true, $without: Boolean = false) {
      a: interceptedFunds(first: $first) { edges { node { id ...F } } e2: edges { node { amount @include(if: $with) currency @skip(if: $with) } } }
      b: interceptedFunds(first: 1) { ... on InterceptedFundConnection { totalCount @skip(if: $without) } } }
    fragment F on InterceptedFund { action ... @include(if: $with) { amountUsd } }`, {}],
];

describe('compiled record reads written without execution', () => {
  for (const [title, query, variables] of DIRECT_QUERIES) {
    it(`GQL-19 answer byte for byte as graphql execution does: ${title}`, async () => {
      for (const viewer of [lead, partner, outsider]) {
        const ctx = contextFor(viewer, compiled.db.prisma);
        const document = parse(query);
        const direct = await executeDirect({ schema, document, variableValues: variables, contextValue: ctx });
        const executed = await execute({ schema, document, variableValues: variables, contextValue: ctx });
        expect(executed.errors).toBeUndefined();
        expect(direct, `${viewer.code}: written directly`).toBeDefined();
        const a = openCursors(direct!.data, ctx.cursorKey);
        const b = openCursors(executed.data, ctx.cursorKey);
        // Same keys in the same order, same values; each cursor opens to the same position.
        expect(JSON.stringify(a.shape), viewer.code).toBe(JSON.stringify(b.shape));
        expect(a.positions).toEqual(b.positions);
        expect(Object.values(a.positions).every((p) => Array.isArray(p))).toBe(true);
        expect(pageEndsAreEdgeCursors(direct!.data)).toBe(pageEndsAreEdgeCursors(executed.data));
      }
    });
  }

  it('GQL-19 declines what it does not write, and execution answers it as before', async () => {
    const prisma = compiled.db.prisma;
    const declined: [string, string, RequestContext][] = [
      ['a field the compiler does not know', '{ suspects(first: 2) { edges { node { id owner { code } } } } }', contextFor(lead, prisma)],
      ['another root field beside a list', '{ scamDens(first: 1) { totalCount } me { agency { code } } }', contextFor(lead, prisma)],
      ['a viewer without records:read', '{ scamDens(first: 1) { totalCount } }', contextFor(lead, prisma, ['records:submit'])],
      ['no viewer', '{ scamDens(first: 1) { totalCount } }', { ...contextFor(lead, prisma), viewer: null }],
      ['a forged cursor', '{ scamDens(first: 1, after: "AAAA") { totalCount } }', contextFor(lead, prisma)],
      ['a nested forged cursor', '{ scamDens(first: 1) { edges { node { suspects(after: "AAAA") { totalCount } } } } }', contextFor(lead, prisma)],
      ['compiled reads off', '{ scamDens(first: 1) { totalCount } }', { ...contextFor(lead, prisma), compiledReads: false }],
    ];
    for (const [title, query, ctx] of declined) {
      expect(await executeDirect({ schema, document: parse(query), contextValue: ctx }), title).toBeUndefined();
    }
    // A complexity over the limit is the executor's error, not a direct answer.
    const heavy = `{ scamDens(first: 100) { edges { node { suspects(first: 100) { edges { node { den { suspects(first: 100) { totalCount } } } } } } } } }`;
    const ctx = contextFor(lead, prisma);
    expect(await executeDirect({ schema, document: parse(heavy), contextValue: ctx })).toBeUndefined();
    // And through the gateway each gets the executor's answer: the scope and the cursor refusals.
    const refused = await compiled.gql(lead, heavy);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('GQL-19 a mutation or a document with several operations is executed', async () => {
    const ctx = contextFor(lead, compiled.db.prisma);
    const two = parse('query A { scamDens(first: 1) { totalCount } } query B { suspects(first: 1) { totalCount } }');
    const chosen = await executeDirect({ schema, document: two, operationName: 'B', contextValue: ctx });
    // The named operation is the one answered.
    expect(Object.keys(chosen?.data ?? {})).toEqual(['suspects']);
    expect(await executeDirect({ schema, document: two, contextValue: ctx })).toBeUndefined();
    expect(await executeDirect({ schema, document: parse('mutation { retractRecord(id: "x", reason: "y") { id } }'), contextValue: ctx })).toBeUndefined();
  });
});
