import { randomUUID } from 'node:crypto';
import type { NodeVersion } from '@tessera/nodes';
import { ErrorCode } from '@tessera/errors';
import { stackEndpoints } from '@tessera/testing';
import { Redis } from 'ioredis';
import { createRedisNodeCache } from '../adapters/redis/redis-node-cache';
import type { CacheObserver } from './cached-node';
import type { NodeCatalog } from './node-catalog.port';
import type { NodeRemover } from './node-remover.port';
import { NodeReader } from './node-reader';

const { redis } = stackEndpoints();
const OPTIONS = { ttlSeconds: 60, defaultPageSize: 2, maxPageSize: 3 };

function nodeVersion(nodeId: string, version: number): NodeVersion {
  return {
    nodeId,
    version,
    driveId: 'drive-r',
    name: `${nodeId}.bin`,
    size: version * 10,
    sha256: 'a'.repeat(64),
    mimeType: 'application/octet-stream',
    userMetadata: { team: 'platform' },
    bucket: 'b',
    objectKey: `drive-r/${nodeId}`,
    objectVersionId: `s3-${version}`,
    etag: `"e${version}"`,
    partSizes: [version * 10],
    partSha256: [],
    sha256VerifiedBy: 'service',
    uploadId: randomUUID(),
    createdAt: new Date(Date.UTC(2026, 10, 23, 0, 0, version)),
  };
}

/**
 * The versions of each node, standing in for TiDB and the repository service: this spec is about
 * the cache in front of them.
 */
class RecordingCatalog implements NodeCatalog, NodeRemover {
  readonly versionsOf = new Map<string, NodeVersion[]>();
  loads = 0;
  /** When set, latest() takes its answer, then waits for this before returning it. */
  gate: Promise<void> | undefined;
  private loaded: (() => void) | undefined;

  /** Resolves once latest() has taken its answer. */
  nextLoad(): Promise<void> {
    return new Promise((resolve) => (this.loaded = resolve));
  }

  async latest(nodeId: string) {
    this.loads++;
    const latest = this.versionsOf.get(nodeId)?.at(-1);
    const gate = this.gate;
    this.loaded?.();
    await gate;
    return latest;
  }
  async version(nodeId: string, version: number) {
    this.loads++;
    return this.versionsOf.get(nodeId)?.find((node) => node.version === version);
  }
  async listLatest(driveId: string, afterNodeId: string, limit: number) {
    return [...this.versionsOf.values()]
      .map((versions) => versions.at(-1)!)
      .filter((node) => node.driveId === driveId && node.nodeId > afterNodeId)
      .sort((a, b) => a.nodeId.localeCompare(b.nodeId))
      .slice(0, limit);
  }
  async versions(nodeId: string) {
    return [...(this.versionsOf.get(nodeId) ?? [])].reverse();
  }
  async deleteNode(nodeId: string) {
    const versions = (this.versionsOf.get(nodeId) ?? []).map((node) => node.version);
    this.versionsOf.delete(nodeId);
    return versions;
  }
  add(node: NodeVersion) {
    this.versionsOf.set(node.nodeId, [...(this.versionsOf.get(node.nodeId) ?? []), node]);
  }
}

describe('NodeReader with Redis', () => {
  const connection = new Redis({
    host: redis.host,
    port: redis.port,
    commandTimeout: 200,
    enableOfflineQueue: false,
  });
  const prefix = `node-reader-${Date.now()}:`;
  const lookups: boolean[] = [];
  const failures: string[] = [];
  const observer: CacheObserver = {
    lookedUp: (hit) => lookups.push(hit),
    failed: (_error, operation) => failures.push(operation),
  };
  let catalog: RecordingCatalog;
  let reader: NodeReader;

  beforeAll(() => new Promise((resolve) => connection.once('ready', resolve)));
  beforeEach(() => {
    catalog = new RecordingCatalog();
    reader = new NodeReader(catalog, createRedisNodeCache(connection, prefix), observer, OPTIONS, catalog);
    lookups.length = 0;
    failures.length = 0;
  });
  afterAll(() => connection.quit());

  it('reads through: a miss loads from the catalog and fills the cache, the next read hits', async () => {
    const node = nodeVersion(randomUUID(), 1);
    catalog.add(node);
    expect(await reader.getNode(node.nodeId)).toEqual({ node, cacheHit: false });
    expect(await reader.getNode(node.nodeId)).toEqual({ node, cacheHit: true });
    expect(await reader.getNode(node.nodeId, 1)).toMatchObject({ cacheHit: false });
    expect(await reader.getNode(node.nodeId, 1)).toMatchObject({ node, cacheHit: true });
    expect(lookups).toEqual([false, true, false, true]);
    expect(catalog.loads).toBe(2);
  });

  it('loads a key once for many concurrent readers (stampede protection)', async () => {
    const node = nodeVersion(randomUUID(), 1);
    catalog.add(node);
    const reads = await Promise.all(Array.from({ length: 25 }, () => reader.getNode(node.nodeId)));
    expect(reads.every((read) => read.node.version === 1)).toBe(true);
    expect(catalog.loads).toBe(1);
  });

  it('never serves the replaced version after a refresh, even when a slow read loaded it before', async () => {
    const nodeId = randomUUID();
    catalog.add(nodeVersion(nodeId, 1));
    let open!: () => void;
    catalog.gate = new Promise((resolve) => (open = resolve));
    const loaded = catalog.nextLoad();
    const slowRead = reader.getNode(nodeId);
    await loaded; // the read has version 1 from the catalog and has not yet filled the cache

    catalog.gate = undefined;
    catalog.add(nodeVersion(nodeId, 2));
    expect(await reader.refresh(nodeId)).toBe(2);
    open();
    expect((await slowRead).node.version).toBe(1);

    expect(await reader.getNode(nodeId)).toMatchObject({ node: { version: 2 }, cacheHit: true });
  });

  it('caches a version a writer hands over without asking the catalog, and never goes back to an older one', async () => {
    const nodeId = randomUUID();
    const [first, second] = [nodeVersion(nodeId, 1), nodeVersion(nodeId, 2)];
    catalog.add(first);
    catalog.add(second);
    const loads = catalog.loads;
    expect(await reader.refreshWith(second)).toBe(2);
    expect(await reader.refreshWith(first)).toBe(1); // late, from an earlier completion
    expect(await reader.getNode(nodeId)).toEqual({ node: second, cacheHit: true });
    expect(await reader.getNode(nodeId, 2)).toEqual({ node: second, cacheHit: true });
    expect(catalog.loads).toBe(loads);

    await reader.delete(nodeId);
    await reader.refreshWith(nodeVersion(nodeId, 3)); // a deletion mark stays
    await expect(reader.getNode(nodeId)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(reader.refreshWith({ ...first, version: 0 })).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
    });
  });

  it('reads TiDB for a backstop refresh only when the cache lacks the version written', async () => {
    const nodeId = randomUUID();
    catalog.add(nodeVersion(nodeId, 1));
    catalog.add(nodeVersion(nodeId, 2));
    expect(await reader.refreshUnlessCached(nodeId, 2)).toBe(true); // no entry yet
    const loads = catalog.loads;
    expect(await reader.refreshUnlessCached(nodeId, 2)).toBe(false);
    expect(await reader.refreshUnlessCached(nodeId, 1)).toBe(false);
    expect(catalog.loads).toBe(loads);
    catalog.add(nodeVersion(nodeId, 3));
    expect(await reader.refreshUnlessCached(nodeId, 3)).toBe(true);
    expect(await reader.getNode(nodeId)).toMatchObject({ node: { version: 3 }, cacheHit: true });
    await reader.delete(nodeId);
    expect(await reader.refreshUnlessCached(nodeId, 4)).toBe(false); // a deletion mark is final
  });

  it('marks a deleted node and each of its versions in the cache so no read serves them', async () => {
    const nodeId = randomUUID();
    catalog.add(nodeVersion(nodeId, 1));
    catalog.add(nodeVersion(nodeId, 2));
    await reader.getNode(nodeId);
    await reader.getNode(nodeId, 1);
    await reader.delete(nodeId);
    catalog.add(nodeVersion(nodeId, 1)); // were TiDB still to answer, the cache would not ask it
    await expect(reader.getNode(nodeId)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(reader.getNode(nodeId, 1)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(lookups.slice(-2)).toEqual([true, true]);
  });

  it('marks a node the catalog no longer has as deleted on refresh', async () => {
    const nodeId = randomUUID();
    catalog.add(nodeVersion(nodeId, 1));
    await reader.getNode(nodeId);
    catalog.versionsOf.delete(nodeId);
    expect(await reader.refresh(nodeId)).toBe(0);
    await expect(reader.getNode(nodeId)).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('serves reads from the catalog when Redis is not there, reporting each failure', async () => {
    const down = new Redis({
      host: '127.0.0.1',
      port: 1,
      commandTimeout: 200,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    down.on('error', () => undefined);
    const uncached = new NodeReader(catalog, createRedisNodeCache(down, prefix), observer, OPTIONS, catalog);
    const node = nodeVersion(randomUUID(), 1);
    catalog.add(node);
    expect(await uncached.getNode(node.nodeId)).toEqual({ node, cacheHit: false });
    expect(await uncached.getNode(node.nodeId)).toEqual({ node, cacheHit: false });
    expect(failures).toEqual(['get', 'set', 'get', 'set']);
    // A refresh the cache cannot take is remembered: reads of that node go to the catalog meanwhile.
    expect(await uncached.refresh(node.nodeId)).toBe(1);
    expect(failures).toEqual(['get', 'set', 'get', 'set', 'set']);
    expect(await uncached.getNode(node.nodeId)).toEqual({ node, cacheHit: false });
    expect(await uncached.flushUnrefreshed()).toBe(false);
    down.disconnect();
  });

  it('pages through a drive and lists versions newest first; refuses bad ids and tokens', async () => {
    const ids = Array.from({ length: 5 }, () => randomUUID()).sort();
    for (const id of ids) catalog.add(nodeVersion(id, 1));
    catalog.add(nodeVersion(ids[0]!, 2));
    const first = await reader.listNodes('drive-r', 0, '');
    expect(first.nodes.map((node) => node.nodeId)).toEqual(ids.slice(0, 2));
    const second = await reader.listNodes('drive-r', 10, first.nextPageToken);
    expect(second.nodes.map((node) => node.nodeId)).toEqual(ids.slice(2, 5));
    expect(second.nextPageToken).toBe('');
    expect((await reader.listVersions(ids[0]!)).map((node) => node.version)).toEqual([2, 1]);

    await expect(reader.getNode('nope')).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
      message: expect.stringContaining('node_id'),
    });
    await expect(reader.getNode(ids[0]!, 0)).rejects.toMatchObject({
      message: expect.stringContaining('version'),
    });
    await expect(reader.listNodes('drive-r', 1, 'garbage')).rejects.toMatchObject({
      message: expect.stringContaining('page_token'),
    });
    await expect(reader.listVersions(randomUUID())).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});
