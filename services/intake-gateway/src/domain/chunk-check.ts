import type { uploadV1 } from '@tessera/contracts';
import { TesseraError } from '@tessera/errors';
import type { CheckedChunk } from './repository.port';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ChunkLimits {
  maxChunkBytes: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Checks a chunk as a client sent it. Its SHA-256 is not computed here: the repository service
 * hashes the bytes as it stores them (refusing the chunk with DATA_LOSS naming both values when the
 * client's differs) and computes it first when the client sent none, so the gateway forwards the
 * request unchanged.
 */
export function checkChunk(
  request: uploadV1.UploadChunksRequest | uploadV1.UploadChunkRequest | uploadV1.StreamChunksRequest,
  limits: ChunkLimits,
): CheckedChunk {
  const chunk = request.chunk;
  if (!chunk) throw TesseraError.invalidArgument('chunk', 'is required');
  if (!UUID.test(chunk.uploadId)) throw TesseraError.invalidArgument('upload_id', 'must be a UUID');
  if (chunk.data.length === 0) throw TesseraError.invalidArgument('data', 'must not be empty');
  if (chunk.data.length > limits.maxChunkBytes) {
    throw TesseraError.invalidArgument('data', `must be at most ${limits.maxChunkBytes} bytes`);
  }
  if (chunk.sha256 !== '' && !SHA256_HEX.test(chunk.sha256.toLowerCase())) {
    throw TesseraError.invalidArgument('sha256', 'must be 64 hex characters (or empty)');
  }
  return {
    uploadId: chunk.uploadId,
    chunkNumber: chunk.chunkNumber,
    data: chunk.data,
    sha256: chunk.sha256,
    force: chunk.force,
    received: request,
  };
}
