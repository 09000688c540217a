import { randomBytes } from 'node:crypto';
import { create, toBinary, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { allocateWithHeadroom, bulkEncoderOf } from './bulk-encoders';
import { ReadFileResponseSchema } from './gen/tessera/download/v1/download_service_pb';
import {
  RelayChunksRequestSchema,
  WriteChunksRequestSchema,
} from './gen/tessera/internal/v1/repository_service_pb';
import {
  StreamChunksRequestSchema,
  UploadChunkRequestSchema,
  UploadChunksRequestSchema,
} from './gen/tessera/upload/v1/upload_service_pb';

const pick = <T>(...options: T[]): T => options[Math.floor(Math.random() * options.length)]!;
const someBytes = () => randomBytes(pick(1, 127, 128, 16_383, 16_384, 300_000, 2_097_152));
const bigNumber = () => pick(0n, 1n, 127n, 128n, 2n ** 32n, 2n ** 64n - 1n);

/** The bulk encoder gives what toBinary gives, or leaves the message to it. */
function expectSameBytes<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>): boolean {
  const message = create(schema, init);
  const bulk = bulkEncoderOf(schema)!(message);
  if (bulk === undefined) return false;
  expect(Buffer.from(bulk).equals(Buffer.from(toBinary(schema, message)))).toBe(true);
  return true;
}

describe('bulk encoders', () => {
  it('encode chunks of UploadChunk(s)Request and RelayChunksRequest exactly as toBinary does', () => {
    for (let round = 0; round < 200; round++) {
      const chunk = {
        uploadId: pick('', 'a8098c1a-f86e-11da-bd1a-00112444be1e'),
        chunkNumber: bigNumber(),
        data: someBytes(),
        sha256: pick('', 'ab'.repeat(32)),
        force: pick(true, false),
      };
      expect(expectSameBytes(UploadChunksRequestSchema, { chunk })).toBe(true);
      expect(expectSameBytes(UploadChunkRequestSchema, { chunk })).toBe(true);
      expect(expectSameBytes(RelayChunksRequestSchema, { chunk })).toBe(true);
      expect(expectSameBytes(StreamChunksRequestSchema, { chunk })).toBe(true);
    }
  });

  it('encode data frames of WriteChunksRequest and ReadFileResponse exactly as toBinary does', () => {
    for (let round = 0; round < 100; round++) {
      const data = someBytes();
      expect(expectSameBytes(WriteChunksRequestSchema, { frame: { case: 'data', value: data } })).toBe(true);
      expect(expectSameBytes(ReadFileResponseSchema, { offset: bigNumber(), data })).toBe(true);
    }
  });

  it('encode a ReadFileResponse around data allocated with headroom without copying it', () => {
    for (const offset of [0n, 1n, 2n ** 40n, 2n ** 64n - 1n]) {
      const data = allocateWithHeadroom(300_000);
      randomBytes(300_000).copy(data);
      const message = create(ReadFileResponseSchema, { offset, data });
      const encoded = bulkEncoderOf(ReadFileResponseSchema)!(message)!;
      expect(encoded.buffer).toBe(data.buffer);
      expect(Buffer.from(encoded).equals(Buffer.from(toBinary(ReadFileResponseSchema, message)))).toBe(true);
      // A subarray has no room of its own: encoded as a new buffer, the original left as it was.
      const part = create(ReadFileResponseSchema, { offset, data: data.subarray(10) });
      const copied = bulkEncoderOf(ReadFileResponseSchema)!(part)!;
      expect(copied.buffer).not.toBe(data.buffer);
      expect(Buffer.from(copied).equals(Buffer.from(toBinary(ReadFileResponseSchema, part)))).toBe(true);
    }
  });

  it('leave messages without bytes, with a node or with unknown fields to toBinary', () => {
    expect(expectSameBytes(UploadChunksRequestSchema, {})).toBe(false);
    expect(
      expectSameBytes(UploadChunksRequestSchema, { chunk: { uploadId: 'u', data: new Uint8Array() } }),
    ).toBe(false);
    expect(expectSameBytes(WriteChunksRequestSchema, { frame: { case: 'end', value: {} } })).toBe(false);
    expect(
      expectSameBytes(WriteChunksRequestSchema, { frame: { case: 'data', value: new Uint8Array() } }),
    ).toBe(false);
    expect(expectSameBytes(ReadFileResponseSchema, { node: { nodeId: 'n' }, data: someBytes() })).toBe(false);
    const unknown = create(UploadChunksRequestSchema, { chunk: { data: someBytes() } });
    unknown.chunk!.$unknown = [{ no: 9, wireType: 0, data: new Uint8Array([1]) }];
    expect(bulkEncoderOf(UploadChunksRequestSchema)!(unknown)).toBeUndefined();
  });
});
