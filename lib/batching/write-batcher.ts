/**
 * Group commit for writes that many requests make at once (webhook deliveries): the items of concurrent callers
 * are written together, one statement for many requests, instead of one round trip and one statement each.
 *
 * Nothing waits on a timer. An item submitted while fewer than `maxInFlight` writes run is written on the next turn
 * of the event loop, together with whatever else arrived in the same turn, so a lone request is not slowed down.
 * Under load the writes in flight fill up, items queue meanwhile, and each next write takes up to `maxItems` of them:
 * the busier the server, the larger the batches.
 *
 * If a write of several items fails with an error `isFatal` does not claim (e.g. a value one item carries that the
 * database refuses), each item is written again on its own, so one bad item cannot fail the requests that happened
 * to share its batch. A fatal error (the database out of reach) fails the whole batch at once.
 */
export interface WriteBatcherOptions<T, R> {
  /** Writes the items in one go; answers one result per item, in order. */
  write: (items: T[]) => Promise<R[]>;
  maxItems: number;
  maxInFlight: number;
  isFatal?: (error: unknown) => boolean;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export function createWriteBatcher<T, R>(options: WriteBatcherOptions<T, R>): (item: T) => Promise<R> {
  const queue: Waiting<T, R>[] = [];
  let inFlight = 0;
  let scheduled = false;

  const schedule = () => {
    if (scheduled || inFlight >= options.maxInFlight || queue.length === 0) return;
    scheduled = true;
    setImmediate(flush);
  };

  async function writeAll(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await options.write(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`write answered ${results.length} results for ${batch.length} items`);
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1 || options.isFatal?.(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      for (const w of batch) await writeAll([w]);
    }
  }

  async function flush(): Promise<void> {
    scheduled = false;
    if (inFlight >= options.maxInFlight) return;
    const batch = queue.splice(0, options.maxItems);
    if (batch.length === 0) return;
    inFlight++;
    // More queued than one write takes: start the next write now rather than after this one.
    schedule();
    try {
      await writeAll(batch);
    } finally {
      inFlight--;
      schedule();
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
