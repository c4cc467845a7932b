// Child of tests/kernel/pglite-thread.test.ts: opens the embedded database on its thread,
// answers one statement and ends without closing it. The process must exit by itself.
import { PGliteThread } from '../../kernel/pglite-thread.ts';

const thread = await PGliteThread.open({ dataDir: 'memory://' });
const { rows } = await thread.query<{ one: number }>('SELECT 1 AS one');
process.stdout.write(`answered ${rows[0]!.one}\n`);
