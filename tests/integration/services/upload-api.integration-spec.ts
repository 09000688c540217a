import { createHash, randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { status, type Client } from '@grpc/grpc-js';
import { uploadV1 } from '@tessera/contracts';
import { callBidiStream, callClientStream, callUnary, createGrpcClient } from '@tessera/grpc';
import { createS3Client, S3ObjectStore } from '@tessera/object-storage';
import { minioClientOptions } from '@tessera/testing';
import { answersInTurn } from './in-turn';
import { startUploadStack, type UploadStack } from './service-process';

const MiB = 1024 * 1024;
const rpc = uploadV1.UploadService.method;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('the public upload API: intake-gateway in front of repository-service, as processes', () => {
  let stack: UploadStack;
  let bucket: string;
  let client: Client;

  beforeAll(async () => {
    stack = await startUploadStack('upload_api');
    bucket = stack.bucket;
    client = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
  });

  afterAll(async () => {
    client.close();
    await stack.stop();
  });

  const chunk = (uploadId: string, chunkNumber: number, data: Buffer, sha?: string) => ({
    uploadId,
    chunkNumber: BigInt(chunkNumber),
    data,
    ...(sha !== undefined && { sha256: sha }),
  });

  it('uploads a file: idempotent initiate, out-of-order stream with per-chunk results, resume, complete', async () => {
    const key = `key-${Date.now()}`;
    const initiated = await callUnary(client, rpc.initiateUpload, {
      name: 'movie.mkv',
      driveId: 'drive-7',
      idempotencyKey: key,
    });
    const again = await callUnary(client, rpc.initiateUpload, {
      name: 'movie.mkv',
      driveId: 'drive-7',
      idempotencyKey: key,
    });
    expect(again.uploadId).toBe(initiated.uploadId);
    expect(initiated.limits?.maxChunkBytes).toBe(BigInt(64 * MiB));
    const { uploadId } = initiated;

    const parts = [randomBytes(6 * MiB), randomBytes(5 * MiB), randomBytes(777), randomBytes(5 * MiB + 1)];
    const { results } = await callClientStream(client, rpc.uploadChunks, [
      { chunk: chunk(uploadId, 3, parts[3]!) },
      { chunk: chunk(uploadId, 0, parts[0]!, sha256(parts[0]!)) },
      { chunk: chunk(uploadId, 2, parts[2]!, sha256(randomBytes(5))) },
      { chunk: chunk(uploadId, 0, parts[0]!) },
    ]);
    expect(results.map((r) => [Number(r.chunkNumber), r.code, r.duplicate])).toEqual([
      [3, status.OK, false],
      [0, status.OK, false],
      [2, status.DATA_LOSS, false],
      [0, status.OK, true],
    ]);
    expect(results[2]!.message).toContain(sha256(parts[2]!));

    const progress = await callUnary(client, rpc.getUploadStatus, { uploadId });
    expect(progress.missing.map((r) => [Number(r.first), Number(r.last)])).toEqual([[1, 2]]);
    for (const n of [1, 2]) {
      const { result } = await callUnary(client, rpc.uploadChunk, { chunk: chunk(uploadId, n, parts[n]!) });
      expect(result?.sha256).toBe(sha256(parts[n]!));
    }

    const whole = Buffer.concat(parts);
    const { node } = await callUnary(client, rpc.completeUpload, {
      uploadId,
      totalChunks: 4n,
      sha256: sha256(whole),
    });
    expect(node).toMatchObject({
      name: 'movie.mkv',
      driveId: 'drive-7',
      size: BigInt(whole.length),
      sha256: sha256(whole),
    });
    const s3 = createS3Client(minioClientOptions(1));
    const stored = await buffer(
      await new S3ObjectStore(s3, bucket).readRange(node!.location!.key, 0, whole.length),
    );
    s3.destroy();
    expect(sha256(stored)).toBe(sha256(whole));

    await expect(
      callUnary(client, rpc.uploadChunk, { chunk: chunk(uploadId, 4, randomBytes(3)) }),
    ).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION,
      details: expect.stringContaining('COMPLETED'),
    });
  });

  it('answers each chunk on StreamChunks once it is durable, before the stream ends; refusals too', async () => {
    const { uploadId } = await callUnary(client, rpc.initiateUpload, {
      name: 'acked.bin',
      driveId: 'drive-7',
    });
    const parts = [randomBytes(5 * MiB), randomBytes(2 * MiB), randomBytes(3)];
    const requests = [
      { chunk: chunk(uploadId, 0, parts[0]!, sha256(parts[0]!)) },
      { chunk: chunk('not-an-upload', 1, parts[1]!) },
      { chunk: chunk(uploadId, 1, parts[1]!) },
      { chunk: chunk(uploadId, 2, parts[2]!, sha256(randomBytes(3))) },
      { chunk: chunk(uploadId, 2, parts[2]!) },
    ];
    // The next chunk is sent only once the previous one's result came: the stream stays open.
    const progress: number[][] = [];
    const results = await answersInTurn(
      requests,
      (sent) => callBidiStream(client, rpc.streamChunks, sent),
      async () => {
        const upload = await callUnary(client, rpc.getUploadStatus, { uploadId });
        progress.push(upload.received.map((range) => Number(range.last) + 1 - Number(range.first)));
      },
    );
    expect(results.map((r) => [Number(r.chunkNumber), r.code])).toEqual([
      [0, status.OK],
      [1, status.INVALID_ARGUMENT],
      [1, status.OK],
      [2, status.DATA_LOSS],
      [2, status.OK],
    ]);
    expect(results[1]!.message).toContain('upload_id');
    // What an OK answered was durable at that moment: the upload's status already listed it.
    expect(progress.map((ranges) => ranges.reduce((a, b) => a + b, 0))).toEqual([1, 1, 2, 2, 3]);
    const whole = Buffer.concat(parts);
    const { node } = await callUnary(client, rpc.completeUpload, {
      uploadId,
      totalChunks: 3n,
      sha256: sha256(whole),
    });
    expect(node?.size).toBe(BigInt(whole.length));
  });

  it('answers bad input with a status naming the field, and unknown uploads with NOT_FOUND', async () => {
    await expect(callUnary(client, rpc.initiateUpload, { name: '', driveId: 'd' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'name: must not be empty',
    });
    await expect(
      callUnary(client, rpc.uploadChunk, { chunk: chunk('nope', 0, randomBytes(3)) }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'upload_id: must be a UUID',
    });
    await expect(callUnary(client, rpc.uploadChunk, {})).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'chunk: is required',
    });
    const unknown = '00000000-0000-4000-8000-000000000000';
    await expect(
      callUnary(client, rpc.uploadChunk, { chunk: chunk(unknown, 0, randomBytes(3)) }),
    ).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
    await expect(callUnary(client, rpc.completeUpload, { uploadId: unknown })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });

  it('aborts an upload', async () => {
    const { uploadId } = await callUnary(client, rpc.initiateUpload, { name: 'tmp.bin', driveId: 'drive-7' });
    await callUnary(client, rpc.uploadChunk, { chunk: chunk(uploadId, 0, randomBytes(10)) });
    await callUnary(client, rpc.abortUpload, { uploadId });
    const progress = await callUnary(client, rpc.getUploadStatus, { uploadId });
    expect(progress.upload?.state).toBe(uploadV1.UploadState.ABORTED);
  });
});
