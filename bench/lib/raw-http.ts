// The node:http side of the bench's raw handlers (bench/servers/raw*.ts): reads the whole POST
// body, hands it and the headers to the handler, and writes its JSON answer with a length; a
// thrown error is a 500 with its message (the verification step then fails the run).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import pg from 'pg';
import { requiredEnv } from './child.ts';
import { ENV } from './protocol.ts';

export type RawAnswer = { status: number; body: string };
export type RawHandler = (body: Buffer, headers: IncomingHttpHeaders) => Promise<RawAnswer>;

/** Listens on 127.0.0.1 (any free port); `close` ends the connections, then `onClose`. */
export async function serveRaw(handler: RawHandler, onClose: () => Promise<void>): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handler(Buffer.concat(chunks), req.headers).then(
        ({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error));
        },
      );
    });
  });
  return listenOnLoopbackPort(server, onClose);
}

/** Listens with `server` on 127.0.0.1 (any free port); `close` ends its connections, then `onClose`. */
export async function listenOnLoopbackPort(server: Server, onClose: () => Promise<void>): Promise<{ port: number; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await onClose();
    },
  };
}

/** `variables.code` of a GraphQL POST body (the operation code every bench request names). */
export function operationCodeOf(body: Buffer): string | undefined {
  return (JSON.parse(body.toString('utf8')) as { variables?: { code?: string } }).variables?.code;
}

/** The child's pg pool on the bench database (BENCH_POOL_SIZE connections) and the fixed viewer's agency id. */
export async function benchPoolAndViewer(): Promise<{ pool: pg.Pool; viewerId: string }> {
  const pool = new pg.Pool({ connectionString: requiredEnv(ENV.databaseUrl), max: Number(process.env[ENV.poolSize] ?? 10) });
  const viewer = await pool.query<{ id: string }>('SELECT id FROM agency WHERE code = $1', [requiredEnv(ENV.viewerCode)]);
  const viewerId = viewer.rows[0]?.id;
  if (!viewerId) throw new Error('viewer agency not found');
  return { pool, viewerId };
}
