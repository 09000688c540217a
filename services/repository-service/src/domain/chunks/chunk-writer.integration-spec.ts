import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { ErrorCode } from '@tessera/errors';
import type { S3ObjectStore } from '@tessera/object-storage';
import type { TidbUploadStore } from '../../adapters/tidb/tidb-upload-store';
import { recordingCalls } from '../../testing/call-recorder.fixture';
import { openRealStack, type RealStack } from '../../testing/real-stack.fixture';
import { ChunkWriter, type ChunkHeader } from './chunk-writer';
import { stagingKeyOf } from './staged-objects';
import { initiating, testUpload } from '../../testing/uploads.fixture';

const MiB = 1024 * 1024;
const STAGING = '.tessera-staging/';
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

async function* inPieces(data: Buffer, pieceBytes = 256 * 1024): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += pieceBytes)
    yield data.subarray(offset, offset + pieceBytes);
}

describe('ChunkWriter with TiDB and MinIO', () => {
  let stack: RealStack;
  let objects: S3ObjectStore;
  let store: TidbUploadStore;
  let writer: ChunkWriter;

  beforeAll(async () => {
    stack = await openRealStack('chunk_writer');
    ({ objects, uploads: store } = stack);
    writer = stack.chunkWriter(STAGING);
  });

  afterAll(() => stack.close());

  async function newUpload(): Promise<string> {
    const uploadId = randomUUID();
    const nodeId = randomUUID();
    await store.createUpload(...initiating(testUpload({ uploadId, nodeId })));
    return uploadId;
  }

  const headerFor = (uploadId: string, chunkNumber: number, data: Buffer, force = false): ChunkHeader => ({
    uploadId,
    chunkNumber,
    size: data.length,
    sha256: sha256(data),
    force,
  });

  it('stages a small chunk as its own object and records it', async () => {
    const uploadId = await newUpload();
    const data = randomBytes(1000);
    expect(await writer.write(headerFor(uploadId, 3, data), inPieces(data))).toEqual({
      chunkNumber: 3,
      sha256: sha256(data),
      duplicate: false,
    });
    const staged = await buffer(await objects.readRange(stagingKeyOf(STAGING, uploadId, 3), 0, data.length));
    expect(sha256(staged)).toBe(sha256(data));
    expect(await store.listStoredChunks(uploadId)).toEqual([
      expect.objectContaining({ chunkNumber: 3, storage: 'staged' }),
    ]);
    expect((await store.findUpload(uploadId))?.state).toBe('IN_PROGRESS');
  });

  it('uploads large chunks straight into the multipart upload, created once for concurrent chunks', async () => {
    const uploadId = await newUpload();
    const { recorded: counted, calls } = recordingCalls(objects);
    const racing = new ChunkWriter(store, counted, {
      maxChunkBytes: 64 * MiB,
      maxChunkNumber: 1_000_000,
      claimStaleAfterMs: 60_000,
      stagingPrefix: STAGING,
    });
    const chunks = [randomBytes(5 * MiB), randomBytes(6 * MiB), randomBytes(5 * MiB), randomBytes(5 * MiB)];
    await Promise.all(chunks.map((data, n) => racing.write(headerFor(uploadId, n, data), inPieces(data))));
    expect(calls.filter((call) => call === 'createMultipartUpload')).toHaveLength(1);
    expect(calls.filter((call) => call === 'abortMultipartUpload')).toHaveLength(0);
    const stored = await store.listStoredChunks(uploadId);
    expect(stored.map((c) => [c.chunkNumber, c.storage, c.partNumber])).toEqual([
      [0, 'direct-part', 1],
      [1, 'direct-part', 2],
      [2, 'direct-part', 3],
      [3, 'direct-part', 4],
    ]);
    const upload = (await store.findUpload(uploadId))!;
    const object = await objects.completeMultipartUpload(
      { key: upload.objectKey, uploadId: upload.multipartUploadId! },
      stored.map((c) => ({ partNumber: c.partNumber!, etag: c.etag })),
    );
    expect(object.etag).toMatch(/-4"$/);
    const assembled = await buffer(await objects.readRange(upload.objectKey, 0, 21 * MiB));
    expect(sha256(assembled)).toBe(sha256(Buffer.concat(chunks)));
  });

  it('answers a retried identical chunk without writing, refuses different bytes, replaces them with force', async () => {
    const uploadId = await newUpload();
    const first = randomBytes(100);
    const second = randomBytes(100);
    await writer.write(headerFor(uploadId, 0, first), inPieces(first));
    expect(await writer.write(headerFor(uploadId, 0, first), inPieces(first))).toMatchObject({
      duplicate: true,
    });
    await expect(writer.write(headerFor(uploadId, 0, second), inPieces(second))).rejects.toMatchObject({
      code: ErrorCode.AlreadyExists,
      message: expect.stringContaining(sha256(first)),
    });
    await writer.write(headerFor(uploadId, 0, second, true), inPieces(second));
    const staged = await buffer(await objects.readRange(stagingKeyOf(STAGING, uploadId, 0), 0, 100));
    expect(sha256(staged)).toBe(sha256(second));
  });

  it('rejects bytes that do not match the announced hash and keeps the chunk missing', async () => {
    const uploadId = await newUpload();
    const data = randomBytes(500);
    const lying = { ...headerFor(uploadId, 1, data), sha256: sha256(randomBytes(500)) };
    await expect(writer.write(lying, inPieces(data))).rejects.toMatchObject({ code: ErrorCode.DataLoss });
    expect(await store.listStoredChunks(uploadId)).toEqual([]);
    expect((await writer.write(headerFor(uploadId, 1, data), inPieces(data))).duplicate).toBe(false);
  });

  it('names the field of a bad header, and refuses unknown or completing uploads', async () => {
    const data = randomBytes(10);
    const uploadId = await newUpload();
    await expect(writer.write({ ...headerFor(uploadId, -1, data) }, inPieces(data))).rejects.toThrow(
      'chunk_number',
    );
    await expect(
      writer.write({ ...headerFor(uploadId, 0, data), sha256: 'XYZ' }, inPieces(data)),
    ).rejects.toThrow('sha256');
    await expect(writer.write(headerFor(randomUUID(), 0, data), inPieces(data))).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    await store.beginCompletion(uploadId, { totalChunks: undefined, sha256: undefined });
    await expect(writer.write(headerFor(uploadId, 0, data), inPieces(data))).rejects.toMatchObject({
      code: ErrorCode.FailedPrecondition,
    });
  });
});
