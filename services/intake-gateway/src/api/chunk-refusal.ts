import type { uploadV1 } from '@tessera/contracts';
import { errorCodeOfGrpcStatus, TesseraError } from '@tessera/errors';

/** A refused chunk's result as the error the caller answers with, keeping its retry-after hint. */
export function chunkRefusal(
  result: Pick<uploadV1.ChunkResult, 'code' | 'message' | 'retryAfterSeconds'>,
): TesseraError {
  return new TesseraError(errorCodeOfGrpcStatus(result.code), result.message, {
    ...(result.retryAfterSeconds !== undefined && { retryAfterSeconds: result.retryAfterSeconds }),
  });
}
