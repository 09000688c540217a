import { createHash } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { TesseraError } from '@tessera/errors';
import { internalV1 } from '@tessera/contracts';

export interface FramedChunk {
  header: internalV1.ChunkHeader;
  /** The chunk's data frames; read it to the end or not at all, the next chunk waits either way. */
  body: AsyncIterable<Uint8Array>;
}

/**
 * Splits a WriteChunks stream (header, data..., end, header, ...) into chunks, one at a time. When
 * a chunk's consumer stops early (e.g. it refused the chunk), its remaining data frames are skipped.
 * A frame out of place fails the stream with INVALID_ARGUMENT.
 */
export async function* framedChunks(
  frames: AsyncIterable<internalV1.WriteChunksRequest>,
): AsyncIterable<FramedChunk> {
  const iterator = frames[Symbol.asyncIterator]();
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    const frame = next.value.frame;
    if (frame.case !== 'header') {
      throw TesseraError.invalidArgument(
        'frame',
        `expected a chunk header, got ${frame.case ?? 'an empty frame'}`,
      );
    }
    const chunkNumber = frame.value.chunkNumber;
    let ended = false;
    const readFrame = async (): Promise<Uint8Array | undefined> => {
      const data = await iterator.next();
      if (data.done) throw TesseraError.invalidArgument('frame', `stream ended inside chunk ${chunkNumber}`);
      const inner = data.value.frame;
      if (inner.case === 'data') return inner.value;
      if (inner.case === 'end') {
        ended = true;
        return undefined;
      }
      throw TesseraError.invalidArgument(
        'frame',
        `chunk ${chunkNumber}: ${inner.case ?? 'an empty frame'} before its end frame`,
      );
    };
    const body = (async function* () {
      for (let data = await readFrame(); data !== undefined; data = await readFrame()) yield data;
    })();
    yield { header: frame.value, body };
    // The consumer may have stopped with a read of the body still in flight (Readable.from reads
    // ahead). Calls on an async generator are queued, so draining through it waits for that read;
    // only then is it safe to skip what is left of the chunk on the stream itself.
    for await (const _skipped of body) {
      // discarded
    }
    while (!ended) await readFrame();
  }
}

/** A chunk relayed whole (RelayChunks): its header, as a framed chunk has it, and its bytes. */
export interface RelayedChunk {
  header: internalV1.ChunkHeader;
  data: Uint8Array;
}

/**
 * A chunk relayed whole. A chunk the client sent without its SHA-256 gets it here: a chunk is
 * claimed by its hash before its bytes are written.
 */
export function relayedChunk(request: internalV1.RelayChunksRequest): RelayedChunk {
  const chunk = request.chunk;
  if (!chunk) throw TesseraError.invalidArgument('chunk', 'is required');
  const { uploadId, chunkNumber, data, force } = chunk;
  const sha256 = chunk.sha256.toLowerCase() || createHash('sha256').update(data).digest('hex');
  const header = create(internalV1.ChunkHeaderSchema, {
    uploadId,
    chunkNumber,
    sha256,
    force,
    size: BigInt(data.length),
  });
  return { header, data };
}
