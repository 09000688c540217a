import { createHash } from 'node:crypto';
import type { uploadV1 } from '@tessera/contracts';
import { ErrorCode, TesseraError } from '@tessera/errors';
import type { CheckedChunk } from './repository.port';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ChunkLimits {
  maxChunkBytes: number;
}

/**
 * Checks a chunk as a client sent it and computes its SHA-256. A client checksum that differs is
 * DATA_LOSS naming both values, and the chunk goes no further.
 */
export function checkChunk(chunk: uploadV1.Chunk | undefined, limits: ChunkLimits): CheckedChunk {
  if (!chunk) throw TesseraError.invalidArgument('chunk', 'is required');
  if (!UUID.test(chunk.uploadId)) throw TesseraError.invalidArgument('upload_id', 'must be a UUID');
  if (chunk.data.length === 0) throw TesseraError.invalidArgument('data', 'must not be empty');
  if (chunk.data.length > limits.maxChunkBytes) {
    throw TesseraError.invalidArgument('data', `must be at most ${limits.maxChunkBytes} bytes`);
  }
  const sha256 = createHash('sha256').update(chunk.data).digest('hex');
  const claimed = chunk.sha256.toLowerCase();
  if (claimed !== '' && claimed !== sha256) {
    throw new TesseraError(
      ErrorCode.DataLoss,
      `chunk ${chunk.chunkNumber} of upload ${chunk.uploadId}: the client sent sha256 ${claimed}, the received bytes have sha256 ${sha256}`,
    );
  }
  return {
    uploadId: chunk.uploadId,
    chunkNumber: chunk.chunkNumber,
    data: chunk.data,
    sha256,
    force: chunk.force,
  };
}
