// What the PostgreSQL backends of one bench database are doing while a case runs: sampled from
// pg_stat_activity every `everyMs` on a connection of its own. A client latency spike with an
// idle gateway thread is a wait in the database; this says which (a lock, an LWLock, I/O,
// a client read) and which statements ran longest. Samples count backend-samples by state and
// wait, so 10 samples of "active Lock:transactionid" is about one second of one backend waiting
// on another transaction.
import pg from 'pg';

export type ActivitySummary = {
  samples: number;
  /** Backend-samples by `state wait_event_type:wait_event` (non-idle backends only). */
  waits: Record<string, number>;
  /** The statements seen running longest (first 120 characters), with their longest wait. */
  longest: { ms: number; state: string; wait: string; query: string }[];
};

type Row = { pid: number; state: string; wait: string; ms: number; query: string };

/** Starts sampling the backends of `database` (the sampler's own excluded); stop() sums up. */
export async function sampleActivity(serverUrl: string, database: string, everyMs = 100): Promise<{ stop(): Promise<ActivitySummary> }> {
  const client = new pg.Client({ connectionString: serverUrl, application_name: 'bench-activity-sampler' });
  // Connected before it is handed back, so that the server's new backend starts before the
  // measured window does: started inside it, it took CPU from the first requests measured.
  await client.connect();
  const waits: Record<string, number> = {};
  const longest = new Map<string, { ms: number; state: string; wait: string; query: string }>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const { rows } = await client.query<Row>(
        `SELECT pid, state, coalesce(wait_event_type || ':' || wait_event, '-') AS wait,
                (extract(epoch FROM clock_timestamp() - coalesce(query_start, clock_timestamp())) * 1000)::float8 AS ms, left(query, 120) AS query
           FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND state IS NOT NULL AND state <> 'idle'`,
        [database],
      );
      samples++;
      for (const r of rows) {
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
      await client.end().catch(() => undefined);
      return { samples, waits, longest: [...longest.values()].sort((x, y) => y.ms - x.ms).slice(0, 5) };
    },
  };
}
