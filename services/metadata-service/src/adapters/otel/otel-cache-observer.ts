import { metrics, trace } from '@opentelemetry/api';
import type { Logger } from '@tessera/logging';
import type { CacheObserver } from '../../domain/cached-node';

const meter = metrics.getMeter('tessera.metadata-service');
const lookups = meter.createCounter('tessera.cache.lookups', {
  description: 'Node metadata reads by whether the Redis cache answered',
});
const failures = meter.createCounter('tessera.cache.failures', {
  description: 'Cache operations that failed; the read was served from TiDB',
});

/**
 * Cache use as OpenTelemetry metrics and the span attribute cache.hit; failures also as a warning,
 * at most one per logIntervalMs (with how many it stands for) so a Redis outage does not flood logs.
 */
export class OtelCacheObserver implements CacheObserver {
  private lastLoggedAt = -Infinity;
  private unlogged = 0;

  constructor(
    private readonly logger: Logger,
    private readonly logIntervalMs = 10_000,
  ) {}

  lookedUp(hit: boolean): void {
    lookups.add(1, { 'cache.hit': hit });
    trace.getActiveSpan()?.setAttribute('cache.hit', hit);
  }

  failed(error: unknown, operation: 'get' | 'set'): void {
    failures.add(1, { operation });
    this.unlogged++;
    const now = performance.now();
    if (now - this.lastLoggedAt < this.logIntervalMs) return;
    this.logger.warn(
      { err: error, operation, failures: this.unlogged },
      'node cache unavailable: served from TiDB',
    );
    this.lastLoggedAt = now;
    this.unlogged = 0;
  }
}
