import { ErrorCode, TesseraError } from '@tessera/errors';
import type { UploadState } from '../ports/upload-store.port';

// The refusals a chunk meets whether it is streamed or written by the client (direct-chunks.ts).

/** No such upload (state undefined), or one that accepts no more chunks. */
export function closedUpload(uploadId: string, state?: UploadState): TesseraError {
  return state === undefined
    ? TesseraError.notFound('upload', uploadId)
    : new TesseraError(
        ErrorCode.FailedPrecondition,
        `upload ${uploadId} is ${state}: it accepts no more chunks`,
      );
}

/** Other bytes hold the chunk's number. */
export function conflictingChunk(
  where: string,
  held: string,
  existingSha256: string,
  sha256: string,
): TesseraError {
  return new TesseraError(
    ErrorCode.AlreadyExists,
    `${where} is already ${held} with sha256 ${existingSha256}; this one has sha256 ${sha256} (set force to replace it)`,
  );
}

/** A stream is writing the chunk right now. */
export function chunkInProgress(where: string): TesseraError {
  return new TesseraError(ErrorCode.Unavailable, `${where} is being written by another stream; retry`, {
    retryAfterSeconds: 1,
  });
}
