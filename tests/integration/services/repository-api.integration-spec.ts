import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { status, type Client } from '@grpc/grpc-js';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { internalV1 } from '@tessera/contracts';
import { callBidiStream, callClientStream, callUnary, createGrpcClient } from '@tessera/grpc';
import { createS3Client, S3ObjectStore } from '@tessera/object-storage';
import { createTidbPool } from '@tessera/sql';
import { eventually, minioClientOptions, stackEndpoints } from '@tessera/testing';
import { buffer } from 'node:stream/consumers';
import { answersInTurn } from './in-turn';
import { startUploadStack, type UploadStack } from './service-process';

const MiB = 1024 * 1024;
const rpc = internalV1.RepositoryService.method;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
type Frame = MessageInitShape<typeof internalV1.WriteChunksRequestSchema>;

/** The frames of one chunk: header, data in pieces, end. */
function framesOf(
  uploadId: string,
  chunkNumber: number,
  data: Buffer,
  options: { force?: boolean; piece?: number } = {},
): Frame[] {
  const piece = options.piece ?? MiB;
  const frames: Frame[] = [
    {
      frame: {
        case: 'header',
        value: {
          uploadId,
          chunkNumber: BigInt(chunkNumber),
          size: BigInt(data.length),
          sha256: sha256(data),
          force: options.force ?? false,
        },
      },
    },
  ];
  for (let offset = 0; offset < data.length; offset += piece) {
    frames.push({ frame: { case: 'data', value: data.subarray(offset, offset + piece) } });
  }
  frames.push({ frame: { case: 'end', value: {} } });
  return frames;
}

describe('repository-service internal API, as a process against the real stack', () => {
  let stack: UploadStack;
  let bucket: string;
  let client: Client;

  beforeAll(async () => {
    stack = await startUploadStack('repository_api');
    bucket = stack.bucket;
    client = createGrpcClient(internalV1.RepositoryService, stack.repositoryAddress);
  });

  afterAll(async () => {
    client.close();
    await stack.stop();
  });

  const createUpload = async (name: string) =>
    (
      await callUnary(client, rpc.createUpload, {
        request: { name, driveId: 'drive-1', userMetadata: { team: 'platform' } },
      })
    ).response!;

  it('takes chunks out of order on one stream, reports each, and completes a byte-exact object', async () => {
    const upload = await createUpload('video.mp4');
    expect(upload.suggestedChunkBytes).toBe(BigInt(8 * MiB));
    const chunks = [randomBytes(6 * MiB), randomBytes(5 * MiB), randomBytes(1234)];
    const other = randomBytes(1234);
    const response = await callClientStream(client, rpc.writeChunks, [
      ...framesOf(upload.uploadId, 2, chunks[2]!, { piece: 100 }),
      ...framesOf(upload.uploadId, 0, chunks[0]!),
      ...framesOf(upload.uploadId, 2, chunks[2]!),
      ...framesOf(upload.uploadId, 2, other),
      ...framesOf(upload.uploadId, 1, chunks[1]!),
    ]);
    expect(response.results.map((r) => [Number(r.chunkNumber), r.code, r.duplicate])).toEqual([
      [2, status.OK, false],
      [0, status.OK, false],
      [2, status.OK, true],
      [2, status.ALREADY_EXISTS, false],
      [1, status.OK, false],
    ]);
    expect(response.results[3]!.message).toContain(sha256(other));

    const progress = (await callUnary(client, rpc.getUploadStatus, { uploadId: upload.uploadId })).status!;
    expect(progress.received.map((r) => [Number(r.first), Number(r.last)])).toEqual([[0, 2]]);
    expect(progress.receivedBytes).toBe(BigInt(11 * MiB + 1234));

    const whole = Buffer.concat(chunks);
    const { node } = await callUnary(client, rpc.completeUpload, {
      request: { uploadId: upload.uploadId, totalChunks: 3n, sha256: sha256(whole) },
    });
    expect(node).toMatchObject({
      nodeId: upload.nodeId,
      version: 1n,
      size: BigInt(whole.length),
      sha256: sha256(whole),
    });
    expect(node!.location).toMatchObject({ bucket, key: `drive-1/${upload.nodeId}` });

    const s3 = createS3Client(minioClientOptions(1));
    const stored = await buffer(
      await new S3ObjectStore(s3, bucket).readRange(node!.location!.key, 0, whole.length),
    );
    s3.destroy();
    expect(sha256(stored)).toBe(sha256(whole));
  });

  it('answers clear statuses: unknown upload, malformed id, missing chunks, frames out of place', async () => {
    await expect(
      callUnary(client, rpc.getUploadStatus, { uploadId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
    await expect(callUnary(client, rpc.abortUpload, { uploadId: 'not-an-id' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'upload_id: must be a UUID',
    });
    const upload = await createUpload('partial.bin');
    await callClientStream(client, rpc.writeChunks, framesOf(upload.uploadId, 1, randomBytes(10)));
    await expect(
      callUnary(client, rpc.completeUpload, { request: { uploadId: upload.uploadId, totalChunks: 2n } }),
    ).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION,
      details: expect.stringContaining('missing chunks 0'),
    });
    await expect(
      callClientStream(client, rpc.writeChunks, [{ frame: { case: 'data', value: new Uint8Array(3) } }]),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('expected a chunk header'),
    });
  });

  it('takes chunks relayed whole (RelayChunks): with a SHA-256 in any case, without one, and a wrong one refused', async () => {
    const upload = await createUpload('relayed.bin');
    const chunks = [randomBytes(5 * MiB), randomBytes(3 * MiB), randomBytes(77)];
    const relay = (chunkNumber: number, data: Buffer, sha?: string) => ({
      chunk: {
        uploadId: upload.uploadId,
        chunkNumber: BigInt(chunkNumber),
        data,
        ...(sha && { sha256: sha }),
      },
    });
    // Each result is answered once its chunk is settled: the next chunk is sent only after it came.
    const requests = [
      relay(0, chunks[0]!, sha256(chunks[0]!).toUpperCase()),
      relay(1, chunks[1]!),
      relay(2, randomBytes(77), sha256(chunks[2]!)),
      relay(2, chunks[2]!, sha256(chunks[2]!)),
    ];
    const results = await answersInTurn(requests, (sent) => callBidiStream(client, rpc.relayChunks, sent));
    expect(results.map((r) => [Number(r.chunkNumber), r.code, r.sha256])).toEqual([
      [0, status.OK, sha256(chunks[0]!)],
      [1, status.OK, sha256(chunks[1]!)],
      [2, status.DATA_LOSS, ''],
      [2, status.OK, sha256(chunks[2]!)],
    ]);
    const whole = Buffer.concat(chunks);
    const { node } = await callUnary(client, rpc.completeUpload, {
      request: { uploadId: upload.uploadId, totalChunks: 3n, sha256: sha256(whole) },
    });
    expect(node).toMatchObject({ size: BigInt(whole.length), sha256: sha256(whole) });
    const malformed = callBidiStream(client, rpc.relayChunks, [{ chunk: relay(0, chunks[0]!).chunk }, {}]);
    await expect(
      (async () => {
        for await (const _answer of malformed) {
          // the first chunk's result; then the stream fails
        }
      })(),
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: 'chunk: is required' });
  });

  it('stores small chunks that arrive together as one batch, and one by one while an instance of an earlier release is alive', async () => {
    const stagedObjects = async (uploadId: string) => {
      const s3 = createS3Client(minioClientOptions(1));
      try {
        const prefix = `.tessera-staging/${uploadId}/`;
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
        return page.KeyCount ?? 0;
      } finally {
        s3.destroy();
      }
    };
    /** 40 chunks of 4 KiB on one RelayChunks stream, all sent at once; how many objects hold them. */
    const relayForty = async () => {
      const upload = await createUpload('small-chunks.bin');
      const requests = Array.from({ length: 40 }, (_, n) => ({
        chunk: { uploadId: upload.uploadId, chunkNumber: BigInt(n), data: randomBytes(4096) },
      }));
      const results: number[] = [];
      for await (const { result } of callBidiStream(client, rpc.relayChunks, requests))
        results.push(result!.code);
      expect(results).toEqual(Array(40).fill(status.OK));
      return stagedObjects(upload.uploadId);
    };
    expect(await relayForty()).toBeLessThan(40);
    const metrics = await (await fetch(`${stack.repositoryHttpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^tessera_group_commit_chunks_count\S* [1-9]/m);

    // An instance of the release before group commit beats as it did: its row says nothing of batches.
    const db = createTidbPool({
      ...stackEndpoints().tidb,
      password: '',
      database: stack.database,
      connectionLimit: 1,
    });
    const earlier = randomUUID();
    /** Waits for the repository to log that group commit turned `on` or off, after the last such line. */
    const switched = (on: boolean) => {
      const turned = (line: Record<string, unknown>) => String(line['message']).startsWith('group commit ');
      const before = stack.repositoryLogs.filter(turned).length;
      return eventually(() => {
        const lines = stack.repositoryLogs.filter(turned);
        expect(lines.length).toBeGreaterThan(before);
        expect(lines.at(-1)!['message']).toMatch(on ? /^group commit on/ : /^group commit off/);
      });
    };
    try {
      const off = switched(false);
      await db.execute('INSERT INTO repository_instances (instance_id, heartbeat_at) VALUES (?, NOW(6))', [
        earlier,
      ]);
      await off;
      expect(await relayForty()).toBe(40);
      const on = switched(true);
      await db.execute('DELETE FROM repository_instances WHERE instance_id = ?', [earlier]);
      await on;
      expect(await relayForty()).toBeLessThan(40);
    } finally {
      await db.end();
    }
  });

  it('aborts an upload, after which its chunks are refused', async () => {
    const upload = await createUpload('aborted.bin');
    await callUnary(client, rpc.abortUpload, { uploadId: upload.uploadId });
    const response = await callClientStream(
      client,
      rpc.writeChunks,
      framesOf(upload.uploadId, 0, randomBytes(10)),
    );
    expect(response.results[0]).toMatchObject({
      code: status.FAILED_PRECONDITION,
      message: expect.stringContaining('ABORTED'),
    });
  });
});
