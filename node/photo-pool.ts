import { admits, type ConcurrencyPlan } from './concurrency';

export interface PoolOptions<T> {
  plan: Pick<ConcurrencyPlan, 'jobs' | 'budgetBytes'>;
  /** Bytes the item will need (from its header); asked once, when the item is next in line. */
  bytes: (item: T) => Promise<number>;
  /**
   * Does the item's work on lane `lane` (0 .. jobs - 1; no two items share a lane at once).
   * Reports its own outcome; a rejection is rethrown once the items in flight have finished.
   */
  run: (item: T, lane: number) => Promise<void>;
  /** Checked before each start: false starts nothing more (the items in flight finish). */
  mayStart: () => boolean;
}

/**
 * Runs `items` in order, several at once: the next item starts as soon as a lane is free and
 * its bytes fit the budget next to those in flight (node/concurrency.ts `admits`), so a photo
 * too big to share memory waits for the others to finish and then runs alone. Resolves with the
 * number of items started, once every started item has finished.
 */
export async function runPool<T>(items: readonly T[], opts: PoolOptions<T>): Promise<number> {
  const inFlight = new Map<number, number>(); // lane -> bytes
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  let next = 0;
  let nextBytes: number | null = null;

  while (next < items.length && opts.mayStart() && failure === null) {
    nextBytes ??= await opts.bytes(items[next]);
    if (!admits(opts.plan, [...inFlight.values()], nextBytes)) {
      await Promise.race(running);
      continue;
    }
    if (!opts.mayStart()) break;
    let lane = 0;
    while (inFlight.has(lane)) lane++;
    inFlight.set(lane, nextBytes);
    const item = items[next++];
    nextBytes = null;
    const done: Promise<void> = opts
      .run(item, lane)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => {
        inFlight.delete(lane);
        running.delete(done);
      });
    running.add(done);
  }
  await Promise.all(running);
  if (failure !== null) throw (failure as { error: unknown }).error;
  return next;
}
