// Child process of pool-exit.test.ts (REL-24): uses an ingest worker pool the way a process
// that ends on its own does, then lets its event loop run dry. `lease` leases a worker and
// gives it back without a job (an idempotent replay answers before any parsing), `warm` starts
// the workers as the server does before it listens. Prints one line once done with the pool.
import { ParsePool } from '../../ingest/parse-pool.ts';

const pool = new ParsePool(1);
const mode = process.argv[2];
if (mode === 'lease') {
  const lease = await pool.lease();
  lease.release();
} else if (mode === 'warm') {
  await pool.warm();
} else {
  throw new Error(`unknown mode ${mode}`);
}
process.stdout.write(`done ${mode}\n`);
