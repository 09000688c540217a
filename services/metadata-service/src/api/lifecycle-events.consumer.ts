import { metrics } from '@opentelemetry/api';
import type { LifecycleDelivery } from '@tessera/events';
import type { Logger } from '@tessera/logging';
import type { NodeReader } from '../domain/node-reader';

/**
 * Keeps the node cache fresh from lifecycle events: UploadCompleted and NodeDeleted refresh the
 * node's entry from TiDB. The repository service already refreshes it before CompleteUpload and
 * DeleteNode answer (docs/read-path.md); this is the backstop for a refresh that failed after the
 * write committed, so an UploadCompleted whose version the cache already holds (outcome `current`)
 * costs a Redis read, not a TiDB one. Refreshing is idempotent and never installs an older version,
 * so redelivered or reordered events are harmless. A refresh that fails (Redis down) is logged and dropped: the
 * entry's TTL bounds how long it can be stale, and blocking the partition would help nobody.
 */
export class LifecycleEventsConsumer {
  private readonly handled = metrics
    .getMeter('tessera.metadata-service')
    .createCounter('tessera.lifecycle.events_handled', {
      description: 'Lifecycle events consumed by the metadata service, by type and outcome',
    });

  constructor(
    private readonly reader: NodeReader,
    private readonly logger: Logger,
  ) {}

  async handle({ event, eventId }: LifecycleDelivery): Promise<void> {
    const type = event.type.replace('tessera.events.v1.', '');
    if (
      event.type !== 'tessera.events.v1.UploadCompleted' &&
      event.type !== 'tessera.events.v1.NodeDeleted'
    ) {
      this.handled.add(1, { type, outcome: 'ignored' });
      return;
    }
    try {
      const refreshed = await this.refreshFor(event);
      this.handled.add(1, { type, outcome: refreshed ? 'refreshed' : 'current' });
    } catch (error) {
      this.handled.add(1, { type, outcome: 'failed' });
      this.logger.warn(
        { err: error, eventId, nodeId: event.message.nodeId, type },
        'could not refresh the node cache from a lifecycle event',
      );
    }
  }

  /** True when the node's entry was read from TiDB again. */
  private async refreshFor(event: LifecycleDelivery['event']): Promise<boolean> {
    if (event.type === 'tessera.events.v1.UploadCompleted')
      return this.reader.refreshUnlessCached(event.message.nodeId, Number(event.message.version));
    await this.reader.refresh(event.message.nodeId);
    return true;
  }
}
