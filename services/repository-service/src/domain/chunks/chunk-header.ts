import { TesseraError } from '@tessera/errors';

/** A chunk as the intake gateway announces it before its bytes. */
export interface ChunkHeader {
  uploadId: string;
  chunkNumber: number;
  size: number;
  /** Lower-case hex SHA-256 of the bytes, computed by the intake gateway. */
  sha256: string;
  force: boolean;
}

/** A chunk's bytes, in pieces, as they arrive. */
export type ChunkBody = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface ChunkWriteResult {
  chunkNumber: number;
  sha256: string;
  /** The same bytes were already stored: nothing was written. */
  duplicate: boolean;
}

export interface ChunkWriterOptions {
  maxChunkBytes: number;
  maxChunkNumber: number;
  claimStaleAfterMs: number;
  /** Key prefix of staged chunks, e.g. ".tessera-staging/". */
  stagingPrefix: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Throws INVALID_ARGUMENT naming the field when the header is out of the service's limits. */
export function checkChunkHeader(
  header: ChunkHeader,
  limits: Pick<ChunkWriterOptions, 'maxChunkBytes' | 'maxChunkNumber'>,
): void {
  if (
    !Number.isSafeInteger(header.chunkNumber) ||
    header.chunkNumber < 0 ||
    header.chunkNumber > limits.maxChunkNumber
  ) {
    throw TesseraError.invalidArgument('chunk_number', `must be between 0 and ${limits.maxChunkNumber}`);
  }
  if (!Number.isSafeInteger(header.size) || header.size < 1 || header.size > limits.maxChunkBytes) {
    throw TesseraError.invalidArgument('size', `must be between 1 and ${limits.maxChunkBytes} bytes`);
  }
  if (!SHA256_HEX.test(header.sha256)) {
    throw TesseraError.invalidArgument('sha256', 'must be 64 lower-case hex characters');
  }
}
