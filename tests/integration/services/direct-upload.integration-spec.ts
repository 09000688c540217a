import { createHash, randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { status, type Client } from '@grpc/grpc-js';
import { uploadV1 } from '@tessera/contracts';
import { callUnary, createGrpcClient } from '@tessera/grpc';
import { createS3Client, S3ObjectStore } from '@tessera/object-storage';
import { minioClientOptions } from '@tessera/testing';
import { startUploadStack, type UploadStack } from './service-process';

const MiB = 1024 * 1024;
const rpc = uploadV1.UploadService.method;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The client's PUT of a presigned chunk straight to MinIO: the HTTP status. */
async function put(chunk: uploadV1.PresignedChunk, body: Uint8Array): Promise<number> {
  return (await fetch(chunk.url, { method: 'PUT', body, headers: chunk.headers })).status;
}

describe('direct chunks: the client writes to MinIO itself, the services in the control path only', () => {
  let stack: UploadStack;
  let client: Client;

  beforeAll(async () => {
    stack = await startUploadStack('direct_upload');
    client = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
  });
  afterAll(async () => {
    client.close();
    await stack.stop();
  });

  const planned = (chunkNumber: number, data: Uint8Array) => ({
    chunkNumber: BigInt(chunkNumber),
    size: BigInt(data.length),
    sha256: sha256(data),
  });
  const initiate = async () =>
    (await callUnary(client, rpc.initiateUpload, { name: `direct-${Date.now()}.bin`, driveId: 'drive-d' }))
      .uploadId;

  it('uploads a file whose chunks went straight to MinIO, byte for byte, resumable by status', async () => {
    const uploadId = await initiate();
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(4321)];
    const { chunks } = await callUnary(client, rpc.presignChunks, {
      uploadId,
      chunks: parts.map((data, n) => planned(n, data)),
      totalChunks: 3n,
    });
    expect(chunks.map((chunk) => [Number(chunk.chunkNumber), chunk.stored])).toEqual([
      [0, false],
      [1, false],
      [2, false],
    ]);
    expect(chunks[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:9000\/.*partNumber=1/);
    expect(chunks[0]!.expiresAt!.seconds).toBeGreaterThan(BigInt(Math.floor(Date.now() / 1000)));

    expect(await put(chunks[0]!, parts[0]!)).toBe(200);
    expect(await put(chunks[2]!, parts[2]!)).toBe(200);
    const partial = await callUnary(client, rpc.getUploadStatus, { uploadId });
    expect(partial.missing.map((range) => [Number(range.first), Number(range.last)])).toEqual([[1, 1]]);

    expect(await put(chunks[1]!, parts[1]!)).toBe(200);
    const whole = Buffer.concat(parts);
    const { node } = await callUnary(client, rpc.completeUpload, {
      uploadId,
      totalChunks: 3n,
      sha256: sha256(whole),
    });
    expect(node).toMatchObject({ size: BigInt(whole.length), sha256: sha256(whole), version: 1n });

    const s3 = createS3Client(minioClientOptions(2));
    const stored = await buffer(
      await new S3ObjectStore(s3, stack.bucket).readRange(node!.location!.key, 0, whole.length),
    );
    s3.destroy();
    expect(sha256(stored)).toBe(sha256(whole));
  });

  it('refuses a PUT after its URL expired; presigning again lets the chunk through', async () => {
    const uploadId = await initiate();
    const data = randomBytes(1000);
    const ask = { uploadId, chunks: [planned(0, data)], totalChunks: 1n, ttlSeconds: 1 };
    const [expiring] = (await callUnary(client, rpc.presignChunks, ask)).chunks;
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await put(expiring!, data)).toBe(403);
    const status = await callUnary(client, rpc.getUploadStatus, { uploadId });
    expect(status.receivedBytes).toBe(0n);
    const [fresh] = (await callUnary(client, rpc.presignChunks, { ...ask, ttlSeconds: 60 })).chunks;
    expect(await put(fresh!, data)).toBe(200);
    const { node } = await callUnary(client, rpc.completeUpload, {
      uploadId,
      totalChunks: 1n,
      sha256: sha256(data),
    });
    expect(node).toMatchObject({ size: 1000n, sha256: sha256(data) });
  });

  it('never counts bytes MinIO refused, and refuses bad plans naming the field', async () => {
    const uploadId = await initiate();
    const data = randomBytes(MiB);
    const { chunks } = await callUnary(client, rpc.presignChunks, {
      uploadId,
      chunks: [planned(0, data)],
      totalChunks: 1n,
    });
    expect(await put(chunks[0]!, randomBytes(MiB))).toBe(400);
    await expect(callUnary(client, rpc.completeUpload, { uploadId, totalChunks: 1n })).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION,
      details: expect.stringContaining('missing chunks 0'),
    });

    await expect(
      callUnary(client, rpc.presignChunks, {
        uploadId,
        chunks: [planned(0, randomBytes(10))],
        totalChunks: 2n,
      }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('chunks[0].size'),
    });
    await expect(
      callUnary(client, rpc.presignChunks, { uploadId: 'nope', chunks: [planned(0, data)] }),
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringContaining('upload_id') });
  });
});
