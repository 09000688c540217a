import { metrics } from '@opentelemetry/api';
import type { Logger } from '@tessera/logging';
import type { Outbox } from '../../domain/ports/outbox.port';
import type { RelayObserver } from '../../domain/events/outbox-relay';

/**
 * The relay's progress as metrics — events published, failed attempts, and the outbox lag (pending
 * events and the age of the oldest, read from TiDB at each scrape) — and as logs: the first failure
 * of a run and then at most one per logIntervalMs, and the recovery.
 */
export class OtelRelayObserver implements RelayObserver {
  private readonly meter = metrics.getMeter('tessera.repository-service');
  private readonly publishedEvents = this.meter.createCounter('tessera.outbox.published', {
    description: 'Lifecycle events published to Kafka by the outbox relay',
  });
  private readonly failures = this.meter.createCounter('tessera.outbox.publish_failures', {
    description: 'Failed attempts to publish a batch of the outbox (retried with backoff)',
  });
  private lastLoggedAt = -Infinity;

  constructor(
    private readonly logger: Logger,
    outbox: Outbox,
    private readonly logIntervalMs = 10_000,
  ) {
    const pending = this.meter.createObservableGauge('tessera.outbox.pending', {
      description: 'Lifecycle events written but not yet published',
    });
    const lag = this.meter.createObservableGauge('tessera.outbox.lag', {
      unit: 's',
      description: 'Age of the oldest unpublished lifecycle event (0 when none is pending)',
    });
    this.meter.addBatchObservableCallback(
      async (observer) => {
        const backlog = await outbox.backlog();
        observer.observe(pending, backlog.pending);
        observer.observe(lag, backlog.oldestAgeMs / 1000);
      },
      [pending, lag],
    );
  }

  published(count: number): void {
    this.publishedEvents.add(count);
  }

  publishFailed(error: unknown, consecutiveFailures: number): void {
    this.failures.add(1);
    const now = performance.now();
    if (consecutiveFailures > 1 && now - this.lastLoggedAt < this.logIntervalMs) return;
    this.lastLoggedAt = now;
    this.logger.warn(
      { err: error, consecutiveFailures },
      'outbox relay could not publish lifecycle events; they stay in the outbox and are retried',
    );
  }

  recovered(afterFailures: number): void {
    this.logger.info({ afterFailures }, 'outbox relay publishing again');
  }
}
