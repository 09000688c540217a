/** What the chunk write pool did over one interval (pool-usage.ts measures it). */
export interface PoolUsage {
  elapsedMs: number;
  /** The pool's size during the interval. */
  workers: number;
  /** Mean number of writes running, and of writes waiting for a worker. */
  meanBusy: number;
  meanQueued: number;
  /** Chunks refused because the queue was full. */
  refused: number;
  /** Writes that finished, and those of them that failed on the storage side (S3, TiDB). */
  finished: number;
  failed: number;
  /** Mean time a finished write held its worker: the storage's latency as the pool sees it. */
  meanWriteMs: number;
}

/** Between which sizes the pool moves, and how eagerly. See docs/upload.md, "Adaptive chunk writers". */
export interface PoolSizingPolicy {
  minWorkers: number;
  maxWorkers: number;
  /** Workers kept beyond the measured demand, as a factor (1.25: a quarter more). */
  headroom: number;
  /** A share of failed writes at or above which the pool halves: a failing store is not helped by more requests. */
  backOffErrorRatio: number;
  /** Consecutive intervals of low demand before the pool shrinks (hysteresis). */
  shrinkAfterIntervals: number;
}

export const DEFAULT_POOL_SIZING = {
  headroom: 1.25,
  backOffErrorRatio: 0.2,
  shrinkAfterIntervals: 3,
} as const;

export type PoolDecision =
  { change: 'none' } | { change: 'grow' | 'shrink' | 'back-off'; workers: number; why: string };

/**
 * Sizes the chunk write pool from its own measurements, once an interval. The demand is the mean
 * of writes running plus waiting (Little's law: at the same arrival rate a slower S3 keeps more
 * writes running, so S3 latency raises it); refused chunks mean more still.
 * - grow at once to the demand with headroom when chunks waited or were refused;
 * - shrink by a quarter at most, and only after `shrinkAfterIntervals` intervals in a row in which
 *   the demand with headroom used under half the pool: growth is quick, shrinking slow, so the
 *   pool does not oscillate;
 * - halve when at least `backOffErrorRatio` of the writes failed on the storage side.
 */
export class WorkerPoolSizer {
  private lowIntervals = 0;

  constructor(private readonly policy: PoolSizingPolicy) {}

  decide(usage: PoolUsage): PoolDecision {
    const { minWorkers, maxWorkers, headroom, backOffErrorRatio, shrinkAfterIntervals } = this.policy;
    const { workers, meanBusy, meanQueued, refused, finished, failed, meanWriteMs } = usage;
    const demand = meanBusy + meanQueued;
    const clamp = (size: number) => Math.min(maxWorkers, Math.max(minWorkers, size));
    const measured = `demand ${demand.toFixed(1)} (running ${meanBusy.toFixed(1)}, waiting ${meanQueued.toFixed(1)}, refused ${refused}), writes ${finished} taking ${Math.round(meanWriteMs)} ms on average, ${failed} failed`;

    if (failed >= 3 && failed / finished >= backOffErrorRatio) {
      this.lowIntervals = 0;
      const fewer = clamp(Math.floor(workers / 2));
      return fewer < workers ? { change: 'back-off', workers: fewer, why: measured } : { change: 'none' };
    }
    if (meanQueued >= 0.5 || refused > 0) {
      this.lowIntervals = 0;
      const needed = clamp(Math.ceil(demand * headroom) + refused);
      return needed > workers ? { change: 'grow', workers: needed, why: measured } : { change: 'none' };
    }
    if (demand * headroom >= workers / 2) {
      this.lowIntervals = 0;
      return { change: 'none' };
    }
    if (++this.lowIntervals < shrinkAfterIntervals) return { change: 'none' };
    this.lowIntervals = 0;
    const fewer = clamp(
      Math.max(Math.ceil(demand * headroom), Math.min(workers - 1, Math.ceil(workers * 0.75))),
    );
    return fewer < workers ? { change: 'shrink', workers: fewer, why: measured } : { change: 'none' };
  }
}
