import type { PoolUsage } from './worker-pool-sizer';

/**
 * Measures the chunk write pool between two readings: the time-weighted mean of writes running and
 * waiting, refusals, and the writes that finished with how long they held a worker.
 */
export class PoolUsageMeter {
  private since: number;
  private lastChange: number;
  private busy = 0;
  private queued = 0;
  private busyArea = 0;
  private queuedArea = 0;
  private refused = 0;
  private finished = 0;
  private failed = 0;
  private writeMs = 0;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.since = this.lastChange = now();
  }

  /** The pool now has `busy` writes running and `queued` waiting. */
  changed(busy: number, queued: number): void {
    this.accumulate();
    this.busy = busy;
    this.queued = queued;
  }

  refusedOne(): void {
    this.refused++;
  }

  /** A write let its worker go after `heldMs`; `failed` when the storage side failed it. */
  finishedOne(heldMs: number, failed: boolean): void {
    this.finished++;
    this.writeMs += heldMs;
    if (failed) this.failed++;
  }

  /** The usage since the last reading (or since the start), and a new interval begins. */
  take(workers: number): PoolUsage {
    this.accumulate();
    const elapsedMs = this.lastChange - this.since;
    const usage: PoolUsage = {
      elapsedMs,
      workers,
      meanBusy: elapsedMs > 0 ? this.busyArea / elapsedMs : this.busy,
      meanQueued: elapsedMs > 0 ? this.queuedArea / elapsedMs : this.queued,
      refused: this.refused,
      finished: this.finished,
      failed: this.failed,
      meanWriteMs: this.finished > 0 ? this.writeMs / this.finished : 0,
    };
    this.since = this.lastChange;
    this.busyArea = this.queuedArea = this.refused = this.finished = this.failed = this.writeMs = 0;
    return usage;
  }

  private accumulate(): void {
    const at = this.now();
    const span = at - this.lastChange;
    this.busyArea += this.busy * span;
    this.queuedArea += this.queued * span;
    this.lastChange = at;
  }
}
