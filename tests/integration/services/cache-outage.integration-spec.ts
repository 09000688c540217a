import { randomBytes } from 'node:crypto';
import { status, type Client, type ServiceError } from '@grpc/grpc-js';
import { metadataV1, uploadV1 } from '@tessera/contracts';
import {
  callUnary,
  checkHealth,
  createGrpcClient,
  createHealthClient,
  DEPENDENCY_HEALTH,
} from '@tessera/grpc';
import { setTimeout as sleep } from 'node:timers/promises';
import { createProxy, eventually, metricValue, stackEndpoints, type Proxy } from '@tessera/testing';
import { countUploadEvents } from './lifecycle-topic';
import { startUploadStack, type UploadStack } from './service-process';

const rpc = uploadV1.UploadService.method;

describe('new uploads while Redis (the metadata cache) is down or overloaded', () => {
  const { redis, toxiproxy } = stackEndpoints();
  let redisProxy: Proxy;
  let stack: UploadStack;
  let uploads: Client;
  let nodes: Client;

  beforeAll(async () => {
    redisProxy = await createProxy(
      toxiproxy.url,
      `cache-outage-${Date.now()}`,
      `${redis.host}:${redis.port}`,
    );
    stack = await startUploadStack('cache_outage', {
      metadataEnv: { REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`, REDIS_HEALTH_INTERVAL_MS: '100' },
      intakeEnv: { CACHE_HEALTH_INTERVAL_MS: '100', THROTTLE_RETRY_AFTER_SECONDS: '3' },
    });
    uploads = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
    nodes = createGrpcClient(metadataV1.MetadataService, stack.metadataAddress);
  }, 120_000);

  afterAll(async () => {
    uploads?.close();
    nodes?.close();
    await stack?.stop();
    await redisProxy?.remove();
  });

  const initiate = (name: string) =>
    callUnary(uploads, rpc.initiateUpload, { name, driveId: 'cache-outage' });

  /**
   * The first refusal of a new upload, asked every 100 ms, and how long after `since` it came.
   * Documented bound (docs/reliability.md): REDIS_HEALTH_WINDOW_MS (5 s) for the metadata service to
   * judge Redis down, plus CACHE_HEALTH_INTERVAL_MS (here 100 ms) for the gateway to hear of it.
   */
  async function firstRefusal(since: number): Promise<{ error: ServiceError; afterMs: number }> {
    for (;;) {
      const error = await initiate('refused.bin').then(
        () => undefined,
        (failure: ServiceError) => failure,
      );
      if (error) return { error, afterMs: performance.now() - since };
      if (performance.now() - since > 30_000) throw new Error('new uploads still admitted after 30 s');
      await sleep(100);
    }
  }

  it('refuses new uploads with UNAVAILABLE and a retry-after hint while started ones finish; catches the cache up and admits them again once Redis answers', async () => {
    let completedNodeId = '';
    const first = randomBytes(1000);
    const second = randomBytes(2000);
    const started = await initiate('started-before.bin');
    await callUnary(uploads, rpc.uploadChunk, {
      chunk: { uploadId: started.uploadId, chunkNumber: 0n, data: first },
    });

    const cutAt = performance.now();
    await redisProxy.setEnabled(false);
    try {
      const { error: refused, afterMs } = await firstRefusal(cutAt);
      expect(afterMs).toBeLessThan(5_000 + 100 + 500); // the documented bound, and one question's time
      expect(refused.code).toBe(status.UNAVAILABLE);
      expect(refused.details).toMatch(
        /^new uploads are refused while the metadata cache \(Redis\) is unavailable \(errors: \d+ of \d+ redis operations over the last 5 s failed\)/,
      );
      expect(refused.metadata.get('retry-after')).toEqual(['3']);

      const http = await fetch(`${stack.intakeHttpUrl}/write?name=refused-http.bin&drive_id=cache-outage`, {
        method: 'PUT',
        body: randomBytes(10),
      });
      expect(http.status).toBe(503);
      expect(http.headers.get('retry-after')).toBe('3');

      // The upload started before the outage carries on to the end.
      await callUnary(uploads, rpc.uploadChunk, {
        chunk: { uploadId: started.uploadId, chunkNumber: 1n, data: second },
      });
      const { node } = await callUnary(uploads, rpc.completeUpload, {
        uploadId: started.uploadId,
        totalChunks: 2n,
      });
      expect(node!.size).toBe(3000n);
      // Its cache entry could not be written: the metadata service reads it from TiDB meanwhile.
      const read = await callUnary(nodes, metadataV1.MetadataService.method.getNode, {
        nodeId: node!.nodeId,
      });
      expect(read).toMatchObject({ cacheHit: false, node: { version: 1n, size: 3000n } });
      completedNodeId = node!.nodeId;
    } finally {
      await redisProxy.setEnabled(true);
    }

    const admitted = await eventually(() => initiate('after.bin'));
    // Before admitting uploads again the metadata service wrote the entry it could not write.
    const cached = await callUnary(nodes, metadataV1.MetadataService.method.getNode, {
      nodeId: completedNodeId,
    });
    expect(cached).toMatchObject({ cacheHit: true, node: { version: 1n } });
    expect(admitted.uploadId).toMatch(/^[0-9a-f-]{36}$/);
    const health = createHealthClient(stack.metadataAddress);
    expect(await checkHealth(health, DEPENDENCY_HEALTH.metadataCache, 1000)).toBe('SERVING');
    health.close();
    // The upload that finished during the outage lost no lifecycle event.
    const events = await countUploadEvents(
      stackEndpoints().kafka.brokers,
      stack.lifecycleTopic,
      started.uploadId,
    );
    expect(events).toEqual({ initiated: 1, chunks: 2, completed: 1 });
  }, 60_000);

  it('judges a Redis slower than REDIS_COMMAND_TIMEOUT_MS for a sustained period down (the slow rule), and up again once it is fast', async () => {
    const slowedAt = performance.now();
    await redisProxy.addLatency(500);
    try {
      const { error: refused, afterMs } = await firstRefusal(slowedAt);
      expect(afterMs).toBeLessThan(5_000 + 100 + 1_000); // the bound, and one slow probe's time
      expect(refused.code).toBe(status.UNAVAILABLE);
      expect(refused.details).toMatch(
        /the metadata cache \(Redis\) is unavailable \(slow: \d+ of \d+ redis operations over the last 5 s were slower than 200 ms or timed out\)/,
      );
    } finally {
      await redisProxy.clearToxics();
    }
    // Up again after REDIS_HEALTH_RECOVER_AFTER_MS (2 s) of good answers, as the gateway hears it.
    const fastAt = performance.now();
    await eventually(() => initiate('fast-again.bin'), { timeoutMs: 15_000 });
    expect(performance.now() - fastAt).toBeGreaterThanOrEqual(2_000);
    expect(
      await metricValue(
        stack.metadataHttpUrl,
        'tessera_dependency_transitions_total',
        'dependency="redis"',
        'rule="slow"',
      ),
    ).toBe(1);
  }, 60_000);
});
