import { randomBytes } from 'node:crypto';
import type { Client } from '@grpc/grpc-js';
import { uploadV1 } from '@tessera/contracts';
import { callUnary, createGrpcClient } from '@tessera/grpc';
import { createProxy, metricValue, stackEndpoints, type Proxy } from '@tessera/testing';
import { startUploadStack, type UploadStack } from './service-process';

const rpc = uploadV1.UploadService.method;
const LANES = 12;

/**
 * The chunk write pool between MIN_WORKERS (2) and MAX_WORKERS (32), reconsidered every 200 ms,
 * with the repository service's S3 behind Toxiproxy: it grows while every S3 request takes 300 ms
 * longer, and shrinks once S3 is fast again.
 */
describe('adaptive chunk writers: the pool grows when S3 is slow and shrinks when it is fast', () => {
  let proxy: Proxy;
  let stack: UploadStack;
  let client: Client;

  beforeAll(async () => {
    const { toxiproxy, minio } = stackEndpoints();
    proxy = await createProxy(toxiproxy.url, `adaptive_pool_${Date.now()}`, new URL(minio.endpoint).host);
    stack = await startUploadStack('adaptive_pool', {
      repositoryEnv: {
        S3_ENDPOINT: `http://127.0.0.1:${proxy.port}`,
        MIN_WORKERS: '2',
        MAX_WORKERS: '32',
        WORKER_SCALE_INTERVAL_MS: '200',
      },
    });
    client = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await stack?.stop();
    await proxy?.remove();
  });

  const workers = () => metricValue(stack.repositoryHttpUrl, 'tessera_chunk_workers');
  const resizes = (change: string) =>
    metricValue(stack.repositoryHttpUrl, 'tessera_chunk_worker_resizes_total', `change="${change}"`);

  /** `lanes` uploads each sending 64 KiB chunks one after another for `forMs`, then completing. */
  async function upload(lanes: number, forMs: number): Promise<number> {
    const until = Date.now() + forMs;
    const chunks = await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        const { uploadId } = await callUnary(client, rpc.initiateUpload, {
          name: `lane-${lane}.bin`,
          driveId: 'adaptive-pool',
        });
        let sent = 0;
        for (; Date.now() < until; sent++) {
          await callUnary(client, rpc.uploadChunk, {
            chunk: { uploadId, chunkNumber: BigInt(sent), data: randomBytes(65_536) },
          });
        }
        await callUnary(client, rpc.completeUpload, { uploadId });
        return sent;
      }),
    );
    return chunks.reduce((sum, sent) => sum + sent, 0);
  }

  it('grows from MIN_WORKERS while S3 answers 300 ms late, then shrinks back once it is fast', async () => {
    expect(await workers()).toBe(2);

    await proxy.addLatency(300);
    let peak = 0;
    try {
      const polling = setInterval(() => void workers().then((now) => (peak = Math.max(peak, now))), 200);
      try {
        await upload(LANES, 6_000);
      } finally {
        clearInterval(polling);
      }
    } finally {
      await proxy.clearToxics();
    }
    peak = Math.max(peak, await workers());
    // Twelve uploads each with a chunk in flight: the pool grows to about that, not to the maximum.
    expect(peak).toBeGreaterThanOrEqual(8);
    expect(await resizes('grow')).toBeGreaterThanOrEqual(1);

    await upload(1, 6_000); // a trickle on a fast S3
    const after = await workers();
    console.log(
      `chunk workers: 2 at rest, ${peak} at the peak with S3 slowed, ${after} after 6 s of fast S3`,
    );
    expect(await resizes('shrink')).toBeGreaterThanOrEqual(1);
    expect(after).toBeLessThan(peak);
    expect(await resizes('back-off')).toBe(0);
  }, 120_000);
});
