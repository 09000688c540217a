import { createHash } from 'node:crypto';
import type { uploadV1 } from '@tessera/contracts';
import { TesseraError } from '@tessera/errors';
import type { CheckedChunk } from './repository.port';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ChunkLimits {
  maxChunkBytes: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Checks a chunk as a client sent it and names its SHA-256. A checksum the client sent is passed on
 * as it is: the repository service hashes the bytes as it stores them and refuses the chunk with
 * DATA_LOSS naming both values when they differ, so hashing here as well would only spend the
 * gateway's CPU twice. Without one, the gateway computes it (the repository claims a chunk by its
 * hash before the bytes arrive).
 */
export function checkChunk(chunk: uploadV1.Chunk | undefined, limits: ChunkLimits): CheckedChunk {
  if (!chunk) throw TesseraError.invalidArgument('chunk', 'is required');
  if (!UUID.test(chunk.uploadId)) throw TesseraError.invalidArgument('upload_id', 'must be a UUID');
  if (chunk.data.length === 0) throw TesseraError.invalidArgument('data', 'must not be empty');
  if (chunk.data.length > limits.maxChunkBytes) {
    throw TesseraError.invalidArgument('data', `must be at most ${limits.maxChunkBytes} bytes`);
  }
  const claimed = chunk.sha256.toLowerCase();
  if (claimed !== '' && !SHA256_HEX.test(claimed)) {
    throw TesseraError.invalidArgument('sha256', 'must be 64 hex characters (or empty)');
  }
  return {
    uploadId: chunk.uploadId,
    chunkNumber: chunk.chunkNumber,
    data: chunk.data,
    sha256: claimed || createHash('sha256').update(chunk.data).digest('hex'),
    force: chunk.force,
  };
}
