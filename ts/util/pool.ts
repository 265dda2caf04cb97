// Owns the one bounded async worker pool of the project: run an async function over a list with
// at most `limit` calls in flight (store bulk loads, event-store reads, tuning trials, fold-in
// reads, benchmark warm-ups). Below every other layer: it imports nothing of the project.

/**
 * Calls `f(item, index)` for every item, at most `limit` at once, items started in order. Resolves
 * when all are done; on the first rejection no further item starts and that error is thrown once
 * the calls in flight have settled (so nothing keeps running behind the caller's back).
 */
export async function forEachLimit<T>(items: readonly T[], limit: number, f: (item: T, index: number) => Promise<void>): Promise<void> {
  if (!(limit >= 1)) throw new RangeError(`forEachLimit: limit must be at least 1, got ${limit}`);
  let next = 0;
  let failed = false;
  let error: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await f(items[i]!, i);
      } catch (e) {
        if (!failed) error = e;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.floor(limit), items.length) }, worker));
  if (failed) throw error;
}

/** The start offsets 0, size, 2·size, … below `n`: the batches of a bulk operation over n rows. */
export function batchStarts(n: number, size: number): number[] {
  if (!(size >= 1)) throw new RangeError(`batchStarts: size must be at least 1, got ${size}`);
  const out: number[] = [];
  for (let from = 0; from < n; from += size) out.push(from);
  return out;
}
