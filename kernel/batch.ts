// Group commit for the small writes every request makes (its audit event, its token id): one
// statement of a kind runs at a time per process, and the items that arrive while it runs wait
// and go together in the next one. Alone, an item goes at once, as before; under load, one
// statement (one round trip, one disk flush) serves every request that arrived meanwhile, so
// the number of statements follows the time they take, not the number of requests.
// DataLoader batches what one tick of the event loop asks for; these writes come from different
// requests over the time a statement takes, which is what this waits for instead.

/** Stores `items` in one statement; answers each one's result in the order given. */
export type BatchRun<I, O> = (items: I[]) => Promise<O[]>;

/**
 * A function that submits one item and resolves with its result once the statement that
 * carried it has finished. A statement that fails rejects the items it carried, and only those.
 */
export function batched<I, O>(run: BatchRun<I, O>, maxItems: number): (item: I) => Promise<O> {
  type Waiting = { item: I; resolve: (result: O) => void; reject: (error: unknown) => void };
  const waiting: Waiting[] = [];
  let running = false;
  async function drain(): Promise<void> {
    running = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.splice(0, maxItems);
        try {
          const results = await run(batch.map((w) => w.item));
          if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} answered ${results.length} results`);
          batch.forEach((w, i) => w.resolve(results[i]!));
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      running = false;
    }
  }
  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!running) void drain();
    });
}
