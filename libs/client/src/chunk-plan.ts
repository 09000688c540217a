/** Which chunks of a file to send, and over which stream: pure arithmetic, no I/O. */

export interface ChunkRange {
  first: bigint;
  last: bigint;
}

/** Chunks of `chunkBytes` covering `totalBytes`; an empty file has none (chunks are never empty). */
export function chunkCountOf(totalBytes: number, chunkBytes: number): number {
  if (!Number.isInteger(chunkBytes) || chunkBytes <= 0) {
    throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  }
  return Math.ceil(totalBytes / chunkBytes);
}

/** Chunk numbers 0..count-1 that none of the received ranges covers, in order. */
export function chunksNotReceived(count: number, received: ChunkRange[]): number[] {
  const covered = (chunk: number) =>
    received.some((range) => BigInt(chunk) >= range.first && BigInt(chunk) <= range.last);
  return Array.from({ length: count }, (_, chunk) => chunk).filter((chunk) => !covered(chunk));
}

/**
 * Deals chunks round-robin over at most `lanes` lanes, so every lane moves through the file, in
 * runs of `run` chunks: a lane's consecutive chunks reach the server together, which stores small
 * ones as one (group commit, docs/upload.md).
 */
export function dealOverLanes(chunks: number[], lanes: number, run = 1): number[][] {
  const count = Math.max(1, Math.min(lanes, Math.ceil(chunks.length / run)));
  const dealt: number[][] = Array.from({ length: count }, () => []);
  chunks.forEach((chunk, index) => dealt[Math.floor(index / run) % count]!.push(chunk));
  return dealt.filter((lane) => lane.length > 0);
}

/** Chunks of `chunkBytes` per run of a lane: about GROUP_COMMIT_BYTES' default (8 MiB) each. */
export function runOfChunks(chunkBytes: number): number {
  return Math.max(1, Math.floor((8 * 1024 * 1024) / chunkBytes));
}

/** Byte range [offset, offset + length) of a chunk in a file of `totalBytes`. */
export function chunkSpan(
  chunk: number,
  chunkBytes: number,
  totalBytes: number,
): { offset: number; length: number } {
  const offset = chunk * chunkBytes;
  return { offset, length: Math.max(0, Math.min(chunkBytes, totalBytes - offset)) };
}
