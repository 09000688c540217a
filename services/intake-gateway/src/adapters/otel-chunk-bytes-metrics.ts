import { metrics } from '@opentelemetry/api';
import type { ChunkBytesBudgetObserver } from '../domain/chunk-bytes-budget';

/**
 * The gateway's chunk bytes on /metrics: `tessera_intake_chunks_held_bytes` and
 * `tessera_throttled_requests_total{reason="gateway-bytes"}`.
 */
export class OtelChunkBytesMetrics implements ChunkBytesBudgetObserver {
  private readonly meter = metrics.getMeter('tessera.intake-gateway');
  private readonly throttled = this.meter.createCounter('tessera.throttled_requests', {
    description: 'Chunks refused with RESOURCE_EXHAUSTED, by the bound they hit',
  });

  observe(heldBytes: () => number): void {
    this.meter
      .createObservableGauge('tessera.intake.chunks_held', {
        unit: 'By',
        description: 'Chunk bytes received and not yet forwarded (MAX_INFLIGHT_CHUNK_BYTES bounds it)',
      })
      .addCallback((result) => result.observe(heldBytes()));
  }

  refused(): void {
    this.throttled.add(1, { reason: 'gateway-bytes' });
  }
}
