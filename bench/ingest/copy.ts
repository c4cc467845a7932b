// The physical limit the pipeline is compared with: the very rows it stored (suspect rows and
// their selector rows, already pseudonymized, ids included) exported from the pipeline's
// database with COPY … TO STDOUT into memory, then loaded into the same tables of a second,
// freshly migrated database with COPY … FROM STDIN in one transaction (indexes and
// constraints in place, as for the pipeline). Only the load is timed. pg has no COPY helper
// of its own; pg-copy-streams (devDependency) gives COPY streams on a pg.Client.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

export type ExportedRows = { suspects: Buffer[]; selectors: Buffer[]; suspectCount: number; selectorCount: number };

/** Runs `COPY (query) TO STDOUT` and keeps the text-format chunks in memory. */
async function exportQuery(client: pg.Client, query: string): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  await pipeline(
    client.query(copyTo(`COPY (${query}) TO STDOUT`)),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    }),
  );
  return chunks;
}

async function importChunks(client: pg.Client, table: string, chunks: Buffer[]): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${table} FROM STDIN`));
  await pipeline(Readable.from(chunks), stream);
  return Number(stream.rowCount);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The owner's suspect and selector rows as stored by the pipeline. */
export function exportOwnerRows(url: string, ownerId: string): Promise<ExportedRows> {
  return withClient(url, async (client) => {
    if (!/^[0-9a-f-]{36}$/.test(ownerId)) throw new Error(`not a uuid: ${ownerId}`);
    const owner = `'${ownerId}'`;
    const suspects = await exportQuery(client, `SELECT * FROM suspect WHERE owner_id = ${owner}`);
    const selectors = await exportQuery(
      client,
      `SELECT x.* FROM selector x JOIN suspect s ON s.id = x.suspect_id WHERE s.owner_id = ${owner}`,
    );
    const count = (chunks: Buffer[]) => chunks.reduce((n, c) => n + c.reduce((m, b) => m + (b === 10 ? 1 : 0), 0), 0);
    return { suspects, selectors, suspectCount: count(suspects), selectorCount: count(selectors) };
  });
}

/** Rows the record tables refer to (agencies, the operation, submissions): copied untimed. */
export function copyReferencedTables(fromUrl: string, toUrl: string): Promise<void> {
  return withClient(fromUrl, (source) =>
    withClient(toUrl, async (target) => {
      for (const table of ['agency', 'operation', 'operation_participant', 'submission']) {
        await importChunks(target, table, await exportQuery(source, `SELECT * FROM ${table}`));
      }
    }),
  );
}

/** Loads the rows with COPY in one transaction; answers the seconds it took, commit included. */
export function timedCopy(url: string, rows: ExportedRows): Promise<number> {
  return withClient(url, async (client) => {
    const started = performance.now();
    await client.query('BEGIN');
    const suspects = await importChunks(client, 'suspect', rows.suspects);
    const selectors = await importChunks(client, 'selector', rows.selectors);
    await client.query('COMMIT');
    const seconds = (performance.now() - started) / 1000;
    if (suspects !== rows.suspectCount || selectors !== rows.selectorCount) {
      throw new Error(`COPY loaded ${suspects}/${selectors} rows, expected ${rows.suspectCount}/${rows.selectorCount}`);
    }
    return seconds;
  });
}
