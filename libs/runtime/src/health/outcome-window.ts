/** An outcome that counted: when it settled and how. */
export interface CountedOutcome {
  at: number;
  kind: 'ok' | 'slow' | 'error';
}

/** Times in order, dropped from the front: a queue without shifting the array on every drop. */
class TimeQueue<T extends { at: number }> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  first(): T | undefined {
    return this.items[this.head];
  }

  last(): T | undefined {
    return this.length > 0 ? this.items[this.items.length - 1] : undefined;
  }

  /** Drops the items before `since`, handing each to `dropped`. */
  dropBefore(since: number, dropped: (item: T) => void = () => undefined): void {
    while (this.head < this.items.length && this.items[this.head]!.at < since)
      dropped(this.items[this.head++]!);
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * The counted outcomes of the last `windowMs`, their counts kept as they come and go, so judging
 * costs the same however many operations a busy service records.
 */
export class OutcomeWindow {
  private readonly all = new TimeQueue<CountedOutcome>();
  private readonly failed = new TimeQueue<CountedOutcome>();
  private readonly counts = { ok: 0, slow: 0, error: 0 };

  constructor(private readonly windowMs: number) {}

  add(outcome: CountedOutcome): void {
    this.all.push(outcome);
    this.counts[outcome.kind]++;
    if (outcome.kind !== 'ok') this.failed.push(outcome);
    const since = outcome.at - this.windowMs;
    this.all.dropBefore(since, (dropped) => this.counts[dropped.kind]--);
    this.failed.dropBefore(since);
  }

  get size(): number {
    return this.all.length;
  }

  get failures(): number {
    return this.counts.slow + this.counts.error;
  }

  get errors(): number {
    return this.counts.error;
  }

  lastFailureAt(): number | undefined {
    return this.failed.last()?.at;
  }

  /** From the first failure in the window to the last. */
  failureSpanMs(): number {
    const first = this.failed.first();
    const last = this.failed.last();
    return first && last ? last.at - first.at : 0;
  }
}
