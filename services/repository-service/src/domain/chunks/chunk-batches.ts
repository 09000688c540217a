import { storageForChunk } from '../completion/assembly-plan';
import type { BatchChunk } from './chunk-batch-writer';

// Which relayed chunks are written together (group commit, docs/upload.md). Pure logic.

/** A chunk that may share a staged object: one that would be staged anyway, and not forced. */
export function batchable({ header, data }: BatchChunk): boolean {
  return !header.force && storageForChunk(header.chunkNumber, data.length) === 'staged';
}

/**
 * Whether `next` joins the batch: both batchable, the same upload, a chunk number not in it yet,
 * and the batch's bytes stay within `maxBatchBytes`.
 */
export function joinsBatch(batch: readonly BatchChunk[], next: BatchChunk, maxBatchBytes: number): boolean {
  const first = batch[0]!;
  if (!batchable(first) || !batchable(next)) return false;
  if (next.header.uploadId !== first.header.uploadId) return false;
  if (batch.some((chunk) => chunk.header.chunkNumber === next.header.chunkNumber)) return false;
  const bytes = batch.reduce((sum, chunk) => sum + chunk.data.length, 0);
  return bytes + next.data.length <= maxBatchBytes;
}
