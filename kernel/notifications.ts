// LISTEN/NOTIFY for one process. On PostgreSQL a single dedicated connection (never one of
// the request pools, so that a long LISTEN cannot take a connection from reads or writes),
// reconnected with capped exponential backoff after a failure; on the embedded PGlite a
// listener on its thread (kernel/pglite-thread.ts). Notifications sent while the connection
// was down are lost, so the caller is told when listening resumes and catches up from the
// table itself.
import pg from 'pg';
import type { PGliteThread } from './pglite-thread.ts';

export type NotificationHandlers = {
  onNotify(payload: string): void;
  /** Listening resumed after an outage: notifications may have been missed. */
  onResume?(): void;
  onError?(error: unknown): void;
};

export type StopListening = () => Promise<void>;

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/** Channel names are identifiers of our own, never input; checked anyway before quoting. */
function quotedChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
  return `"${channel}"`;
}

export async function listenPglite(pglite: Pick<PGliteThread, 'listen'>, channel: string, handlers: NotificationHandlers): Promise<StopListening> {
  const unlisten = await pglite.listen(quotedChannel(channel), handlers.onNotify);
  return unlisten;
}

export async function listenPostgres(connectionString: string, channel: string, handlers: NotificationHandlers): Promise<StopListening> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retryMs = RECONNECT_MIN_MS;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
    next.on('notification', (message) => {
      if (message.channel === channel) handlers.onNotify(message.payload ?? '');
    });
    next.on('error', (error) => {
      handlers.onError?.(error);
      reconnectLater(next);
    });
    next.on('end', () => reconnectLater(next));
    await next.connect();
    await next.query(`LISTEN ${quotedChannel(channel)}`);
    client = next;
    retryMs = RECONNECT_MIN_MS;
  };

  const reconnectLater = (failed: pg.Client) => {
    if (stopped || client !== failed || timer) return;
    client = undefined;
    failed.end().catch(() => undefined);
    const attempt = () => {
      timer = undefined;
      if (stopped) return;
      connect().then(
        () => handlers.onResume?.(),
        (error: unknown) => {
          handlers.onError?.(error);
          retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
          timer = setTimeout(attempt, retryMs);
          timer.unref();
        },
      );
    };
    timer = setTimeout(attempt, retryMs);
    timer.unref();
  };

  await connect();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    const current = client;
    client = undefined;
    await current?.end().catch(() => undefined);
  };
}
