// B's GraphQL pressure (the flood, the costly queries) from a process of its own, as a partner
// on another machine would send it: run from the same process as A's measured read, B's
// thousands of answers took that process's event loop too, and A's requests went out late
// (counted as A's latency, though the gateway had nothing to do with it). The parent sends
// one load (its tokens included) and gets the sample back. Loopback only, bounded like every load.
import { graphqlLoad, type Load } from './pressure.ts';
import { TokenPool } from '../lib/load.ts';

type Job = Omit<Load, 'tokens'> & { tokens: string[] };

process.send?.({ ready: true });
process.once('message', (job: Job) => {
  void graphqlLoad({ ...job, tokens: new TokenPool(job.tokens) }).then(
    (sample) => process.send?.({ sample }, () => process.exit(0)),
    (error: unknown) => process.send?.({ error: String(error) }, () => process.exit(1)),
  );
});
