import type { EventPublisher, Outbox } from '../ports/outbox.port';

export interface OutboxRelayOptions {
  /** Most events published in one Kafka request. */
  batchSize: number;
  /** Pause when the outbox is empty, or another replica's relay is draining it. */
  idleDelayMs: number;
  /** Pause after a failed publish, doubled up to maxBackoffMs while failures continue. */
  initialBackoffMs: number;
  maxBackoffMs: number;
}

/** What the relay reports; the service turns it into metrics and logs. */
export interface RelayObserver {
  published(count: number): void;
  publishFailed(error: unknown, consecutiveFailures: number): void;
  recovered(afterFailures: number): void;
}

type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

const sleepUnlessAborted: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * Publishes the outbox to Kafka: oldest events first, a batch at a time, removing each batch once
 * Kafka acknowledged it. At least once: a batch acknowledged but not yet removed when the process
 * dies is published again. Failures are retried with exponential backoff, forever; the outbox
 * lag metric shows how far behind it is.
 */
export class OutboxRelay {
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private failures = 0;

  constructor(
    private readonly outbox: Outbox,
    private readonly publisher: EventPublisher,
    private readonly options: OutboxRelayOptions,
    private readonly observer: RelayObserver,
    private readonly sleep: Sleep = sleepUnlessAborted,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** Lets the batch in flight finish, then stops. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  /** One round: publishes up to a batch; returns how many were published, or 'busy'. */
  async relayOnce(): Promise<number | 'busy'> {
    const result = await this.outbox.drain(this.options.batchSize, (records) =>
      this.publisher.publish(records),
    );
    if (typeof result === 'number' && result > 0) this.observer.published(result);
    return result;
  }

  private async loop(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      await this.sleep(await this.nextDelay(), this.stopping.signal);
    }
  }

  /** Runs one round and says how long to wait before the next. */
  private async nextDelay(): Promise<number> {
    try {
      const result = await this.relayOnce();
      if (this.failures > 0) this.observer.recovered(this.failures);
      this.failures = 0;
      return result === this.options.batchSize ? 0 : this.options.idleDelayMs;
    } catch (error) {
      this.failures += 1;
      this.observer.publishFailed(error, this.failures);
      return Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** (this.failures - 1));
    }
  }
}
