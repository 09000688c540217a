import type { CheckedChunk } from './repository.port';

/**
 * Cuts a byte stream (an HTTP request body) into chunks of chunkBytes for the upload path (the
 * repository service computes their SHA-256). Holds at most one chunk: the next is read only when the consumer asks for it.
 */
export async function* chunksOf(
  body: AsyncIterable<Uint8Array>,
  uploadId: string,
  chunkBytes: number,
): AsyncIterable<CheckedChunk> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let chunkNumber = 0n;
  const take = (): CheckedChunk => {
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return { uploadId, chunkNumber: chunkNumber++, data, sha256: '', force: false };
  };
  for await (const piece of body) {
    let rest = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (pendingBytes + rest.length >= chunkBytes) {
      const needed = chunkBytes - pendingBytes;
      pending.push(rest.subarray(0, needed));
      pendingBytes += needed;
      rest = rest.subarray(needed);
      yield take();
    }
    if (rest.length > 0) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0) yield take();
}
