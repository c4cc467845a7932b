// What grows in the soak's database minute by minute, to tell data growth from creep in the
// gateway: the rows of the tables every request or submission appends to (audit chain, replay
// cache, record versions, submissions, events, match hits), the dead rows left by the
// submissions' updates in the record tables, and the database's size. Read once a minute over
// one connection of the bench process (loopback), never by the gateway under test.
// The same connection stands in for autovacuum when the server has it off (a test server's
// setting: every submission leaves 500 dead suspect rows, and with nothing reclaiming them the
// reads and the summary scan more dead rows each minute, a growth no production server shows).
import pg from 'pg';

/** Tables that only grow under the soak's workload (or that a purge should keep flat). */
const GROWING = ['audit_event', 'replay_cache', 'record_version', 'submission', 'agency_event', 'match_hit', 'rate_limit_counter'] as const;
/** Tables the submissions update in place: their dead rows show how far (auto)vacuum lags. */
const UPDATED = ['suspect', 'selector'] as const;

export type DatabaseStats = {
  rows: Record<(typeof GROWING)[number], number>;
  deadRows: Record<(typeof UPDATED)[number], number>;
  sizeMiB: number;
  /** Size of the suspect table (heap only): the pages A's reads and the summary go through, dead rows included. */
  suspectMiB: number;
};

export async function openDatabaseStats(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    async read(): Promise<DatabaseStats> {
      const counts = await client.query<{ name: string; n: string }>(GROWING.map((t) => `SELECT '${t}' AS name, count(*)::text AS n FROM ${t}`).join(' UNION ALL '));
      const dead = await client.query<{ relname: string; n: string }>(
        `SELECT relname, n_dead_tup::text AS n FROM pg_stat_user_tables WHERE relname = ANY($1)`,
        [UPDATED as unknown as string[]],
      );
      const size = await client.query<{ bytes: string; suspect: string }>(
        `SELECT pg_database_size(current_database())::text AS bytes, pg_relation_size('suspect')::text AS suspect`,
      );
      const rows = Object.fromEntries(counts.rows.map((r) => [r.name, Number(r.n)])) as DatabaseStats['rows'];
      const deadRows = Object.fromEntries(UPDATED.map((t) => [t, Number(dead.rows.find((r) => r.relname === t)?.n ?? 0)])) as DatabaseStats['deadRows'];
      const toMiB = (bytes: string) => Math.round(Number(bytes) / 104857.6) / 10;
      return { rows, deadRows, sizeMiB: toMiB(size.rows[0]!.bytes), suspectMiB: toMiB(size.rows[0]!.suspect) };
    },
    /** Whether the server's autovacuum daemon runs. */
    async autovacuum(): Promise<boolean> {
      const r = await client.query<{ autovacuum: string }>('SHOW autovacuum');
      return r.rows[0]!.autovacuum === 'on';
    },
    /** What autovacuum would do to the tables the submissions update (run once a minute when it is off). */
    async vacuum(): Promise<void> {
      await client.query(`VACUUM (ANALYZE) ${UPDATED.join(', ')}`);
    },
    /** Events raised for `agencyCode` so far (each must reach its subscriber). */
    async eventsOf(agencyCode: string): Promise<number> {
      const r = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM agency_event e JOIN agency a ON a.id = e.agency_id WHERE a.code = $1', [agencyCode]);
      return Number(r.rows[0]!.n);
    },
    close: () => client.end(),
  };
}
