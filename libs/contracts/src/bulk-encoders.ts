import type { DescMessage } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { ReadFileResponseSchema, type ReadFileResponse } from './gen/tessera/download/v1/download_service_pb';
import {
  RelayChunksRequestSchema,
  WriteChunksRequestSchema,
  type RelayChunksRequest,
  type WriteChunksRequest,
} from './gen/tessera/internal/v1/repository_service_pb';
import type { Chunk } from './gen/tessera/upload/v1/upload_pb';
import {
  StreamChunksRequestSchema,
  UploadChunkRequestSchema,
  UploadChunksRequestSchema,
  type StreamChunksRequest,
  type UploadChunkRequest,
  type UploadChunksRequest,
} from './gen/tessera/upload/v1/upload_service_pb';

/**
 * Encoders for the messages that carry file bytes, giving exactly the bytes `toBinary` gives but
 * copying the bytes field once: `toBinary` copies it again for every message it is nested in. Each
 * answers undefined for a message it does not handle (no bytes, unknown fields), left to `toBinary`.
 * Every copy of a chunk is memory the garbage collector has to reclaim, and at upload speed that
 * collection was most of the services' CPU (docs/benchmarks.md).
 */
type BulkEncoder = (message: never) => Uint8Array | undefined;

function lengthDelimited(writer: BinaryWriter, fieldNo: number, length: number): BinaryWriter {
  return writer.tag(fieldNo, WireType.LengthDelimited).uint32(length);
}

/** `before`, then `data`, then `after`, in one new buffer. */
function joined(before: Uint8Array, data: Uint8Array, after: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(before.length + data.length + after.length);
  out.set(before, 0);
  out.set(data, before.length);
  out.set(after, before.length + data.length);
  return out;
}

const hasUnknown = (message: { $unknown?: unknown[] | undefined }) => (message.$unknown?.length ?? 0) > 0;

/** A Chunk as the length-delimited field `fieldNo` of its parent (UploadChunk(s)Request.chunk = 1). */
function chunkField(fieldNo: number, chunk: Chunk | undefined): Uint8Array | undefined {
  if (!chunk || chunk.data.length === 0 || hasUnknown(chunk)) return undefined;
  const head = new BinaryWriter();
  if (chunk.uploadId !== '') head.tag(1, WireType.LengthDelimited).string(chunk.uploadId);
  if (chunk.chunkNumber !== 0n) head.tag(2, WireType.Varint).uint64(chunk.chunkNumber);
  const fieldsBefore = head.finish();
  const dataPrefix = lengthDelimited(new BinaryWriter(), 3, chunk.data.length).finish();
  const tail = new BinaryWriter();
  if (chunk.sha256 !== '') tail.tag(4, WireType.LengthDelimited).string(chunk.sha256);
  if (chunk.force) tail.tag(5, WireType.Varint).bool(chunk.force);
  const after = tail.finish();
  const chunkLength = fieldsBefore.length + dataPrefix.length + chunk.data.length + after.length;
  const before = lengthDelimited(new BinaryWriter(), fieldNo, chunkLength)
    .raw(fieldsBefore)
    .raw(dataPrefix)
    .finish();
  return joined(before, chunk.data, after);
}

function uploadChunkRequest(
  message: UploadChunkRequest | UploadChunksRequest | StreamChunksRequest | RelayChunksRequest,
): Uint8Array | undefined {
  return hasUnknown(message) ? undefined : chunkField(1, message.chunk);
}

function writeChunksRequest(message: WriteChunksRequest): Uint8Array | undefined {
  if (message.frame.case !== 'data' || message.frame.value.length === 0 || hasUnknown(message))
    return undefined;
  const data = message.frame.value;
  return joined(lengthDelimited(new BinaryWriter(), 2, data.length).finish(), data, new Uint8Array(0));
}

/** The most any message's fields before its bytes field take: a few tags and varints. */
const HEADROOM_BYTES = 32;
const headroomOf = new WeakMap<Uint8Array, number>();

/**
 * A buffer of `length` bytes with room before it for the fields a message puts ahead of its bytes
 * field, so encoding a message around it (ReadFileResponse.data) writes those fields there and
 * copies nothing. Only the buffer returned has the room: a subarray of it does not.
 */
export function allocateWithHeadroom(length: number): Buffer {
  const view = Buffer.allocUnsafe(HEADROOM_BYTES + length).subarray(HEADROOM_BYTES);
  headroomOf.set(view, HEADROOM_BYTES);
  return view;
}

/** `head` then `data`: written into the room before `data` when it has some, else joined anew. */
function headThenData(head: Uint8Array, data: Uint8Array): Uint8Array {
  if ((headroomOf.get(data) ?? 0) < head.length) return joined(head, data, new Uint8Array(0));
  const start = data.byteOffset - head.length;
  const whole = new Uint8Array(data.buffer, start, head.length + data.length);
  whole.set(head, 0);
  return whole;
}

function readFileResponse(message: ReadFileResponse): Uint8Array | undefined {
  if (message.node || message.data.length === 0 || hasUnknown(message)) return undefined;
  const head = new BinaryWriter();
  if (message.offset !== 0n) head.tag(2, WireType.Varint).uint64(message.offset);
  lengthDelimited(head, 3, message.data.length);
  return headThenData(head.finish(), message.data);
}

const encoders = new Map<string, BulkEncoder>([
  [UploadChunkRequestSchema.typeName, uploadChunkRequest],
  [UploadChunksRequestSchema.typeName, uploadChunkRequest],
  [StreamChunksRequestSchema.typeName, uploadChunkRequest],
  [RelayChunksRequestSchema.typeName, uploadChunkRequest],
  [WriteChunksRequestSchema.typeName, writeChunksRequest],
  [ReadFileResponseSchema.typeName, readFileResponse],
]);

/** The bulk encoder of a message type, if it has one. */
export function bulkEncoderOf<Desc extends DescMessage>(
  schema: Desc,
): ((message: unknown) => Uint8Array | undefined) | undefined {
  return encoders.get(schema.typeName) as ((message: unknown) => Uint8Array | undefined) | undefined;
}
