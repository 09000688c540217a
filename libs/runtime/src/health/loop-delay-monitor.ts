/** How late this process's event loop ran over a span of time. */
export interface LoopDelay {
  /** The longest delay (ms) the event loop had between `from` and `to` (performance.now() times). */
  delayDuring(from: number, to: number): number;
}

interface Tick {
  /** When the tick ran, and how much later than planned. */
  at: number;
  lateMs: number;
}

/**
 * Measures the event loop's delay with a timer that should run every `tickMs`: each tick records how
 * late it ran, that is how long the loop (or the whole process, descheduled on a busy machine) could
 * not run callbacks. Keeps the ticks of the last `keepMs`. A timer due while the loop was blocked
 * runs in the same turn as the tick that measures the block, after it (timers run in due order), so
 * an operation's timeout always finds its delay recorded.
 */
export class LoopDelayMonitor implements LoopDelay {
  private readonly ticks: Tick[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = performance.now();

  constructor(
    private readonly tickMs = 20,
    private readonly keepMs = 60_000,
  ) {}

  start(): this {
    this.last = performance.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  delayDuring(from: number, to: number): number {
    let worst = 0;
    // A tick at `at` covers the span (at - tickMs - lateMs, at]: it overlaps [from, to] when it
    // ran after `from` and its span began before `to`.
    for (let i = this.ticks.length - 1; i >= 0; i--) {
      const { at, lateMs } = this.ticks[i]!;
      if (at < from) break;
      if (at - this.tickMs - lateMs <= to) worst = Math.max(worst, lateMs);
    }
    const pending = performance.now() - this.last - this.tickMs; // the tick not yet run
    if (pending > 0 && this.last <= to) worst = Math.max(worst, pending);
    return worst;
  }

  private tick(): void {
    const now = performance.now();
    this.ticks.push({ at: now, lateMs: Math.max(0, now - this.last - this.tickMs) });
    this.last = now;
    const oldest = now - this.keepMs;
    let drop = 0;
    while (drop < this.ticks.length && this.ticks[drop]!.at < oldest) drop++;
    if (drop > 0) this.ticks.splice(0, drop);
  }
}

let processMonitor: LoopDelayMonitor | undefined;

/** The process's one loop delay monitor, started on first use. */
export function processLoopDelay(): LoopDelay {
  return (processMonitor ??= new LoopDelayMonitor().start());
}
