import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { status, type Client } from '@grpc/grpc-js';
import { internalV1, metadataV1, uploadV1 } from '@tessera/contracts';
import {
  callUnary,
  checkHealth,
  createGrpcClient,
  createHealthClient,
  DEPENDENCY_HEALTH,
} from '@tessera/grpc';
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '@tessera/object-storage';
import { createProxy, eventually, minioClientOptions, stackEndpoints, type Proxy } from '@tessera/testing';
import { Redis } from 'ioredis';
import { startUploadStack, type UploadStack } from './service-process';

const upload = uploadV1.UploadService.method;
const metadata = metadataV1.MetadataService.method;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('the metadata service in front of TiDB, with its Redis cache, after real uploads', () => {
  const { redis, toxiproxy, jaeger } = stackEndpoints();
  let redisProxy: Proxy;
  let stack: UploadStack;
  let uploads: Client;
  let nodes: Client;
  const direct = new Redis({ host: redis.host, port: redis.port });

  beforeAll(async () => {
    // The metadata service reaches Redis through a proxy the tests can cut.
    redisProxy = await createProxy(
      toxiproxy.url,
      `metadata-redis-${Date.now()}`,
      `${redis.host}:${redis.port}`,
    );
    stack = await startUploadStack('metadata_api', {
      intakeEnv: { CACHE_HEALTH_INTERVAL_MS: '100' },
      metadataEnv: {
        REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
        LIST_DEFAULT_PAGE_SIZE: '2',
        REDIS_HEALTH_INTERVAL_MS: '100',
        // These tests evict cache entries by hand; the lifecycle consumer's refresh from
        // UploadCompleted (tested in lifecycle-events and tracing) could refill one afterwards.
        LIFECYCLE_CONSUMER_ENABLED: 'false',
        OTEL_SDK_DISABLED: 'false',
        OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpGrpc,
      },
    });
    uploads = createGrpcClient(uploadV1.UploadService, stack.intakeAddress);
    nodes = createGrpcClient(metadataV1.MetadataService, stack.metadataAddress);
  });

  afterAll(async () => {
    uploads.close();
    nodes.close();
    direct.disconnect();
    await stack.stop();
    await redisProxy.remove();
  });

  /**
   * Waits until the metadata service reports its cache healthy again and the gateway has seen it
   * (new uploads are refused while Redis is away: cache-outage.integration-spec.ts).
   */
  async function cacheServingAgain() {
    const health = createHealthClient(stack.metadataAddress);
    try {
      while ((await checkHealth(health, DEPENDENCY_HEALTH.metadataCache, 1000)) !== 'SERVING')
        await sleep(50);
    } finally {
      health.close();
    }
    // And until the intake gateway, which asks that health now and then, admits new uploads again.
    const probe = await eventually(
      () =>
        callUnary(uploads, upload.initiateUpload, { name: 'admission-probe', driveId: 'admission-probe' }),
      { timeoutMs: 15_000 },
    );
    await callUnary(uploads, upload.abortUpload, { uploadId: probe.uploadId });
  }

  /** Uploads `data` as `name` in drive-m through the public API; returns the new node version. */
  async function store(name: string, data: Buffer) {
    const { uploadId } = await callUnary(uploads, upload.initiateUpload, { name, driveId: 'drive-m' });
    await callUnary(uploads, upload.uploadChunk, { chunk: { uploadId, chunkNumber: 0n, data } });
    return (await callUnary(uploads, upload.completeUpload, { uploadId })).node!;
  }

  /** The value of a Prometheus counter on the metadata service's /metrics. */
  async function counter(name: string, labels: string): Promise<number> {
    const text = await (await fetch(`${stack.metadataHttpUrl}/metrics`)).text();
    const line = text.split('\n').find((row) => row.startsWith(`${name}{`) && row.includes(labels));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  /** cache.hit of the metadata.get_node spans of a node, as Jaeger has them, oldest first. */
  async function cacheHitsInJaeger(nodeId: string): Promise<boolean[]> {
    const tags = encodeURIComponent(JSON.stringify({ 'tessera.node_id': nodeId }));
    const url = `${jaeger.queryUrl}/api/traces?service=metadata-service&tags=${tags}&lookback=1h&limit=20`;
    const { data } = (await (await fetch(url)).json()) as {
      data: {
        spans: { operationName: string; startTime: number; tags: { key: string; value: unknown }[] }[];
      }[];
    };
    return data
      .flatMap((trace) => trace.spans)
      .filter((span) => span.operationName === 'metadata.get_node')
      .sort((a, b) => a.startTime - b.startTime)
      .map((span) => span.tags.find((tag) => tag.key === 'cache.hit')?.value as boolean);
  }

  it('reads a node through the cache: a miss from TiDB, then a hit (response, metric, span in Jaeger)', async () => {
    const data = randomBytes(1000);
    const stored = await store('report.pdf', data);
    await direct.del(`${stack.cachePrefix}node:${stored.nodeId}`); // as if its entry had expired
    const misses = await counter('tessera_cache_lookups_total', 'cache_hit="false"');
    const hits = await counter('tessera_cache_lookups_total', 'cache_hit="true"');

    const first = await callUnary(nodes, metadata.getNode, { nodeId: stored.nodeId });
    const second = await callUnary(nodes, metadata.getNode, { nodeId: stored.nodeId });

    expect(await counter('tessera_cache_lookups_total', 'cache_hit="false"')).toBe(misses + 1);
    expect(await counter('tessera_cache_lookups_total', 'cache_hit="true"')).toBe(hits + 1);
    // Spans leave in batches (every few seconds): wait for both.
    expect(
      await eventually(
        async () => {
          const seen = await cacheHitsInJaeger(stored.nodeId);
          if (seen.length < 2) throw new Error(`${seen.length} spans in Jaeger so far`);
          return seen;
        },
        { timeoutMs: 30_000 },
      ),
    ).toEqual([false, true]);

    expect(first).toMatchObject({
      cacheHit: false,
      node: { nodeId: stored.nodeId, version: 1n, sha256: sha256(data) },
    });
    expect(second).toMatchObject({ cacheHit: true, node: { version: 1n, size: 1000n } });
    expect(second.node?.location).toMatchObject({ bucket: stack.bucket, key: stored.location!.key });
  });

  it('answers a read right after an overwrite with the new version', async () => {
    const first = await store('plan.txt', Buffer.from('one'));
    await callUnary(nodes, metadata.getNode, { nodeId: first.nodeId }); // cached: version 1
    const second = await store('plan.txt', Buffer.from('two!'));
    expect(second).toMatchObject({ nodeId: first.nodeId, version: 2n });

    const read = await callUnary(nodes, metadata.getNode, { nodeId: first.nodeId });
    expect(read.node).toMatchObject({ version: 2n, size: 4n, sha256: sha256(Buffer.from('two!')) });
    // The completion handed its version to the cache.
    expect(read.cacheHit).toBe(true);
    const older = await callUnary(nodes, metadata.getNode, { nodeId: first.nodeId, version: 1n });
    expect(older.node).toMatchObject({ version: 1n, size: 3n });
    const { versions } = await callUnary(nodes, metadata.listVersions, { nodeId: first.nodeId });
    expect(versions.map((node) => node.version)).toEqual([2n, 1n]);
    expect(versions[0]!.location?.versionId).not.toBe(versions[1]!.location?.versionId);
  });

  it('lets one of two writes expecting the same version win; the other gets ABORTED', async () => {
    const contenders = [randomBytes(100), randomBytes(200)];
    const uploadIds = await Promise.all(
      contenders.map(async (data) => {
        const { uploadId } = await callUnary(uploads, upload.initiateUpload, {
          name: 'contested.txt',
          driveId: 'drive-m',
          expectedVersion: 0n,
        });
        await callUnary(uploads, upload.uploadChunk, { chunk: { uploadId, chunkNumber: 0n, data } });
        return uploadId;
      }),
    );
    const results = await Promise.allSettled(
      uploadIds.map((uploadId) => callUnary(uploads, upload.completeUpload, { uploadId })),
    );
    const won = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.node!] : []));
    const lost = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toEqual([
      expect.objectContaining({
        code: status.ABORTED,
        details: expect.stringContaining('but this write expected version 0'),
      }),
    ]);
    const read = await callUnary(nodes, metadata.getNode, { nodeId: won[0]!.nodeId });
    expect(read.node).toMatchObject({ version: 1n, sha256: won[0]!.sha256 });
    await expect(
      callUnary(uploads, upload.initiateUpload, {
        name: 'contested.txt',
        driveId: 'drive-m',
        expectedVersion: 0n,
      }),
    ).rejects.toMatchObject({ code: status.ABORTED, details: expect.stringContaining('is at version 1') });
  });

  it('keeps serving reads from TiDB while Redis is unreachable', async () => {
    const stored = await store('while-redis-is-down.bin', randomBytes(10));
    const failures = await counter('tessera_cache_failures_total', 'operation="get"');
    await redisProxy.setEnabled(false);
    try {
      const read = await callUnary(nodes, metadata.getNode, { nodeId: stored.nodeId });
      expect(read).toMatchObject({ cacheHit: false, node: { nodeId: stored.nodeId, version: 1n } });
      expect(await counter('tessera_cache_failures_total', 'operation="get"')).toBe(failures + 1);
      // Read from the service's stdout, which may come after the call's answer.
      await eventually(() =>
        expect(stack.metadataLogs).toContainEqual(
          expect.objectContaining({ level: 'warn', message: 'node cache unavailable: served from TiDB' }),
        ),
      );
    } finally {
      await redisProxy.setEnabled(true);
      await cacheServingAgain();
    }
  });

  it('deletes a node: every version gone from reads, the cache and the bucket; the name can be used again', async () => {
    const first = await store('doomed.bin', randomBytes(50));
    const second = await store('doomed.bin', randomBytes(60));
    await callUnary(nodes, metadata.getNode, { nodeId: first.nodeId });
    await callUnary(nodes, metadata.getNode, { nodeId: first.nodeId, version: 1n });
    const open = await callUnary(uploads, upload.initiateUpload, { name: 'doomed.bin', driveId: 'drive-m' });

    await callUnary(nodes, metadata.deleteNode, { nodeId: first.nodeId });

    for (const version of [undefined, 1n, 2n]) {
      await expect(
        callUnary(nodes, metadata.getNode, { nodeId: first.nodeId, ...(version && { version }) }),
      ).rejects.toMatchObject({ code: status.NOT_FOUND });
    }
    await expect(callUnary(nodes, metadata.listVersions, { nodeId: first.nodeId })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
    await expect(callUnary(nodes, metadata.deleteNode, { nodeId: first.nodeId })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
    const progress = await callUnary(uploads, upload.getUploadStatus, { uploadId: open.uploadId });
    expect(progress.upload?.state).toBe(uploadV1.UploadState.ABORTED);
    const s3 = createS3Client(minioClientOptions(1));
    const left = await s3.send(
      new ListObjectVersionsCommand({ Bucket: stack.bucket, Prefix: second.location!.key }),
    );
    s3.destroy();
    expect([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])]).toEqual([]);

    const again = await store('doomed.bin', randomBytes(5));
    expect(again.nodeId).not.toBe(first.nodeId);
    expect(again.version).toBe(1n);
  });

  it('lists a drive page by page', async () => {
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await callUnary(nodes, metadata.listNodes, { driveId: 'drive-m', pageToken });
      expect(page.nodes.length).toBeLessThanOrEqual(2);
      seen.push(...page.nodes.map((node) => node.name));
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(seen).toEqual(
      expect.arrayContaining(['report.pdf', 'plan.txt', 'while-redis-is-down.bin', 'doomed.bin']),
    );
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('answers NOT_FOUND for an unknown node and INVALID_ARGUMENT naming a bad field', async () => {
    await expect(
      callUnary(nodes, metadata.getNode, { nodeId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(callUnary(nodes, metadata.getNode, { nodeId: 'x' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('node_id'),
    });
    await expect(callUnary(nodes, metadata.listNodes, { driveId: '' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('drive_id'),
    });
    const cache = createGrpcClient(internalV1.NodeCacheService, stack.metadataAddress);
    const nodeId = '00000000-0000-4000-8000-000000000001';
    await expect(
      callUnary(cache, internalV1.NodeCacheService.method.refreshNode, {
        nodeId,
        written: { nodeId: '00000000-0000-4000-8000-000000000002', version: 1n },
      }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('written.node_id'),
    });
    await expect(
      callUnary(cache, internalV1.NodeCacheService.method.refreshNode, { nodeId, written: { nodeId } }),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('written.version'),
    });
    cache.close();
  });
});
