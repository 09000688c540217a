import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { status, type Client, type ServiceError } from '@grpc/grpc-js';
import { TesseraClient, type UploadResult } from '@tessera/client';
import { uploadV1 } from '@tessera/contracts';
import { callUnary, createGrpcClient } from '@tessera/grpc';
import { createProxy, eventually, stackEndpoints } from '@tessera/testing';
import { countUploadEvents } from './lifecycle-topic';
import { PrivateServer } from './private-server';
import { S3FaultProxy } from './s3-fault-proxy';
import { startUploadStack, type UploadStack } from './service-process';

const MiB = 1024 * 1024;
const rpc = uploadV1.UploadService.method;
const { kafka, minio, toxiproxy } = stackEndpoints();

async function sha256OfDownload(client: TesseraClient, nodeId: string): Promise<string> {
  const hash = createHash('sha256');
  const sink = new PassThrough();
  sink.on('data', (piece: Buffer) => hash.update(piece));
  await client.download(nodeId, sink, { parallelism: 4 });
  return hash.digest('hex');
}

/** Every lifecycle event of the upload arrived: initiated, one per chunk, completed. */
async function expectNoEventLost(stack: UploadStack, result: UploadResult, chunks: number): Promise<void> {
  expect(await countUploadEvents(kafka.brokers, stack.lifecycleTopic, result.uploadId)).toEqual({
    initiated: 1,
    chunks,
    completed: 1,
  });
}

/** Sum of the samples of `name` on a service's /metrics page whose labels include every one of `labels`. */
async function samplesSum(httpUrl: string, name: string, ...labels: string[]): Promise<number> {
  const page = await (await fetch(`${httpUrl}/metrics`)).text();
  return page
    .split('\n')
    .filter((line) => line.startsWith(name) && labels.every((label) => line.includes(label)))
    .reduce((total, line) => total + Number(line.split(' ').pop()), 0);
}

const retriesCounted = (httpUrl: string) => samplesSum(httpUrl, 'tessera_retries_total');

describe('fault suite: the servers Tessera depends on fail mid-upload', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-faults-'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('MinIO killed and restarted mid-upload: the upload completes byte-identical, no event lost', async () => {
    const store = await PrivateServer.start('minio');
    const s3 = { S3_ENDPOINT: store.url };
    const stack = await startUploadStack('fault_minio', { repositoryEnv: s3, intakeEnv: s3 });
    const client = new TesseraClient(stack.intakeAddress);
    try {
      const bytes = randomBytes(64 * MiB);
      const path = join(dir, 'minio-restart.bin');
      await writeFile(path, bytes);
      let restarted: Promise<void> | undefined;
      const result = await client.upload(path, {
        name: 'minio-restart.bin',
        chunkBytes: 8 * MiB,
        streams: 2,
        onProgress: (done) => {
          if (done >= 24 * MiB) restarted ??= store.halt('SIGKILL').then(() => store.resume());
        },
      });
      await restarted;
      expect(restarted).toBeDefined();
      expect(result.node.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(await sha256OfDownload(client, result.node.nodeId)).toBe(result.node.sha256);
      await expectNoEventLost(stack, result, 8);
    } finally {
      client.close();
      await stack.stop();
      await store.remove();
    }
  }, 240_000);

  it('TiDB stopped: every call is a clean UNAVAILABLE, nothing completes partly; once back the upload completes', async () => {
    const database = await PrivateServer.start('tidb');
    const tidb = { TIDB_PORT: String(database.port) };
    const stack = await startUploadStack('fault_tidb', { repositoryEnv: tidb, metadataEnv: tidb });
    const uploads: Client = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
    const client = new TesseraClient(stack.intakeAddress);
    const refusal = (call: Promise<unknown>) =>
      call.then(
        () => 'answered OK',
        (error: ServiceError) => ({ code: error.code, details: error.details }),
      );
    try {
      const bytes = randomBytes(12 * MiB);
      const chunk = (n: number) => bytes.subarray(n * 5 * MiB, (n + 1) * 5 * MiB);
      const { uploadId } = await callUnary(uploads, rpc.initiateUpload, { name: 'tidb.bin', driveId: 'd' });
      for (const n of [0, 1]) {
        await callUnary(uploads, rpc.uploadChunk, {
          chunk: { uploadId, chunkNumber: BigInt(n), data: chunk(n) },
        });
      }
      await database.halt();

      const unavailable = {
        code: status.UNAVAILABLE,
        details: expect.stringMatching(/cannot be reached|retry/),
      };
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const complete = { uploadId, totalChunks: 3n, sha256 };
      expect(await refusal(callUnary(uploads, rpc.completeUpload, complete))).toMatchObject(unavailable);
      expect(
        await refusal(
          callUnary(uploads, rpc.uploadChunk, { chunk: { uploadId, chunkNumber: 2n, data: chunk(2) } }),
        ),
      ).toMatchObject(unavailable);
      expect(
        await refusal(callUnary(uploads, rpc.initiateUpload, { name: 'new.bin', driveId: 'd' })),
      ).toMatchObject(unavailable);
      expect(await refusal(callUnary(uploads, rpc.getUploadStatus, { uploadId }))).toMatchObject(unavailable);

      await database.resume();
      // Nothing happened while it was down: the upload still lacks chunk 2 and has no version.
      const { upload, received } = await eventually(
        () => callUnary(uploads, rpc.getUploadStatus, { uploadId }),
        {
          timeoutMs: 30_000,
          intervalMs: 500,
        },
      );
      expect(upload!.state).toBe(uploadV1.UploadState.IN_PROGRESS);
      expect(received).toEqual([expect.objectContaining({ first: 0n, last: 1n })]);
      await callUnary(uploads, rpc.uploadChunk, { chunk: { uploadId, chunkNumber: 2n, data: chunk(2) } });
      const { node } = await callUnary(uploads, rpc.completeUpload, complete);
      expect(node!.sha256).toBe(sha256);
      expect(await sha256OfDownload(client, node!.nodeId)).toBe(sha256);
    } finally {
      uploads.close();
      client.close();
      await stack.stop();
      await database.remove();
    }
  }, 240_000);

  it('5 % of S3 requests answered 503 SlowDown during a 1 GiB upload: retried, completes byte-identical', async () => {
    const proxy = await S3FaultProxy.start(minio.endpoint, 20);
    const stack = await startUploadStack('fault_s3_errors', { repositoryEnv: { S3_ENDPOINT: proxy.url } });
    const client = new TesseraClient(stack.intakeAddress);
    try {
      const path = join(dir, 'one-gib.bin');
      const hash = createHash('sha256');
      const out = createWriteStream(path);
      for (let i = 0; i < 64; i++) {
        const piece = randomBytes(16 * MiB);
        hash.update(piece);
        if (!out.write(piece)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
      await new Promise<void>((resolve) => out.end(() => resolve()));
      const before = proxy.counts;
      let chunksSentAgain = 0;
      const result = await client.upload(path, {
        name: 'one-gib.bin',
        chunkBytes: 8 * MiB,
        streams: 4,
        onRetry: (refused) => (chunksSentAgain += refused.length),
      });
      const refused = proxy.counts.refused - before.refused;
      expect(result.node.sha256).toBe(hash.digest('hex'));
      expect(refused).toBeGreaterThanOrEqual(6); // of about 130 requests: every 20th
      // A refused UploadPart fails its chunk (the body streamed through: the client sends it again);
      // any other request is sent again by the repository's S3 client.
      expect(chunksSentAgain + (await retriesCounted(stack.repositoryHttpUrl))).toBeGreaterThanOrEqual(
        refused,
      );
      expect(await sha256OfDownload(client, result.node.nodeId)).toBe(result.node.sha256);
      await expectNoEventLost(stack, result, 128);
    } finally {
      client.close();
      await stack.stop();
      await proxy.stop();
    }
  }, 600_000);

  it('S3 connections hang mid-upload (Toxiproxy timeout toxic): the hung writes are cut, sent again, completes byte-identical', async () => {
    const proxy = await createProxy(
      toxiproxy.url,
      `fault_s3_hang_${Date.now()}`,
      new URL(minio.endpoint).host,
    );
    const stack = await startUploadStack('fault_s3_hang', {
      repositoryEnv: { S3_ENDPOINT: `http://127.0.0.1:${proxy.port}`, S3_IDLE_TIMEOUT_MS: '1000' },
    });
    const client = new TesseraClient(stack.intakeAddress);
    try {
      const path = join(dir, 'hung.bin');
      const bytes = randomBytes(40 * MiB);
      await writeFile(path, bytes);
      // Once a quarter of the file is handed to the streams, every byte to S3 is held and no
      // connection closes; the chunks refused for it (UNAVAILABLE) find S3 answering when sent again.
      // Without S3_IDLE_TIMEOUT_MS the hung writes would never end, nor the upload (the Jest limit).
      let toxics: Promise<void> = Promise.resolve();
      let stalled = false;
      let chunksSentAgain = 0;
      const result = await client.upload(path, {
        name: 'hung.bin',
        chunkBytes: 5 * MiB,
        streams: 2,
        onProgress: (done) => {
          if (stalled || done < 10 * MiB) return;
          stalled = true;
          toxics = toxics.then(() => proxy.stall());
        },
        onRetry: (refused) => {
          chunksSentAgain += refused.length;
          toxics = toxics.then(() => proxy.clearToxics());
        },
      });
      await toxics;
      expect(stalled).toBe(true);
      expect(chunksSentAgain).toBeGreaterThanOrEqual(1);
      const s3Unavailable = await samplesSum(
        stack.repositoryHttpUrl,
        'tessera_s3_request_duration_seconds_count',
        'outcome="UNAVAILABLE"',
      );
      expect(s3Unavailable).toBeGreaterThanOrEqual(1); // S3 requests cut by S3_IDLE_TIMEOUT_MS
      expect(result.node.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(await sha256OfDownload(client, result.node.nodeId)).toBe(result.node.sha256);
      await expectNoEventLost(stack, result, 8);
    } finally {
      client.close();
      await stack.stop();
      await proxy.remove();
    }
  }, 180_000);
});
