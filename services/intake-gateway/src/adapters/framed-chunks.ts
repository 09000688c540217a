import { createHash } from 'node:crypto';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { internalV1 } from '@tessera/contracts';
import type { CheckedChunk } from '../domain/repository.port';

type Frame = MessageInitShape<typeof internalV1.WriteChunksRequestSchema>;

/** The data frames a chunk is cut into on WriteChunks. */
const FRAME_BYTES = 1024 * 1024;

/**
 * Chunks as WriteChunks frames (header, data…, end), for a repository service older than
 * RelayChunks. Its header wants the SHA-256, which the gateway computes when the client sent none.
 */
export async function* framesOf(chunks: AsyncIterable<CheckedChunk>): AsyncIterable<Frame> {
  for await (const chunk of chunks) {
    const { uploadId, chunkNumber, force, data } = chunk;
    const sha256 = chunk.sha256.toLowerCase() || createHash('sha256').update(data).digest('hex');
    yield {
      frame: { case: 'header', value: { uploadId, chunkNumber, sha256, force, size: BigInt(data.length) } },
    };
    for (let offset = 0; offset < data.length; offset += FRAME_BYTES) {
      yield { frame: { case: 'data', value: data.subarray(offset, offset + FRAME_BYTES) } };
    }
    yield { frame: { case: 'end', value: {} } };
  }
}
