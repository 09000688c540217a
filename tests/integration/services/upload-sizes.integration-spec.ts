import { createHash, randomBytes } from 'node:crypto';
import { status, type Client } from '@grpc/grpc-js';
import { downloadV1, uploadV1 } from '@tessera/contracts';
import { callClientStream, callServerStream, callUnary, createGrpcClient } from '@tessera/grpc';
import { createS3Client, S3ObjectStore } from '@tessera/object-storage';
import { DeterministicFile, minioClientOptions } from '@tessera/testing';
import { startUploadStack, type UploadStack } from './service-process';

const KiB = 1024;
const MiB = 1024 * KiB;
const rpc = uploadV1.UploadService.method;

describe('the public upload API with chunks of every size, retries and force, and 1 GiB', () => {
  let stack: UploadStack;
  let client: Client;
  let objects: S3ObjectStore;
  let destroyS3: () => void;

  beforeAll(async () => {
    stack = await startUploadStack('upload_sizes');
    client = createGrpcClient(uploadV1.UploadService, stack.intakeAddress, {
      'grpc.max_send_message_length': -1,
    });
    const s3 = createS3Client(minioClientOptions(2));
    objects = new S3ObjectStore(s3, stack.bucket);
    destroyS3 = () => s3.destroy();
  });

  afterAll(async () => {
    client.close();
    destroyS3();
    await stack.stop();
  });

  const initiate = async (name: string) =>
    (await callUnary(client, rpc.initiateUpload, { name, driveId: 'drive-sizes' })).uploadId;
  const chunk = (uploadId: string, chunkNumber: number, data: Buffer, force = false) => ({
    chunk: { uploadId, chunkNumber: BigInt(chunkNumber), data, force },
  });

  /** How many calls of each RepositoryService method the repository service has answered. */
  async function repositoryCallCounts(): Promise<Record<string, number>> {
    const text = await (await fetch(`${stack.repositoryHttpUrl}/metrics`)).text();
    const counts: Record<string, number> = {};
    for (const [, method, count] of text.matchAll(
      /^rpc_server_call_duration_seconds_count\{[^}]*rpc_method="tessera\.internal\.v1\.RepositoryService\/(\w+)"[^}]*\} (\d+)/gm,
    ))
      counts[method!] = (counts[method!] ?? 0) + Number(count);
    return counts;
  }

  /** SHA-256 of the stored object, read back from MinIO as a stream. */
  async function storedSha256(key: string, size: bigint): Promise<string> {
    const hash = createHash('sha256');
    if (size > 0n)
      for await (const piece of await objects.readRange(key, 0, Number(size))) hash.update(piece);
    return hash.digest('hex');
  }

  it('assembles alternating 7 MiB and 1 KiB chunks, a 1-byte and a 64 MiB chunk, sent out of order', async () => {
    const uploadId = await initiate('mixed.bin');
    const sizes = [7 * MiB, KiB, 7 * MiB, KiB, 64 * MiB, 1, 7 * MiB, KiB];
    const parts = sizes.map((size) => randomBytes(size));
    const order = [4, 7, 1, 6, 0, 3, 5, 2];
    const lanes = [order.filter((_, k) => k % 2 === 0), order.filter((_, k) => k % 2 === 1)];
    const answers = await Promise.all(
      lanes.map((lane) =>
        callClientStream(
          client,
          rpc.uploadChunks,
          lane.map((n) => chunk(uploadId, n, parts[n]!)),
        ),
      ),
    );
    expect(answers.flatMap((answer) => answer.results).every((result) => result.code === status.OK)).toBe(
      true,
    );

    const whole = createHash('sha256');
    for (const part of parts) whole.update(part);
    const { node } = await callUnary(client, rpc.completeUpload, { uploadId, totalChunks: 8n });
    expect(node?.size).toBe(BigInt(sizes.reduce((sum, size) => sum + size, 0)));
    expect(node?.sha256).toBe(whole.digest('hex'));
    expect(await storedSha256(node!.location!.key, node!.size)).toBe(node!.sha256);
  });

  it('answers a retried chunk OK without a second write, different bytes ALREADY_EXISTS, and force replaces', async () => {
    const uploadId = await initiate('retries.bin');
    const original = randomBytes(100);
    const replacement = randomBytes(100);
    await callUnary(client, rpc.uploadChunk, chunk(uploadId, 0, original));

    const { result: retried } = await callUnary(client, rpc.uploadChunk, chunk(uploadId, 0, original));
    expect(retried).toMatchObject({ code: status.OK, duplicate: true });

    const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    await expect(callUnary(client, rpc.uploadChunk, chunk(uploadId, 0, replacement))).rejects.toMatchObject({
      code: status.ALREADY_EXISTS,
      details: expect.stringContaining(sha(original)),
    });
    const { result: forced } = await callUnary(
      client,
      rpc.uploadChunk,
      chunk(uploadId, 0, replacement, true),
    );
    expect(forced).toMatchObject({ code: status.OK, duplicate: false, sha256: sha(replacement) });

    const { node } = await callUnary(client, rpc.completeUpload, { uploadId });
    expect(node?.sha256).toBe(sha(replacement));
    expect(await storedSha256(node!.location!.key, node!.size)).toBe(sha(replacement));
  });

  it('stores a 1 GiB file sent as 8 MiB chunks on 4 streams byte-identical, and reads it back byte-identical', async () => {
    const file = new DeterministicFile(1024 * MiB, 8 * MiB);
    const expected = file.sha256();
    const uploadId = await initiate('one-gib.bin');
    await Promise.all(
      [0, 1, 2, 3].map(async (lane) => {
        async function* chunks() {
          for (let index = lane; index < file.chunkCount; index += 4)
            yield chunk(uploadId, index, file.chunk(index));
        }
        const { results } = await callClientStream(client, rpc.uploadChunks, chunks());
        expect(results.filter((result) => result.code !== status.OK)).toEqual([]);
      }),
    );
    const { node } = await callUnary(client, rpc.completeUpload, {
      uploadId,
      totalChunks: BigInt(file.chunkCount),
      sha256: expected,
    });
    expect(node).toMatchObject({ size: BigInt(file.sizeBytes), sha256: expected });
    expect(await storedSha256(node!.location!.key, node!.size)).toBe(expected);
    // Relayed as received (RelayChunks), not re-encoded into frames (WriteChunks).
    const calls = await repositoryCallCounts();
    expect(calls['RelayChunks']).toBeGreaterThanOrEqual(4);
    expect(calls['WriteChunks']).toBeUndefined();

    // And back through ReadFile: parallel ranged reads, reassembled in order.
    const downloads = createGrpcClient(downloadV1.DownloadService, stack.intakeAddress);
    const hash = createHash('sha256');
    let received = 0;
    for await (const message of callServerStream(downloads, downloadV1.DownloadService.method.readFile, {
      nodeId: node!.nodeId,
    })) {
      expect(message.offset).toBe(BigInt(received));
      hash.update(message.data);
      received += message.data.length;
    }
    downloads.close();
    expect(received).toBe(file.sizeBytes);
    expect(hash.digest('hex')).toBe(expected);
  }, 300_000);
});
