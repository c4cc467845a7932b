// Paging cursors are opaque sealed positions (schema/cursor.ts, schema/paging.ts): a cursor at a
// hidden, a deleted or a never-existing row pages the same way (AUZ-17), no cursor carries a
// record id in any spelling (AUZ-18), and a cursor that was altered, sealed for another
// connection or under another key, or is of the old id-carrying format, is refused as
// MALFORMED_ID without being logged (AUZ-19). Keyset paging visits every visible record exactly
// once, forwards and backwards, at the root and under an operation (AUZ-17).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveCursorKey, encodeCursor } from '../../schema/cursor.ts';
import { createTestGateway, TEST_PSEUDONYM_KEY, type TestAgency, type TestGateway } from '../helpers/app.ts';

type Edge = { cursor: string; node: { id: string } };
type Page = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: Edge[];
};

const variables = (paging: string) => (paging.includes('$c') ? '($c: String)' : '');
const SELECTION = 'totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }';
/** The two kinds of connection: a root list and a list under an operation (loaded with its parent). */
const CONNECTIONS = {
  'Query.scamDens': {
    query: (paging: string) => `query${variables(paging)} { page: scamDens(${paging}) { ${SELECTION} } }`,
    page: (data: unknown) => (data as { page: Page }).page,
  },
  'Operation.scamDens': {
    query: (paging: string) => `query${variables(paging)} { operation(code: "OP-PAGE") { page: scamDens(${paging}) { ${SELECTION} } } }`,
    page: (data: unknown) => (data as { operation: { page: Page } }).operation.page,
  },
} as const;
type ConnectionName = keyof typeof CONNECTIONS;

/** An id that sorts where its number says (PostgreSQL orders uuids bytewise). */
const idAt = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const globalId = (id: string) => Buffer.from(`ScamDen:${id}`).toString('base64');
const uuidOf = (nodeId: string) => Buffer.from(nodeId, 'base64').toString().split(':')[1]!;

let gw: TestGateway;
let viewer: TestAgency;
let other: TestAgency;
let operationId: string;
/** Every den of the data set, with whether the viewer may see it. */
const dens: { id: string; visible: boolean }[] = [];

async function addDen(owner: TestAgency, level: 'GREEN' | 'AMBER' | 'RED', id?: string) {
  const den = await gw.db.prisma.scamDen.create({
    data: {
      ...(id ? { id } : {}),
      ownerId: owner.id,
      sourceRef: `D-${dens.length}`,
      operationId,
      sharingLevel: level,
      country: 'KH',
      denType: 'CALL_CENTRE',
      status: 'ACTIVE',
    },
  });
  dens.push({ id: den.id, visible: owner === viewer || level !== 'RED' });
  return den.id;
}

async function page(agency: TestAgency, connection: ConnectionName, paging: string, cursor?: string) {
  const res = await gw.gql(agency, CONNECTIONS[connection].query(paging), cursor === undefined ? {} : { c: cursor });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return CONNECTIONS[connection].page(res.data);
}

/** The cursor the gateway gives `agency` for the den `id` in `connection`. */
async function issuedCursor(agency: TestAgency, connection: ConnectionName, id: string) {
  const all = await page(agency, connection, 'first: 100');
  return all.edges.find((e) => uuidOf(e.node.id) === id)!.cursor;
}

/** What a page says about the data, without its cursors (sealed afresh each time). */
const shape = (p: Page) => ({
  totalCount: p.totalCount,
  ids: p.edges.map((e) => uuidOf(e.node.id)),
  hasNextPage: p.pageInfo.hasNextPage,
  hasPreviousPage: p.pageInfo.hasPreviousPage,
});

beforeAll(async () => {
  gw = await createTestGateway();
  viewer = await gw.addAgency('AA-VIEW');
  other = await gw.addAgency('BB-OWN');
  const op = await gw.db.prisma.operation.create({
    data: {
      code: 'OP-PAGE',
      name: 'Paging',
      leadId: other.id,
      participants: { create: [{ agencyId: other.id }, { agencyId: viewer.id }] },
    },
  });
  operationId = op.id;
  // Positions 0x10…0x70: visible rows around a gap that holds a hidden, a deleted and a random position.
  await addDen(other, 'GREEN', idAt(0x10));
  await addDen(other, 'RED', idAt(0x20));
  await addDen(other, 'GREEN', idAt(0x30));
  await addDen(other, 'AMBER', idAt(0x50));
  await addDen(viewer, 'RED', idAt(0x70));
  // Further rows with generated ids, of every level and both owners, for the full walks.
  const levels = ['GREEN', 'AMBER', 'RED'] as const;
  for (let i = 0; i < 21; i += 1) await addDen(i % 2 ? viewer : other, levels[i % 3]!);
});
afterAll(() => gw?.close());

describe('cursors page from a position, whatever was there', () => {
  for (const connection of Object.keys(CONNECTIONS) as ConnectionName[]) {
    it(`AUZ-17 a cursor at a hidden, a deleted and a never-existing row page identically (${connection})`, async () => {
      const hidden = await issuedCursor(other, connection, idAt(0x20));
      const doomed = await addDen(other, 'GREEN', idAt(0x21));
      const deleted = await issuedCursor(other, connection, doomed);
      await gw.db.prisma.scamDen.delete({ where: { id: doomed } });
      dens.splice(dens.findIndex((d) => d.id === doomed), 1);
      const random = encodeCursor(deriveCursorKey(TEST_PSEUDONYM_KEY), connection, [idAt(0x22)]);

      for (const paging of ['first: 3, after: $c', 'last: 3, before: $c']) {
        const shapes = [];
        for (const cursor of [hidden, deleted, random]) shapes.push(shape(await page(viewer, connection, paging, cursor)));
        expect(shapes[1], paging).toEqual(shapes[0]);
        expect(shapes[2], paging).toEqual(shapes[0]);
      }
      const forwards = shape(await page(viewer, connection, 'first: 3, after: $c', random));
      expect(forwards.ids).toEqual([idAt(0x30), idAt(0x50), idAt(0x70)]);
      const backwards = shape(await page(viewer, connection, 'last: 3, before: $c', random));
      expect(backwards.ids).toEqual([idAt(0x10)]);
    });

    it(`AUZ-17 paging forwards and backwards returns every visible record exactly once (${connection})`, async () => {
      const expected = dens.filter((d) => d.visible).map((d) => d.id).sort();
      expect(await walk(connection, 'forwards')).toEqual(expected);
      expect(await walk(connection, 'backwards')).toEqual(expected);
    });
  }
});

describe('windows of one list in one query', () => {
  it('gives each alias of an operation list its own window', async () => {
    const expected = dens.filter((d) => d.visible).map((d) => d.id).sort();
    const res = await gw.gql<{ operations: { edges: { node: { head: Page; tail: Page } }[] } }>(
      viewer,
      `{ operations { edges { node { head: scamDens(first: 2) { ${SELECTION} } tail: scamDens(last: 3) { ${SELECTION} } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const [operation] = res.data!.operations.edges;
    expect(shape(operation!.node.head)).toEqual({ totalCount: expected.length, ids: expected.slice(0, 2), hasNextPage: true, hasPreviousPage: false });
    expect(shape(operation!.node.tail)).toEqual({ totalCount: expected.length, ids: expected.slice(-3), hasNextPage: false, hasPreviousPage: true });
  });
});

/** Every id of a connection, read in pages of 4 from one end to the other, in id order. */
async function walk(connection: ConnectionName, direction: 'forwards' | 'backwards') {
  const forwards = direction === 'forwards';
  const ids: string[] = [];
  let current: Page | undefined;
  let pages = 0;
  do {
    pages += 1;
    expect(pages, 'paging must end').toBeLessThanOrEqual(dens.length);
    const from = current && (forwards ? current.pageInfo.endCursor : current.pageInfo.startCursor);
    const paging = forwards ? `first: 4${from ? ', after: $c' : ''}` : `last: 4${from ? ', before: $c' : ''}`;
    current = await page(viewer, connection, paging, from ?? undefined);
    const got = shape(current).ids;
    if (forwards) ids.push(...got);
    else ids.unshift(...got);
    // A page's edges carry the cursors its pageInfo names.
    expect(current.pageInfo.startCursor).toBe(current.edges[0]?.cursor ?? null);
    expect(current.pageInfo.endCursor).toBe(current.edges.at(-1)?.cursor ?? null);
  } while (forwards ? current.pageInfo.hasNextPage : current.pageInfo.hasPreviousPage);
  return ids;
}

describe('cursors carry no record id', () => {
  it('AUZ-18 no cursor holds its record id as text, hex, base64 or bytes, and none repeats', async () => {
    const issued: { cursor: string; id: string }[] = [];
    for (const connection of Object.keys(CONNECTIONS) as ConnectionName[]) {
      for (const edge of (await page(viewer, connection, 'first: 100')).edges) issued.push({ cursor: edge.cursor, id: uuidOf(edge.node.id) });
    }
    const again = await page(viewer, 'Query.scamDens', 'first: 100');
    expect(issued.length).toBeGreaterThan(10);
    for (const { cursor, id } of issued) {
      const hex = id.replace(/-/g, '');
      const bytes = Buffer.from(hex, 'hex');
      const spellings = [id, hex, ...[id, `ScamDen:${id}`, `GPC:S:${id}`, bytes].flatMap((v) => [Buffer.from(v).toString('base64'), Buffer.from(v).toString('base64url')])];
      for (const spelling of spellings) {
        expect(cursor.toLowerCase()).not.toContain(spelling.toLowerCase().replace(/=+$/, ''));
      }
      const decoded = Buffer.from(cursor, 'base64url');
      expect(decoded.includes(bytes)).toBe(false);
      expect(decoded.toString('latin1')).not.toContain(id);
    }
    // Sealed afresh each time: equal cursors would let a caller link the same record across answers.
    const seen = new Set(issued.map((i) => i.cursor));
    for (const edge of again.edges) expect(seen.has(edge.cursor)).toBe(false);
  });
});

describe('cursors that do not open', () => {
  const cases: [string, () => Promise<{ connection: ConnectionName; cursor: string }>][] = [
    ['altered in one character', async () => {
      const cursor = await issuedCursor(viewer, 'Query.scamDens', idAt(0x30));
      const i = Math.floor(cursor.length / 2);
      return { connection: 'Query.scamDens', cursor: cursor.slice(0, i) + (cursor[i] === 'A' ? 'B' : 'A') + cursor.slice(i + 1) };
    }],
    ['cut short', async () => ({ connection: 'Query.scamDens', cursor: (await issuedCursor(viewer, 'Query.scamDens', idAt(0x30))).slice(0, -4) })],
    ['issued by another connection', async () => ({ connection: 'Operation.scamDens', cursor: await issuedCursor(viewer, 'Query.scamDens', idAt(0x30)) })],
    ['sealed for another type', async () => ({ connection: 'Query.scamDens', cursor: encodeCursor(deriveCursorKey(TEST_PSEUDONYM_KEY), 'Query.suspects', [idAt(0x30)]) })],
    ['sealed under another deployment key', async () => ({
      connection: 'Query.scamDens',
      cursor: encodeCursor(deriveCursorKey('another-deployment-pseudonym-key-0123456789'), 'Query.scamDens', [idAt(0x30)]),
    })],
    ['of the old format, naming a visible row', async () => ({ connection: 'Query.scamDens', cursor: Buffer.from(`GPC:S:${idAt(0x30)}`).toString('base64') })],
  ];
  it.each(cases)('AUZ-19 a cursor %s answers MALFORMED_ID and is not logged', async (_name, make) => {
    const { connection, cursor } = await make();
    const before = gw.logs.length;
    const res = await gw.gql(viewer, CONNECTIONS[connection].query('first: 3, after: $c'), { c: cursor });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ code: 'MALFORMED_ID' }] });
    expect(JSON.stringify(res)).not.toContain(cursor);
    const logged = gw.logs.slice(before);
    expect(logged.filter((l) => Number(l.level) >= 50)).toEqual([]);
    expect(JSON.stringify(logged)).not.toContain(cursor);
  });
});
