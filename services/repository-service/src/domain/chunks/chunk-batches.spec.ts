import { batchable, joinsBatch } from './chunk-batches';
import type { BatchChunk } from './chunk-batch-writer';

const KiB = 1024;
const MiB = 1024 * KiB;

const chunk = (chunkNumber: number, bytes = 64 * KiB, uploadId = 'u1', force = false): BatchChunk => ({
  header: { uploadId, chunkNumber, size: bytes, sha256: '0'.repeat(64), force },
  data: new Uint8Array(bytes),
});

describe('group commit batches', () => {
  it('batches chunks that would be staged anyway and are not forced', () => {
    expect(batchable(chunk(0))).toBe(true);
    expect(batchable(chunk(0, 5 * MiB))).toBe(false); // a direct part of the multipart upload
    expect(batchable(chunk(0, 64 * KiB, 'u1', true))).toBe(false);
  });

  it('joins chunks of the same upload, each number once, up to the byte bound', () => {
    const batch = [chunk(0), chunk(1)];
    expect(joinsBatch(batch, chunk(2), MiB)).toBe(true);
    expect(joinsBatch(batch, chunk(7), MiB)).toBe(true); // out of order: its offset is recorded
    expect(joinsBatch(batch, chunk(1), MiB)).toBe(false); // sent again: written alone, after
    expect(joinsBatch(batch, chunk(2, 64 * KiB, 'u2'), MiB)).toBe(false);
    expect(joinsBatch(batch, chunk(2, 64 * KiB, 'u1', true), MiB)).toBe(false);
    expect(joinsBatch(batch, chunk(2), 192 * KiB)).toBe(true);
    expect(joinsBatch(batch, chunk(2), 192 * KiB - 1)).toBe(false);
    expect(joinsBatch([chunk(0, 5 * MiB)], chunk(1), 64 * MiB)).toBe(false);
    expect(joinsBatch(batch, chunk(2), 0)).toBe(false);
  });
});
