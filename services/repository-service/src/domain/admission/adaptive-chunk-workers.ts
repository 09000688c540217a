import type { ChunkAdmission } from './chunk-admission';
import type { PoolDecision, WorkerPoolSizer } from './worker-pool-sizer';

/** Told of every change of the pool's size (a log line, a metric). */
export type PoolResized = (decision: Exclude<PoolDecision, { change: 'none' }>, from: number) => void;

/**
 * Resizes the chunk write pool once an interval from what it did over that interval
 * (worker-pool-sizer.ts has the rules). Run by a PeriodicTask.
 */
export class AdaptiveChunkWorkers {
  constructor(
    private readonly admission: Pick<ChunkAdmission, 'usage' | 'resize'>,
    private readonly sizer: WorkerPoolSizer,
    private readonly resized: PoolResized,
  ) {}

  /** One interval's decision, from what the pool did over it. */
  adjust(): void {
    const usage = this.admission.usage();
    const decision = this.sizer.decide(usage);
    if (decision.change === 'none') return;
    this.admission.resize(decision.workers);
    this.resized(decision, usage.workers);
  }
}
