// A database that cannot take the work now (pool full, transaction not started in time,
// connection closed) is a reason to retry, not a gateway bug: partners get 503 with Retry-After
// and the reason `database_unavailable`, never INTERNAL; the operator gets a warning, not an
// error. Real Prisma errors of the generated client, through the gateway's one mask.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { GraphQLError } from 'graphql';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createGraphQLMask, maskError, sendProblem } from '../../api/error-response.ts';
import { openDatabase } from '../../kernel/db.ts';
import { Prisma } from '../../prisma/generated/client/client.ts';

const prismaError = (code: string) => new Prisma.PrismaClientKnownRequestError(`prisma says ${code}`, { code, clientVersion: 'test' });

describe('database unavailable', () => {
  it.each(['P2024', 'P2028', 'P1001', 'P1017'])('REL-09 answers %s as 503 SERVICE_UNAVAILABLE with Retry-After, in GraphQL and REST', (code) => {
    const masked = maskError(prismaError(code));
    expect([masked.code, masked.status, masked.reason, masked.headers]).toEqual(['SERVICE_UNAVAILABLE', 503, 'database_unavailable', { 'Retry-After': '5' }]);

    const logged: { level: string; msg: string }[] = [];
    const logger = {
      error: (_o: unknown, msg: string) => logged.push({ level: 'error', msg }),
      warn: (_o: unknown, msg: string) => logged.push({ level: 'warn', msg }),
    };
    const graphql = createGraphQLMask(logger as never)(new GraphQLError('wrapped', { originalError: prismaError(code) })) as GraphQLError;
    expect(graphql.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'database_unavailable', http: { status: 503, headers: { 'Retry-After': '5' } } });
    expect(graphql.message).not.toContain('prisma says');

    const sent: { status?: number; headers?: Record<string, string>; body?: { code: string; reason: string } } = {};
    const reply = {
      status(s: number) { sent.status = s; return reply; },
      headers(h: Record<string, string>) { sent.headers = h; return reply; },
      type() { return reply; },
      send(body: unknown) { sent.body = body as never; return reply; },
    };
    sendProblem(prismaError(code), { url: '/v1/submissions/x?y', id: 'req-1', log: logger as never }, reply);
    expect([sent.status, sent.headers, sent.body?.code, sent.body?.reason]).toEqual([503, { 'Retry-After': '5' }, 'SERVICE_UNAVAILABLE', 'database_unavailable']);
    expect(logged.map((l) => l.level)).toEqual(['warn', 'warn']);
  });

  it.each([
    ['a server shutting down (57P01)', '57P01', 'database_unavailable'],
    ['a server starting up (57P03)', '57P03', 'database_unavailable'],
    ['a cut connection (08006)', '08006', 'database_unavailable'],
    ['a statement timeout (57014)', '57014', 'database_timeout'],
  ])('REL-09 REL-12 answers %s, as the driver adapter reports it, as 503 with Retry-After and reason %s', (_label, sqlState, reason) => {
    const error = new Prisma.PrismaClientKnownRequestError('prisma says so', {
      code: 'P2010',
      clientVersion: 'test',
      meta: { driverAdapterError: { cause: { kind: 'postgres', code: sqlState, originalCode: sqlState } } },
    });
    const masked = maskError(error);
    expect([masked.code, masked.status, masked.reason, masked.headers]).toEqual(['SERVICE_UNAVAILABLE', 503, reason, { 'Retry-After': '5' }]);
    expect(masked.message).not.toContain('prisma says');
  });

  it.each([
    ['a server shutting down (57P01)', '57P01', 'database_unavailable'],
    ['a statement timeout (57014)', '57014', 'database_timeout'],
    ['a full disk (53100)', '53100', 'database_full'],
  ])('REL-09 REL-12 answers %s, as node-postgres reports it for a batch statement sent on the transaction\'s own connection, as 503 and %s', (_label, sqlState, reason) => {
    const error = new pg.DatabaseError('the server says so', 0, 'error');
    error.code = sqlState;
    const masked = maskError(error);
    expect([masked.code, masked.status, masked.reason]).toEqual(['SERVICE_UNAVAILABLE', 503, reason]);
    expect(masked.message).not.toContain('the server says so');
    const other = new pg.DatabaseError('duplicate key', 0, 'error');
    other.code = '23505';
    expect(maskError(other).code).toBe('INTERNAL');
  });

  it("REL-09 REL-12 answers a statement timeout as PGlite reports it for a batch statement on the embedded database's transaction, as 503 database_timeout", async () => {
    const db = await openDatabase({ dataDir: 'memory://' });
    try {
      const raised = await db.prisma
        .$transaction(async (tx) => {
          const connection = await db.connectionOf(tx);
          expect(connection).toBeDefined();
          // PostgreSQL's own error, with the SQLSTATE a statement timeout has.
          await connection!.query("DO $$ BEGIN RAISE EXCEPTION 'the server says so' USING ERRCODE = '57014'; END $$");
        })
        .then(() => undefined, (thrown: unknown) => thrown);
      const masked = maskError(raised);
      expect([masked.code, masked.status, masked.reason]).toEqual(['SERVICE_UNAVAILABLE', 503, 'database_timeout']);
      expect(masked.message).not.toContain('the server says so');

      // A statement sent once its transaction has ended (Prisma's timeout rolled it back) is a
      // retry, as Prisma answers one on a closed transaction, and runs nowhere.
      let kept: Awaited<ReturnType<typeof db.connectionOf>>;
      await db.prisma.$transaction(async (tx) => {
        kept = await db.connectionOf(tx);
      });
      const late = await kept!.query('CREATE TABLE never_made (n int)').then(() => undefined, (thrown: unknown) => thrown);
      expect(maskError(late)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'database_unavailable' });
      expect(await db.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'never_made'`).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
  });

  it("REL-09 answers node-postgres's own pool timeout as database_unavailable", () => {
    expect(maskError(new Error('timeout exceeded when trying to connect')).reason).toBe('database_unavailable');
    expect(maskError(new Error('something else')).code).toBe('INTERNAL');
    // A pooled connection whose socket failed before the statement was sent on it.
    expect(maskError(new Error('Client has encountered a connection error and is not queryable')).reason).toBe('database_unavailable');
  });

  it("REL-09 answers a connection that could not be opened, which node-postgres passes on as Node's socket error, as database_unavailable", () => {
    const socketError = (code: string, syscall?: string) => Object.assign(new Error(`${syscall ?? 'write'} ${code} 127.0.0.1:5432`), { code, ...(syscall ? { syscall } : {}) });
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']) {
      const masked = maskError(socketError(code, 'connect'));
      expect(masked.reason).toBe('database_unavailable');
      expect(masked.code).toBe('SERVICE_UNAVAILABLE');
    }
    // Not a failed connect (a broken pipe on an open socket may be the client's): the gateway's own error.
    expect(maskError(socketError('EPIPE')).code).toBe('INTERNAL');
    expect(maskError(socketError('ECONNREFUSED')).code).toBe('INTERNAL');
    expect(maskError(socketError('ENOENT', 'connect')).code).toBe('INTERNAL');
  });

  it('REL-09 still answers any other Prisma error as INTERNAL, logged as an error', () => {
    expect(maskError(prismaError('P2002')).code).toBe('INTERNAL');
  });
});

// A socket of the database's own that is reset while a statement is on it (a restarting server
// drops some connections so): Node's `read ECONNRESET`, which names no peer, is the database's
// when `Database.statements` threw it. Through a loopback proxy that resets every connection.
describe.skipIf(!process.env.DATABASE_URL)('a reset database connection (PostgreSQL pass)', () => {
  it('REL-09 answers a connection reset mid-statement as database_unavailable, on the reads pool and on a write transaction, and the same error from elsewhere as INTERNAL', async () => {
    const target = new URL(process.env.DATABASE_URL!);
    const sockets = new Set<Socket>();
    const proxy = createServer((client) => {
      const server = connect(Number(target.port || 5432), target.hostname);
      sockets.add(client);
      client.pipe(server).pipe(client);
      client.on('error', () => undefined);
      server.on('error', () => undefined);
      client.on('close', () => server.destroy());
      server.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const through = new URL(target);
    through.hostname = '127.0.0.1';
    through.port = String((proxy.address() as AddressInfo).port);
    const db = await openDatabase({ databaseUrl: through.toString(), poolSize: 1 });
    // Straight to the server: tells when a statement is running there, so the reset comes mid-statement.
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    const running = async (marker: string) =>
      (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()`, [`%${marker}%`])).rows[0]!.n;
    const resetWhenRunning = async (marker: string) => {
      await expect.poll(() => running(marker), { timeout: 10_000 }).toBe(1);
      for (const socket of sockets) socket.resetAndDestroy();
    };
    try {
      expect(await db.statements.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
      const sleeping = db.statements.$queryRaw`SELECT pg_sleep(5) /* reset-reads-pool */`.then(() => undefined, (error: unknown) => error);
      await resetWhenRunning('reset-reads-pool');
      const error = (await sleeping) as Error & { code?: string; syscall?: string };
      expect([error.code, error.syscall]).toEqual(['ECONNRESET', 'read']);
      expect(maskError(error)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'database_unavailable' });
      // The same shape of error not thrown by the database's statements stays the gateway's own.
      const elsewhere = Object.assign(new Error(error.message), { code: error.code, syscall: error.syscall });
      expect(maskError(elsewhere).code).toBe('INTERNAL');

      // The same on a write transaction's own connection (ingest's batch statements).
      const batch = db.writer
        .$transaction(async (tx) => {
          const connection = await db.connectionOf(tx);
          expect(connection).toBeDefined();
          await Promise.all([connection!.query('SELECT pg_sleep(5) /* reset-transaction */'), resetWhenRunning('reset-transaction')]);
        })
        .then(() => undefined, (thrown: unknown) => thrown);
      const batchError = (await batch) as Error & { code?: string };
      expect(batchError.code).toBe('ECONNRESET');
      expect(maskError(batchError)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'database_unavailable' });
    } finally {
      await admin.end();
      await db.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => proxy.close(r));
    }
  });
});
