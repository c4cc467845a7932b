// What the PostgreSQL backends of one bench database are doing while a case runs: sampled from
// pg_stat_activity every `everyMs` on a connection of its own. A client latency spike with an
// idle gateway thread is a wait in the database; this says which (a lock, an LWLock, I/O,
// a client read) and which statements ran longest. Samples count backend-samples by state and
// wait, so 10 samples of "active Lock:transactionid" is about one second of one backend waiting
// on another transaction. The server's own processes (WAL writer, checkpointer, autovacuum)
// are sampled too, and the window's WAL and checkpoint counts are read at its start and end:
// a stall of every commit at once is the WAL flush, and these say whether a checkpoint ran or
// new WAL segment files had to be made (each one 16 MiB written and synced) meanwhile.
import pg from 'pg';

export type ActivitySummary = {
  samples: number;
  /** Backend-samples by `state wait_event_type:wait_event` (non-idle backends only). */
  waits: Record<string, number>;
  /** The statements seen running longest (first 120 characters), with their longest wait. */
  longest: { ms: number; state: string; wait: string; query: string }[];
  /** Samples of the server's background processes by `backend_type wait`, when not idle-waiting. */
  background: Record<string, number>;
  /** What the whole server did over the window (all databases): WAL and checkpoints. */
  server: ServerDelta;
};

/** Differences between the start and end of a window. */
export type ServerDelta = {
  walBytes: number;
  walRecords: number;
  /** WAL flushes to disk (pg_stat_wal.wal_sync) and waits for WAL buffer space. */
  walSyncs: number;
  walBuffersFull: number;
  /** WAL segment files that appeared in pg_wal (made new or renamed for reuse). */
  walSegmentsAdded: number;
  checkpoints: number;
  buffersWrittenByCheckpoints: number;
};

type ServerCounts = Omit<ServerDelta, 'walSegmentsAdded'> & { segments: Set<string> };

async function serverCounts(client: pg.Client): Promise<ServerCounts> {
  const { rows } = await client.query<{ wal_bytes: string; wal_records: string; wal_sync: string; wal_buffers_full: string; checkpoints: string; buffers_checkpoint: string }>(
    `SELECT w.wal_bytes::text, w.wal_records::text, w.wal_sync::text, w.wal_buffers_full::text,
            (b.checkpoints_timed + b.checkpoints_req)::text AS checkpoints, b.buffers_checkpoint::text
       FROM pg_stat_wal w, pg_stat_bgwriter b`,
  );
  const files = await client.query<{ name: string }>(`SELECT name FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$'`);
  const r = rows[0]!;
  return {
    walBytes: Number(r.wal_bytes),
    walRecords: Number(r.wal_records),
    walSyncs: Number(r.wal_sync),
    walBuffersFull: Number(r.wal_buffers_full),
    checkpoints: Number(r.checkpoints),
    buffersWrittenByCheckpoints: Number(r.buffers_checkpoint),
    segments: new Set(files.rows.map((f) => f.name)),
  };
}

function delta(before: ServerCounts, after: ServerCounts): ServerDelta {
  return {
    walBytes: after.walBytes - before.walBytes,
    walRecords: after.walRecords - before.walRecords,
    walSyncs: after.walSyncs - before.walSyncs,
    walBuffersFull: after.walBuffersFull - before.walBuffersFull,
    walSegmentsAdded: [...after.segments].filter((name) => !before.segments.has(name)).length,
    checkpoints: after.checkpoints - before.checkpoints,
    buffersWrittenByCheckpoints: after.buffersWrittenByCheckpoints - before.buffersWrittenByCheckpoints,
  };
}

/** One line for a report: the window's WAL, checkpoints and the background processes' waits. */
export function formatServerActivity(a: ActivitySummary): string {
  const s = a.server;
  const background = Object.entries(a.background).sort((x, y) => y[1] - x[1]).slice(0, 4).map(([k, n]) => `${k} ${n}`).join(', ');
  return `server: ${(s.walBytes / 1048576).toFixed(1)} MiB WAL in ${s.walRecords} records, ${s.walSyncs} WAL syncs, ` +
    `${s.walBuffersFull} waits for WAL buffers, ${s.walSegmentsAdded} WAL segment files added, ${s.checkpoints} checkpoints ` +
    `(${s.buffersWrittenByCheckpoints} buffers); background: ${background || 'nothing sampled'}`;
}

type Row = { pid: number; state: string; wait: string; ms: number; query: string };

/** Starts sampling the backends of `database` (the sampler's own excluded); stop() sums up. */
export async function sampleActivity(serverUrl: string, database: string, everyMs = 100): Promise<{ stop(): Promise<ActivitySummary> }> {
  const client = new pg.Client({ connectionString: serverUrl, application_name: 'bench-activity-sampler' });
  // Connected before it is handed back, so that the server's new backend starts before the
  // measured window does: started inside it, it took CPU from the first requests measured.
  await client.connect();
  const atStart = await serverCounts(client);
  const background: Record<string, number> = {};
  const waits: Record<string, number> = {};
  const longest = new Map<string, { ms: number; state: string; wait: string; query: string }>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      // One query per sample: the database's backends, and the server's own processes wherever
      // they are not simply waiting for work (an autovacuum worker of the database is both).
      const { rows } = await client.query<Row & { kind: string; ours: boolean; background: boolean }>(
        `SELECT * FROM (
           SELECT pid, state, coalesce(wait_event_type || ':' || wait_event, '-') AS wait, backend_type AS kind,
                  (extract(epoch FROM clock_timestamp() - coalesce(query_start, clock_timestamp())) * 1000)::float8 AS ms, left(query, 120) AS query,
                  coalesce(datname = $1 AND pid <> pg_backend_pid() AND state IS NOT NULL AND state <> 'idle', false) AS ours,
                  coalesce(backend_type NOT IN ('client backend', 'walsender') AND coalesce(wait_event_type, '') NOT IN ('Activity'), false) AS background
             FROM pg_stat_activity) AS a
          WHERE ours OR background`,
        [database],
      );
      samples++;
      for (const r of rows.filter((row) => row.background)) {
        const key = `${r.kind} ${r.wait === '-' ? 'on CPU' : r.wait}`;
        background[key] = (background[key] ?? 0) + 1;
      }
      for (const r of rows.filter((row) => row.ours)) {
        const key = `${r.state} ${r.wait}`;
        waits[key] = (waits[key] ?? 0) + 1;
        const id = `${r.pid}:${r.query}`;
        const seen = longest.get(id);
        if (!seen || r.ms > seen.ms) longest.set(id, { ms: Math.round(r.ms), state: r.state, wait: seen && seen.wait !== '-' && r.wait === '-' ? seen.wait : r.wait, query: r.query.replace(/\s+/g, ' ') });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyMs - (performance.now() - started))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop.catch(() => undefined);
      const atEnd = await serverCounts(client);
      await client.end().catch(() => undefined);
      return { samples, waits, longest: [...longest.values()].sort((x, y) => y.ms - x.ms).slice(0, 5), background, server: delta(atStart, atEnd) };
    },
  };
}
