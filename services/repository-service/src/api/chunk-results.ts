import type { MessageInitShape } from '@bufbuild/protobuf';
import type { internalV1, uploadV1 } from '@tessera/contracts';
import { grpcStatusOf, isTesseraError } from '@tessera/errors';
import type { ChunkHeader, ChunkSettlement } from '../domain/chunks/chunk-writer';
import { requireUuid, toSafeNumber } from './proto-mapping';

export type ChunkResultMessage = MessageInitShape<typeof uploadV1.ChunkResultSchema>;

/** The domain's view of a chunk header; throws INVALID_ARGUMENT naming a malformed field. */
export function chunkHeaderOf(header: internalV1.ChunkHeader): ChunkHeader {
  return {
    uploadId: requireUuid('upload_id', header.uploadId),
    chunkNumber: toSafeNumber('chunk_number', header.chunkNumber),
    size: toSafeNumber('size', header.size),
    sha256: header.sha256,
    force: header.force,
  };
}

/**
 * A chunk's result: stored, or refused with the error's status (the stream goes on). An error that
 * is not Tessera's (a bug, a broken database connection) is thrown: it ends the call.
 */
export function chunkResultOf(chunkNumber: bigint, settled: ChunkSettlement): ChunkResultMessage {
  if (settled.status === 'fulfilled') {
    const { sha256, duplicate } = settled.value;
    return { chunkNumber, code: 0, sha256, duplicate };
  }
  const error: unknown = settled.reason;
  if (!isTesseraError(error)) throw error;
  return {
    chunkNumber,
    code: grpcStatusOf(error.code),
    message: error.message,
    ...(error.retryAfterSeconds !== undefined && { retryAfterSeconds: error.retryAfterSeconds }),
  };
}
