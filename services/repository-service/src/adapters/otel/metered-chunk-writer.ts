import { metrics } from '@opentelemetry/api';
import { isTesseraError } from '@tessera/errors';
import type {
  BatchChunk,
  ChunkBody,
  ChunkHeader,
  ChunkSettlement,
  ChunkSink,
  ChunkWriteResult,
} from '../../domain/chunks/chunk-writer';

/**
 * Counts what the chunk writer does: `tessera_chunks_uploaded_total{duplicate}`,
 * `tessera_uploaded_bytes_total` (bytes written, duplicates excluded),
 * `tessera_chunk_upload_failures_total{code}`, `tessera_inflight_chunks` and
 * `tessera_group_commit_chunks` (chunks per batch).
 */
export class MeteredChunkWriter implements ChunkSink {
  private readonly meter = metrics.getMeter('tessera.repository-service');
  private readonly chunks = this.meter.createCounter('tessera.chunks_uploaded', {
    description: 'Chunks stored (duplicate="true": the same bytes were already stored)',
  });
  private readonly bytes = this.meter.createCounter('tessera.uploaded', {
    description: 'Bytes of chunks written to S3 (duplicates excluded)',
    unit: 'By',
  });
  private readonly failures = this.meter.createCounter('tessera.chunk_upload_failures', {
    description: 'Chunks refused or failed, by error code',
  });
  private readonly batches = this.meter.createHistogram('tessera.group_commit.chunks', {
    description: 'Chunks written together in one batch (group commit)',
    unit: '{chunk}',
    advice: { explicitBucketBoundaries: [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] },
  });
  private readonly inflight = this.meter.createUpDownCounter('tessera.inflight_chunks', {
    description: 'Chunks being written right now',
    unit: '{chunk}',
  });

  constructor(private readonly writer: ChunkSink) {}

  async write(header: ChunkHeader, body: ChunkBody): Promise<ChunkWriteResult> {
    this.inflight.add(1);
    try {
      const result = await this.writer.write(header, body);
      this.counted(header, result);
      return result;
    } catch (error) {
      this.failed(error);
      throw error;
    } finally {
      this.inflight.add(-1);
    }
  }

  async writeBatch(chunks: BatchChunk[]): Promise<ChunkSettlement[]> {
    this.batches.record(chunks.length);
    this.inflight.add(chunks.length);
    try {
      const settled = await this.writer.writeBatch(chunks);
      settled.forEach((settlement, k) => {
        if (settlement.status === 'fulfilled') this.counted(chunks[k]!.header, settlement.value);
        else this.failed(settlement.reason);
      });
      return settled;
    } catch (error) {
      chunks.forEach(() => this.failed(error));
      throw error;
    } finally {
      this.inflight.add(-chunks.length);
    }
  }

  private counted(header: ChunkHeader, result: ChunkWriteResult): void {
    this.chunks.add(1, { duplicate: result.duplicate });
    if (!result.duplicate) this.bytes.add(header.size);
  }

  private failed(error: unknown): void {
    this.failures.add(1, { code: isTesseraError(error) ? error.code : 'INTERNAL' });
  }
}
