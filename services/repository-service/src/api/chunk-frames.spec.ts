import { Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import type { internalV1 } from '@tessera/contracts';
import { framedChunks } from './chunk-frames';

type Frame = internalV1.WriteChunksRequest;
const header = (chunkNumber: number) =>
  ({ frame: { case: 'header', value: { chunkNumber: BigInt(chunkNumber) } } }) as unknown as Frame;
const data = (byte: number) =>
  ({ frame: { case: 'data', value: new Uint8Array([byte]) } }) as unknown as Frame;
const end = () => ({ frame: { case: 'end', value: {} } }) as unknown as Frame;

/** Frames arriving one at a time, like a network stream. */
async function* slowly(frames: Frame[]): AsyncIterable<Frame> {
  for (const frame of frames) {
    await new Promise((resolve) => setImmediate(resolve));
    yield frame;
  }
}

describe('framedChunks', () => {
  it('yields each chunk and skips what a failed consumer left unread, while its read-ahead still runs', async () => {
    const frames = [header(0), data(1), data(2), data(3), end(), header(1), data(9), end()];
    const seen: [number, number[]][] = [];
    for await (const chunk of framedChunks(slowly(frames))) {
      const bytes: number[] = [];
      if (chunk.header.chunkNumber === 0n) {
        // Like an S3 upload that fails: pipe() leaves the read-ahead source running.
        const failing = new Writable({
          write: (piece: Uint8Array, _encoding, done) => (
            bytes.push(...piece),
            done(new Error('storage failed'))
          ),
        });
        Readable.from(chunk.body).pipe(failing);
        await once(failing, 'error').catch(() => undefined);
      } else {
        for await (const piece of chunk.body) bytes.push(...piece);
      }
      seen.push([Number(chunk.header.chunkNumber), bytes]);
    }
    expect(seen).toEqual([
      [0, [1]],
      [1, [9]],
    ]);
  });

  it('refuses data before a header and a header inside a chunk', async () => {
    const consume = async (frames: Frame[]) => {
      for await (const chunk of framedChunks(slowly(frames))) for await (const _ of chunk.body) void _;
    };
    await expect(consume([data(1)])).rejects.toThrow('expected a chunk header');
    await expect(consume([header(0), data(1), header(1)])).rejects.toThrow(
      'chunk 0: header before its end frame',
    );
    await expect(consume([header(0), data(1)])).rejects.toThrow('stream ended inside chunk 0');
  });
});
