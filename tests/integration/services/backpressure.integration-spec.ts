import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status, type Client, type ServiceError } from '@grpc/grpc-js';
import { TesseraClient } from '@tessera/client';
import { uploadV1 } from '@tessera/contracts';
import { callBidiStream, callClientStream, callUnary, createGrpcClient } from '@tessera/grpc';
import { createProxy, stackEndpoints, type Proxy } from '@tessera/testing';
import { countUploadEvents } from './lifecycle-topic';
import { startUploadStack, type UploadStack } from './service-process';

const rpc = uploadV1.UploadService.method;

/**
 * One chunk write worker, one queue slot and two chunks per upload, with 400 ms added to every S3
 * request of the repository service: a handful of concurrent chunks is enough to hit each bound.
 */
describe('backpressure: bounded chunk writes refused with RESOURCE_EXHAUSTED / 429 and a retry-after hint', () => {
  let proxy: Proxy;
  let stack: UploadStack;
  let client: Client;

  beforeAll(async () => {
    const { toxiproxy, minio } = stackEndpoints();
    proxy = await createProxy(toxiproxy.url, `backpressure_${Date.now()}`, new URL(minio.endpoint).host);
    stack = await startUploadStack('backpressure', {
      repositoryEnv: {
        S3_ENDPOINT: `http://127.0.0.1:${proxy.port}`,
        MIN_WORKERS: '1',
        MAX_WORKERS: '1',
        CHUNK_QUEUE_CAPACITY: '1',
        MAX_INFLIGHT_CHUNKS_PER_UPLOAD: '2',
        THROTTLE_RETRY_AFTER_SECONDS: '2',
      },
      intakeEnv: {
        MAX_CHUNK_BYTES: '262144',
        MAX_INFLIGHT_CHUNK_BYTES: '262144',
        THROTTLE_RETRY_AFTER_SECONDS: '2',
      },
    });
    await proxy.addLatency(400);
    client = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await stack?.stop();
    await proxy?.remove();
  });

  const initiate = async (name: string) =>
    (await callUnary(client, rpc.initiateUpload, { name, driveId: 'backpressure' })).uploadId;
  const sendChunk = (uploadId: string, chunkNumber: number, bytes = 64 * 1024) =>
    callUnary(client, rpc.uploadChunk, {
      chunk: { uploadId, chunkNumber: BigInt(chunkNumber), data: randomBytes(bytes) },
    });
  const outcomes = (calls: Promise<unknown>[]) =>
    Promise.all(
      calls.map((call) =>
        call.then(
          () => 'ok' as const,
          (error: ServiceError) => error,
        ),
      ),
    );
  const metrics = async () => (await fetch(`${stack.repositoryHttpUrl}/metrics`)).text();

  it('runs one chunk, queues one, refuses the others at once with the hint; they succeed when retried', async () => {
    const uploads = await Promise.all([0, 1, 2, 3].map((n) => initiate(`busy-${n}.bin`)));
    const started = performance.now();
    const results = await outcomes(uploads.map((uploadId) => sendChunk(uploadId, 0)));
    const refused = results.filter((result): result is ServiceError => result !== 'ok');
    expect(results.filter((result) => result === 'ok').length).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const error of refused) {
      expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(error.details).toMatch(/repository service is at capacity \(1 chunk writes running, 1 queued\)/);
      expect(error.metadata.get('retry-after')).toEqual(['2']);
    }
    expect(performance.now() - started).toBeLessThan(30_000);

    const stillRefused = results.map((result, n) => (result === 'ok' ? undefined : uploads[n]!));
    for (const uploadId of stillRefused.filter((id): id is string => id !== undefined)) {
      await expect(sendChunk(uploadId, 0)).resolves.toMatchObject({ result: { code: 0 } });
    }
    const text = await metrics();
    expect(text).toMatch(/tessera_throttled_requests_total\{reason="queue-full"[^}]*\} [1-9]/);
    expect(text).toMatch(/^tessera_chunk_workers(\{[^}]*\})? 1$/m);
    expect(text).toMatch(/^tessera_chunk_workers_busy(\{[^}]*\})? 0$/m);
    expect(text).toMatch(/^tessera_task_queue_depth(\{[^}]*\})? 0$/m);
  }, 60_000);

  it('bounds one upload to MAX_INFLIGHT_CHUNKS_PER_UPLOAD chunks in flight across its calls', async () => {
    const uploadId = await initiate('one-upload.bin');
    const results = await outcomes([0, 1, 2].map((n) => sendChunk(uploadId, n)));
    const refused = results.filter((result): result is ServiceError => result !== 'ok');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]!.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused[0]!.details).toMatch(new RegExp(`upload ${uploadId} already has 2 chunks in flight`));
    expect(await metrics()).toMatch(/tessera_throttled_requests_total\{reason="upload-limit"[^}]*\} [1-9]/);
  }, 60_000);

  it('bounds the chunk bytes the intake gateway holds while forwarding (MAX_INFLIGHT_CHUNK_BYTES)', async () => {
    const [first, second] = await Promise.all([initiate('big-1.bin'), initiate('big-2.bin')]);
    const results = await outcomes([sendChunk(first, 0, 200 * 1024), sendChunk(second, 0, 200 * 1024)]);
    const refused = results.filter((result): result is ServiceError => result !== 'ok');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused[0]!.details).toMatch(
      /the intake gateway is at capacity \(204800 bytes of chunks in flight, at most 262144\)/,
    );
    expect(refused[0]!.metadata.get('retry-after')).toEqual(['2']);
    const intakeMetrics = await (await fetch(`${stack.intakeHttpUrl}/metrics`)).text();
    expect(intakeMetrics).toMatch(/tessera_throttled_requests_total\{reason="gateway-bytes"[^}]*\} 1/);
    expect(intakeMetrics).toMatch(/^tessera_intake_chunks_held_bytes(\{[^}]*\})? 0$/m);
  }, 60_000);

  it('lets the SDK upload through the refusals by sending refused chunks again after the hint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-backpressure-'));
    const sdk = new TesseraClient(stack.intakeAddress);
    try {
      const files = await Promise.all(
        [0, 1, 2, 3].map(async (n) => {
          const path = join(dir, `file-${n}.bin`);
          await writeFile(path, randomBytes(3 * 64 * 1024 + n));
          return path;
        }),
      );
      const retried: number[] = [];
      const uploads = await Promise.all(
        files.map((path, n) =>
          sdk.upload(path, {
            name: `sdk-${n}.bin`,
            driveId: 'backpressure',
            chunkBytes: 64 * 1024,
            oneCall: false, // the chunks' refusals are the point: not the whole file in one call
            onRetry: (refused, waitMs) => {
              expect(refused.every((chunk) => chunk.code === status.RESOURCE_EXHAUSTED)).toBe(true);
              expect(waitMs).toBeGreaterThanOrEqual(1600); // the 2 s hint, less at most 20 % jitter
              retried.push(...refused.map((chunk) => chunk.chunkNumber));
            },
          }),
        ),
      );
      expect(retried.length).toBeGreaterThan(0);
      uploads.forEach((upload, n) => expect(upload.bytes).toBe(3 * 64 * 1024 + n)); // sha256 checked by the SDK
      // Refused and sent again: still one event per chunk, none lost.
      const { kafka } = stackEndpoints();
      for (const [n, upload] of uploads.entries()) {
        const events = await countUploadEvents(kafka.brokers, stack.lifecycleTopic, upload.uploadId);
        expect(events).toEqual({ initiated: 1, chunks: n === 0 ? 3 : 4, completed: 1 });
      }
    } finally {
      sdk.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('answers the HTTP API with 429 and Retry-After while the chunk writers are saturated', async () => {
    const [first, second] = await Promise.all([initiate('hold-1.bin'), initiate('hold-2.bin')]);
    const holding = outcomes([sendChunk(first, 0), sendChunk(second, 0)]); // one running, one queued
    await new Promise((resolve) => setTimeout(resolve, 200));
    const response = await fetch(`${stack.intakeHttpUrl}/write?name=http.bin&drive_id=backpressure`, {
      method: 'PUT',
      body: randomBytes(1024),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/at capacity/);
    expect(await holding).toEqual(['ok', 'ok']);
  }, 60_000);
});

describe('MAX_OPEN_CHUNK_CALLS: chunk-carrying calls open at once, across connections', () => {
  let stack: UploadStack;

  beforeAll(async () => {
    stack = await startUploadStack('chunk_calls', {
      intakeEnv: { MAX_OPEN_CHUNK_CALLS: '1', THROTTLE_RETRY_AFTER_SECONDS: '3' },
    });
  }, 120_000);

  afterAll(() => stack?.stop());

  it('refuses a chunk call on another connection at its headers while the limit is open, admits it after', async () => {
    const first = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
    const second = createGrpcClient(uploadV1.UploadService, stack.intakeAddress, {
      'grpc.use_local_subchannel_pool': 1, // a connection of its own
    });
    try {
      const { uploadId } = await callUnary(first, rpc.initiateUpload, { name: 'held.bin', driveId: 'calls' });
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      async function* heldOpen() {
        yield { chunk: { uploadId, chunkNumber: 0n, data: randomBytes(1000) } };
        await released; // the stream stays open, holding the one slot
      }
      const holding = callClientStream(first, rpc.uploadChunks, heldOpen());
      await new Promise((resolve) => setTimeout(resolve, 300));

      const chunk = { uploadId, chunkNumber: 1n, data: randomBytes(1000) };
      const refused = (await callUnary(second, rpc.uploadChunk, { chunk }).then(
        () => undefined,
        (error: ServiceError) => error,
      )) as ServiceError;
      expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(refused.details).toMatch(
        /1 UploadChunk\/UploadChunks\/StreamChunks calls are open at once already/,
      );
      expect(refused.metadata.get('retry-after')).toEqual(['3']);
      const streamed = (async () => {
        for await (const _answer of callBidiStream(second, rpc.streamChunks, [{ chunk }])) {
          // refused at its headers: no answer comes
        }
      })();
      await expect(streamed).rejects.toMatchObject({ code: status.RESOURCE_EXHAUSTED });

      release();
      expect((await holding).results).toEqual([expect.objectContaining({ chunkNumber: 0n, code: 0 })]);
      await callUnary(second, rpc.uploadChunk, { chunk });
      const { received } = await callUnary(first, rpc.getUploadStatus, { uploadId });
      expect(received).toEqual([expect.objectContaining({ first: 0n, last: 1n })]);
    } finally {
      first.close();
      second.close();
    }
  }, 60_000);
});
