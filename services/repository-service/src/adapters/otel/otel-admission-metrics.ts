import { metrics } from '@opentelemetry/api';
import type {
  ChunkAdmissionObserver,
  ChunkAdmissionState,
  ThrottleReason,
} from '../../domain/admission/chunk-admission';

/**
 * The chunk write pool on /metrics: `tessera_throttled_requests_total{reason}`,
 * `tessera_task_queue_depth`, `tessera_chunk_workers`, `tessera_chunk_workers_busy` and
 * `tessera_chunk_worker_resizes_total{change}`.
 */
export class OtelAdmissionMetrics implements ChunkAdmissionObserver {
  private readonly meter = metrics.getMeter('tessera.repository-service');
  private readonly throttledChunks = this.meter.createCounter('tessera.throttled_requests', {
    description: 'Chunks refused with RESOURCE_EXHAUSTED, by the bound they hit (queue-full, upload-limit)',
  });
  private readonly resizes = this.meter.createCounter('tessera.chunk_worker_resizes', {
    description: 'Changes of the chunk write pool size, by kind (grow, shrink, back-off)',
  });

  /** Starts reporting the pool's state; `state` is read at each scrape. */
  observe(state: () => ChunkAdmissionState): void {
    const queueDepth = this.meter.createObservableGauge('tessera.task_queue_depth', {
      description: 'Chunks waiting for a chunk write worker',
    });
    const workers = this.meter.createObservableGauge('tessera.chunk_workers', {
      description: 'Chunk write workers: the pool size, between MIN_WORKERS and MAX_WORKERS',
    });
    const busy = this.meter.createObservableGauge('tessera.chunk_workers_busy', {
      description: 'Chunk write workers writing a chunk right now',
    });
    this.meter.addBatchObservableCallback(
      (observer) => {
        const now = state();
        observer.observe(queueDepth, now.queued);
        observer.observe(workers, now.workers);
        observer.observe(busy, now.busy);
      },
      [queueDepth, workers, busy],
    );
  }

  resized(change: string): void {
    this.resizes.add(1, { change });
  }

  throttled(reason: ThrottleReason): void {
    this.throttledChunks.add(1, { reason });
  }
}
