import { createHash, randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { status, type Client } from '@grpc/grpc-js';
import { uploadV1 } from '@tessera/contracts';
import { dealOverLanes } from '@tessera/client';
import { callBidiStream, callClientStream, callUnary, createGrpcClient } from '@tessera/grpc';
import { createS3Client, S3ObjectStore } from '@tessera/object-storage';
import { eventually, minioClientOptions, stackEndpoints } from '@tessera/testing';
import { countUploadEvents } from './lifecycle-topic';
import { startUploadStack, type UploadStack } from './service-process';

const KiB = 1024;
const rpc = uploadV1.UploadService.method;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('many small chunks through group commit and a kill -9, a dropped client and concurrent completes, through the public API', () => {
  let stack: UploadStack;
  let bucket: string;
  let client: Client;

  beforeAll(async () => {
    // Quick failure detection: the killed repository's claims are taken over within a second.
    stack = await startUploadStack('many_chunks', {
      repositoryEnv: { INSTANCE_HEARTBEAT_MS: '200', INSTANCE_STALE_AFTER_MS: '1000' },
    });
    bucket = stack.bucket;
    client = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
  });

  afterAll(async () => {
    client.close();
    await stack.stop();
  });

  async function stored(key: string, size: number): Promise<string> {
    const s3 = createS3Client(minioClientOptions(1));
    try {
      return sha256(await buffer(await new S3ObjectStore(s3, bucket).readRange(key, 0, size)));
    } finally {
      s3.destroy();
    }
  }

  async function countObjects(prefix: string): Promise<number> {
    const s3 = createS3Client(minioClientOptions(1));
    try {
      let count = 0;
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        count += page.KeyCount ?? 0;
        token = page.NextContinuationToken;
      } while (token);
      return count;
    } finally {
      s3.destroy();
    }
  }

  /**
   * Fails `work` when the upload stores no chunk for `stallMs`: a hang is told by the absence of
   * progress, not by a total time that depends on how busy the machine is (it is no speed target).
   */
  function watchProgress(uploadId: string, stallMs = 120_000) {
    let stopped = false;
    const stalled = (async () => {
      let stored = -1;
      let since = performance.now();
      while (!stopped) {
        await sleep(5_000);
        // (The gateway answers UNAVAILABLE until its channel has reconnected, as a client retries.)
        const { received } = await eventually(() => callUnary(client, rpc.getUploadStatus, { uploadId }), {
          timeoutMs: 30_000,
          intervalMs: 200,
        });
        const now = received.reduce((sum, range) => sum + Number(range.last - range.first) + 1, 0);
        if (now !== stored) [stored, since] = [now, performance.now()];
        else if (performance.now() - since > stallMs)
          throw new Error(`no chunk stored for ${stallMs / 1000} s: hung at ${stored} chunks`);
      }
    })();
    return {
      guard: async <T>(work: Promise<T>): Promise<T> => {
        try {
          return await Promise.race([work, stalled.then(() => work)]);
        } finally {
          stopped = true;
        }
      },
    };
  }

  it('stores 20,000 chunks of 64 KiB group-committed on 4 streams, keeps every acknowledged one through kill -9 of the repository, byte-exact, every event', async () => {
    const count = 20_000;
    const data = randomBytes(count * 64 * KiB);
    const chunkData = (n: number) => data.subarray(n * 64 * KiB, (n + 1) * 64 * KiB);
    const { uploadId } = await callUnary(client, rpc.initiateUpload, {
      name: 'many.bin',
      driveId: 'drive-1',
    });
    const acked = new Set<number>();
    let killed: Promise<void> | undefined;

    /** Sends the chunks on 4 StreamChunks calls, in runs of 128 (as the SDK deals them), each lane last to first. */
    const sendRound = (numbers: number[], killAfterAcks?: number) =>
      Promise.allSettled(
        dealOverLanes(numbers, 4, 128).map(async (lane) => {
          const messages = [...lane].reverse().map((n) => ({
            chunk: { uploadId, chunkNumber: BigInt(n), data: chunkData(n) },
          }));
          for await (const { result } of callBidiStream(client, rpc.streamChunks, messages)) {
            if (result?.code === status.OK) acked.add(Number(result.chunkNumber));
            if (killAfterAcks !== undefined && acked.size >= killAfterAcks)
              killed ??= stack.kill('repository');
          }
        }),
      );

    const progress = watchProgress(uploadId);
    const everything = Array.from({ length: count }, (_, n) => n);
    const cut = await progress.guard(sendRound(everything, count / 4));
    expect(killed).toBeDefined();
    await killed;
    expect(cut.some((lane) => lane.status === 'rejected')).toBe(true); // the streams broke off
    const ackedBeforeKill = [...acked];
    await stack.restart('repository');

    // No acknowledged chunk is lost: each is stored, though its writer was killed right after.
    // (The gateway answers UNAVAILABLE until its channel has reconnected, as a client retries.)
    const { received } = await eventually(() => callUnary(client, rpc.getUploadStatus, { uploadId }), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const isReceived = (n: number) =>
      received.some((range) => BigInt(n) >= range.first && BigInt(n) <= range.last);
    expect(ackedBeforeKill.filter((n) => !isReceived(n))).toEqual([]);

    // Group committed: the chunks stored so far share staged objects, several each.
    const stagedObjects = await countObjects(`.tessera-staging/${uploadId}/`);
    expect(stagedObjects).toBeLessThan(ackedBeforeKill.length / 4);

    // The rest is sent again until every chunk is acknowledged (a chunk refused for now goes again).
    for (let round = 0; acked.size < count; round++) {
      expect(round).toBeLessThan(10);
      await sendRound(everything.filter((n) => !acked.has(n)));
    }
    const { node } = await callUnary(client, rpc.completeUpload, { uploadId, totalChunks: BigInt(count) });
    expect(node?.sha256).toBe(sha256(data));
    expect(await stored(node!.location!.key, data.length)).toBe(sha256(data));
    const events = await countUploadEvents(stackEndpoints().kafka.brokers, stack.lifecycleTopic, uploadId);
    expect(events).toEqual({ initiated: 1, chunks: count, completed: 1 });
  }, 1_800_000);

  it('lets a client that dropped mid-stream resume from GetUploadStatus', async () => {
    const parts = Array.from({ length: 6 }, () => randomBytes(100 * KiB));
    const { uploadId } = await callUnary(client, rpc.initiateUpload, {
      name: 'resumed.bin',
      driveId: 'drive-1',
    });
    async function* dropAfterThree() {
      for (const [n, part] of parts.slice(0, 3).entries())
        yield { chunk: { uploadId, chunkNumber: BigInt(n), data: part } };
      throw new Error('client crashed');
    }
    await expect(callClientStream(client, rpc.uploadChunks, dropAfterThree())).rejects.toThrow(
      'client crashed',
    );

    // Whatever reached storage before the drop is reported; the client sends the rest until all is there.
    await eventually(
      async () => {
        const progress = await callUnary(client, rpc.getUploadStatus, { uploadId });
        const received = new Set(
          progress.received.flatMap((r) =>
            Array.from({ length: Number(r.last - r.first) + 1 }, (_, i) => Number(r.first) + i),
          ),
        );
        const missing = parts.map((_, n) => n).filter((n) => !received.has(n));
        if (missing.length === 0) return;
        await callClientStream(
          client,
          rpc.uploadChunks,
          missing.map((n) => ({ chunk: { uploadId, chunkNumber: BigInt(n), data: parts[n]! } })),
        );
        throw new Error(`chunks ${missing.join(', ')} were missing`);
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const whole = Buffer.concat(parts);
    const { node } = await callUnary(client, rpc.completeUpload, {
      uploadId,
      totalChunks: 6n,
      sha256: sha256(whole),
    });
    expect(await stored(node!.location!.key, whole.length)).toBe(sha256(whole));
  });

  it('gives two concurrent completes the same node, or one of them UNAVAILABLE to retry', async () => {
    const { uploadId } = await callUnary(client, rpc.initiateUpload, {
      name: 'raced.bin',
      driveId: 'drive-1',
    });
    await callUnary(client, rpc.uploadChunk, {
      chunk: { uploadId, chunkNumber: 0n, data: randomBytes(1000) },
    });
    const results = await Promise.allSettled([
      callUnary(client, rpc.completeUpload, { uploadId }),
      callUnary(client, rpc.completeUpload, { uploadId }),
    ]);
    const nodes = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.node] : []));
    expect(nodes.length).toBeGreaterThanOrEqual(1);
    for (const node of nodes) expect(node).toEqual(nodes[0]);
    for (const refused of results.filter((r) => r.status === 'rejected')) {
      expect(refused.reason.code).toBe(status.UNAVAILABLE);
      expect(refused.reason.details).toMatch(/is being completed by an earlier CompleteUpload; retry/);
    }
    const again = await callUnary(client, rpc.completeUpload, { uploadId });
    expect(again.node).toEqual(nodes[0]);
  });
});
