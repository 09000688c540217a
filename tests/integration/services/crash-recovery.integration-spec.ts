import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { status, type Client } from '@grpc/grpc-js';
import { TesseraClient, type UploadResult } from '@tessera/client';
import { metadataV1, uploadV1 } from '@tessera/contracts';
import { callUnary, createGrpcClient } from '@tessera/grpc';
import { createProxy, eventually, stackEndpoints, type Proxy, type StackService } from '@tessera/testing';
import { countUploadEvents } from './lifecycle-topic';
import { startUploadStack, type UploadStack } from './service-process';

const MiB = 1024 * 1024;
const { kafka } = stackEndpoints();
const allEvents = (chunks: number) => ({ initiated: 1, chunks, completed: 1 });
const rpc = uploadV1.UploadService.method;

/** Fast failure detection, so a killed instance's leftovers are taken over within a second. */
const QUICK_TAKEOVER = {
  INSTANCE_HEARTBEAT_MS: '200',
  INSTANCE_STALE_AFTER_MS: '1000',
  COMPLETION_RECOVERY_INTERVAL_MS: '300',
};

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function download(client: TesseraClient, nodeId: string): Promise<Buffer> {
  const sink = new PassThrough();
  const pieces: Buffer[] = [];
  sink.on('data', (piece: Buffer) => pieces.push(piece));
  await client.download(nodeId, sink, { parallelism: 4 });
  return Buffer.concat(pieces);
}

describe('kill -9 of a service mid-upload: the client resumes and the object is byte-identical', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-crash-'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each<StackService>(['repository', 'intake', 'metadata'])(
    'the %s service killed while chunks are on the way',
    async (victim) => {
      const stack = await startUploadStack(`crash_${victim}`, { repositoryEnv: QUICK_TAKEOVER });
      const client = new TesseraClient(stack.intakeAddress);
      try {
        const bytes = randomBytes(40 * MiB);
        const path = join(dir, `${victim}.bin`);
        await writeFile(path, bytes);
        let uploadId = '';
        let killed: Promise<void> | undefined;
        const options = { name: `${victim}.bin`, chunkBytes: 5 * MiB, streams: 2 };
        const interrupted = await client
          .upload(path, {
            ...options,
            maxRetries: 0, // a client that gives up at once, as a crashed one would
            onUploadStarted: (upload) => (uploadId = upload.uploadId),
            onProgress: (done) => {
              if (done >= 15 * MiB) killed ??= stack.kill(victim);
            },
          })
          .then(
            (result) => result,
            (error: Error) => error,
          );
        expect(killed).toBeDefined();
        await killed;
        await stack.restart(victim);

        const result =
          interrupted instanceof Error
            ? await client.upload(path, { ...options, resumeUploadId: uploadId })
            : (interrupted as UploadResult);
        expect(result.uploadId).toBe(uploadId);
        expect(result.node.sha256).toBe(sha256(bytes));
        expect(result.node.size).toBe(BigInt(bytes.length));
        const back = await download(client, result.node.nodeId);
        expect(back.equals(bytes)).toBe(true);
        const events = await countUploadEvents(kafka.brokers, stack.lifecycleTopic, uploadId);
        expect(events).toEqual(allEvents(8));
      } finally {
        client.close();
        await stack.stop();
      }
    },
    240_000,
  );
});

describe('kill -9 of the repository service while it completes an upload', () => {
  const { minio, toxiproxy } = stackEndpoints();

  let s3Proxy: Proxy;
  let stack: UploadStack;
  let uploads: Client;
  let client: TesseraClient;

  beforeAll(async () => {
    s3Proxy = await createProxy(
      toxiproxy.url,
      `crash-completing-${Date.now()}`,
      new URL(minio.endpoint).host,
    );
    stack = await startUploadStack('crash_completing', {
      repositoryEnv: { ...QUICK_TAKEOVER, S3_ENDPOINT: `http://127.0.0.1:${s3Proxy.port}` },
    });
    uploads = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
    client = new TesseraClient(stack.intakeAddress);
  }, 120_000);

  afterAll(async () => {
    uploads?.close();
    client?.close();
    await stack?.stop();
    await s3Proxy?.remove();
  });

  /** An upload of `size` random bytes with every 5 MiB chunk stored. */
  async function uploadChunks(name: string, size: number): Promise<{ uploadId: string; bytes: Buffer }> {
    const bytes = randomBytes(size);
    const { uploadId } = await callUnary(uploads, rpc.initiateUpload, { name, driveId: 'crash' });
    for (let chunk = 0; chunk * 5 * MiB < bytes.length; chunk++) {
      const data = bytes.subarray(chunk * 5 * MiB, (chunk + 1) * 5 * MiB);
      await callUnary(uploads, rpc.uploadChunk, { chunk: { uploadId, chunkNumber: BigInt(chunk), data } });
    }
    return { uploadId, bytes };
  }

  /** An upload of `size` random bytes whose 5 MiB chunks the client PUT to S3 itself. */
  async function uploadDirect(name: string, size: number): Promise<{ uploadId: string; bytes: Buffer }> {
    const bytes = randomBytes(size);
    const { uploadId } = await callUnary(uploads, rpc.initiateUpload, { name, driveId: 'crash' });
    const parts = Array.from({ length: Math.ceil(size / (5 * MiB)) }, (_, n) =>
      bytes.subarray(n * 5 * MiB, (n + 1) * 5 * MiB),
    );
    const { chunks } = await callUnary(uploads, rpc.presignChunks, {
      uploadId,
      totalChunks: BigInt(parts.length),
      chunks: parts.map((data, n) => ({
        chunkNumber: BigInt(n),
        size: BigInt(data.length),
        sha256: sha256(data),
      })),
    });
    for (const [n, chunk] of chunks.entries()) {
      const put = await fetch(chunk.url, { method: 'PUT', body: parts[n]!, headers: chunk.headers });
      expect(put.status).toBe(200);
    }
    return { uploadId, bytes };
  }

  /** Starts CompleteUpload, kills the repository once the upload is COMPLETING, restarts it. */
  async function crashWhileCompleting(uploadId: string, bytes: Buffer, hold: () => Promise<void>) {
    await hold();
    const totalChunks = BigInt(Math.ceil(bytes.length / (5 * MiB)));
    const request = { uploadId, totalChunks, sha256: sha256(bytes) };
    const first = callUnary(uploads, rpc.completeUpload, request).then(
      () => 'answered',
      (error: { code: number }) => error.code,
    );
    await eventually(async () => {
      const { upload } = await callUnary(uploads, rpc.getUploadStatus, { uploadId });
      expect(upload!.state).toBe(uploadV1.UploadState.COMPLETING);
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await stack.kill('repository');
    expect(await first).toBe(status.UNAVAILABLE);
    await s3Proxy.clearToxics();
    await stack.restart('repository');
    return request;
  }

  async function expectRecovered(uploadId: string, bytes: Buffer, request: object, foundAssembled: boolean) {
    await eventually(
      async () => {
        const { upload } = await callUnary(uploads, rpc.getUploadStatus, { uploadId });
        expect(upload!.state).toBe(uploadV1.UploadState.COMPLETED);
      },
      { timeoutMs: 30_000 },
    );
    await eventually(() =>
      expect(stack.repositoryLogs).toContainEqual(
        expect.objectContaining({
          message: 'completion of a gone instance finished',
          uploadId,
          foundAssembled,
        }),
      ),
    );
    // The client asks again (its first answer was lost): the version the recovery recorded.
    const { node } = await callUnary(uploads, rpc.completeUpload, request);
    expect(node!.sha256).toBe(sha256(bytes));
    expect((await download(client, node!.nodeId)).equals(bytes)).toBe(true);
    const events = await countUploadEvents(kafka.brokers, stack.lifecycleTopic, uploadId);
    expect(events).toEqual(allEvents(Math.ceil(bytes.length / (5 * MiB))));
  }

  it('finishes it from the object S3 had already assembled (answers held back)', async () => {
    // Three whole parts: CompleteMultipartUpload is the completion's first S3 request.
    const { uploadId, bytes } = await uploadChunks('assembled.bin', 15 * MiB);
    const request = await crashWhileCompleting(uploadId, bytes, () => s3Proxy.addLatency(4000));
    await expectRecovered(uploadId, bytes, request, true);
  }, 120_000);

  it("finishes a direct upload once, recording the client's SHA-256 (requests held back)", async () => {
    const { uploadId, bytes } = await uploadDirect('direct.bin', 12 * MiB + 321);
    // Records the parts S3 holds, so the completion's first S3 request is its assembly.
    expect((await callUnary(uploads, rpc.getUploadStatus, { uploadId })).receivedBytes).toBe(
      BigInt(bytes.length),
    );
    const request = await crashWhileCompleting(uploadId, bytes, () => s3Proxy.stall());
    await expectRecovered(uploadId, bytes, request, false);
    const { node } = await callUnary(uploads, rpc.completeUpload, request);
    expect(node!.sha256VerifiedBy).toBe(metadataV1.Sha256VerifiedBy.CLIENT);
  }, 120_000);

  it('finishes it by assembling again when S3 never got the request (requests held back)', async () => {
    const { uploadId, bytes } = await uploadChunks('reassembled.bin', 12 * MiB + 321);
    const request = await crashWhileCompleting(uploadId, bytes, () => s3Proxy.stall());
    await expectRecovered(uploadId, bytes, request, false);
  }, 120_000);
});
