import { metrics } from '@opentelemetry/api';
import type { DirectChunkObserver } from '../../domain/ports/direct-chunk-store.port';

/**
 * What clients write straight to S3, apart from the streamed chunks' `tessera_chunks_uploaded_total`:
 * `tessera_direct_part_urls_total`, `tessera_direct_parts_total` and
 * `tessera_direct_uploaded_bytes_total` (parts S3 held with their planned bytes, recorded as stored).
 */
export class OtelDirectChunkMetrics implements DirectChunkObserver {
  private readonly meter = metrics.getMeter('tessera.repository-service');
  private readonly urls = this.meter.createCounter('tessera.direct.part_urls', {
    description: 'Presigned UploadPart URLs handed out for chunks clients write to S3 themselves',
  });
  private readonly parts = this.meter.createCounter('tessera.direct.parts', {
    description: 'Chunks clients wrote to S3 themselves, recorded as stored',
  });
  private readonly bytes = this.meter.createCounter('tessera.direct.uploaded', {
    description: 'Bytes of chunks clients wrote to S3 themselves, recorded as stored',
    unit: 'By',
  });

  urlsIssued(count: number): void {
    if (count > 0) this.urls.add(count);
  }

  partsRecorded(count: number, bytes: number): void {
    this.parts.add(count);
    this.bytes.add(bytes);
  }
}
