import { ErrorCode, TesseraError } from '@tessera/errors';
import { readThrough, SingleFlight, type KeyValueCache } from '@tessera/cache';
import type { NodeVersion } from '@tessera/nodes';
import { cacheKeys, type CachedNode, type CacheObserver } from './cached-node';
import type { NodeCatalog } from './node-catalog.port';
import type { NodeRemover } from './node-remover.port';

export interface NodeReaderOptions {
  ttlSeconds: number;
  defaultPageSize: number;
  maxPageSize: number;
}

export interface NodePage {
  nodes: NodeVersion[];
  /** Empty on the last page. */
  nextPageToken: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function requireNodeId(nodeId: string): void {
  if (!UUID.test(nodeId)) throw TesseraError.invalidArgument('node_id', 'must be a UUID');
}

const encodeToken = (nodeId: string) => Buffer.from(nodeId).toString('base64url');

function decodeToken(token: string): string {
  if (token === '') return '';
  const nodeId = Buffer.from(token, 'base64url').toString();
  if (!UUID.test(nodeId))
    throw TesseraError.invalidArgument('page_token', 'is not a token this service issued');
  return nodeId;
}

/**
 * Node metadata behind the Redis cache: single nodes read through it (one TiDB load per key at a
 * time), lists straight from TiDB. refresh() and delete() keep the cache from serving what a write
 * replaced once the write is done.
 */
export class NodeReader {
  private readonly singleFlight = new SingleFlight<CachedNode | undefined>();
  /** Nodes written while their cache entry could not be (see refresh()). */
  private readonly unrefreshed = new Set<string>();

  constructor(
    private readonly catalog: NodeCatalog,
    private readonly cache: KeyValueCache<CachedNode>,
    private readonly observer: CacheObserver,
    private readonly options: NodeReaderOptions,
    private readonly remover: NodeRemover,
  ) {}

  /** The latest version, or the given one; NOT_FOUND when there is none. */
  async getNode(nodeId: string, version?: number): Promise<{ node: NodeVersion; cacheHit: boolean }> {
    requireNodeId(nodeId);
    if (version !== undefined && (!Number.isSafeInteger(version) || version < 1))
      throw TesseraError.invalidArgument('version', 'must be a positive integer');
    const key = version === undefined ? cacheKeys.latest(nodeId) : cacheKeys.version(nodeId, version);
    const load = async (): Promise<CachedNode | undefined> => {
      const node = await (version === undefined
        ? this.catalog.latest(nodeId)
        : this.catalog.version(nodeId, version));
      return node && { kind: 'version', node };
    };
    if (this.unrefreshed.has(nodeId)) return this.versionOrNotFound(nodeId, version, await load());
    const { value, cacheHit } = await readThrough(key, load, {
      cache: this.cache,
      singleFlight: this.singleFlight,
      ttlSeconds: this.options.ttlSeconds,
      onCacheError: (error, operation) => this.observer.failed(error, operation),
    });
    this.observer.lookedUp(cacheHit);
    return { node: this.versionOrNotFound(nodeId, version, value).node, cacheHit };
  }

  private versionOrNotFound(nodeId: string, version: number | undefined, value: CachedNode | undefined) {
    if (value?.kind !== 'version') {
      throw TesseraError.notFound('node', version === undefined ? nodeId : `${nodeId} version ${version}`);
    }
    return { node: value.node, cacheHit: false };
  }

  async listNodes(driveId: string, pageSize: number, pageToken: string): Promise<NodePage> {
    if (driveId.length === 0) throw TesseraError.invalidArgument('drive_id', 'must not be empty');
    const limit = Math.min(
      pageSize === 0 ? this.options.defaultPageSize : pageSize,
      this.options.maxPageSize,
    );
    const nodes = await this.catalog.listLatest(driveId, decodeToken(pageToken), limit + 1);
    const page = nodes.slice(0, limit);
    return { nodes: page, nextPageToken: nodes.length > limit ? encodeToken(page.at(-1)!.nodeId) : '' };
  }

  async listVersions(nodeId: string): Promise<NodeVersion[]> {
    requireNodeId(nodeId);
    const versions = await this.catalog.versions(nodeId);
    if (versions.length === 0) throw TesseraError.notFound('node', nodeId);
    return versions;
  }

  /**
   * Deletes the node where it is stored, then marks it and each of its versions deleted in the
   * cache, so no read after this answers with any of them.
   */
  async delete(nodeId: string): Promise<void> {
    requireNodeId(nodeId);
    const versions = await this.remover.deleteNode(nodeId);
    const keys = [cacheKeys.latest(nodeId), ...versions.map((version) => cacheKeys.version(nodeId, version))];
    try {
      for (const key of keys) await this.cache.set(key, { kind: 'deleted' }, this.options.ttlSeconds);
    } catch (error) {
      throw new TesseraError(
        ErrorCode.Unavailable,
        `node ${nodeId} was deleted, but its cache entries could not be marked: reads may still find it until they expire`,
        { cause: error },
      );
    }
  }

  /**
   * Puts the node's latest version from TiDB into the cache, or marks it deleted. When the cache
   * cannot be written (Redis down or overloaded) the write is still done — the version is durable in
   * TiDB — and the node is remembered as unrefreshed: this service reads it from TiDB, not the cache,
   * until flushUnrefreshed() has written its entry once Redis answers again.
   */
  async refresh(nodeId: string): Promise<number> {
    requireNodeId(nodeId);
    const latest = await this.catalog.latest(nodeId);
    try {
      await this.writeLatest(nodeId, latest);
    } catch (error) {
      this.unrefreshed.add(nodeId);
      this.observer.failed(error, 'set');
    }
    return latest?.version ?? 0;
  }

  /**
   * Puts a version a writer has just committed into the cache, as refresh() would after reading it
   * from TiDB: the cache keeps a newer version or a deletion mark it already has.
   */
  async refreshWith(written: NodeVersion): Promise<number> {
    requireNodeId(written.nodeId);
    if (!Number.isSafeInteger(written.version) || written.version < 1)
      throw TesseraError.invalidArgument('written.version', 'must be a positive integer');
    try {
      await this.writeLatest(written.nodeId, written);
    } catch (error) {
      this.unrefreshed.add(written.nodeId);
      this.observer.failed(error, 'set');
    }
    return written.version;
  }

  /**
   * refresh(), unless the cache already holds `version` of the node or a newer one (or its deletion
   * mark): a backstop that knows which version was written reads TiDB only when the writer's own
   * refresh did not reach the cache. True when it refreshed.
   */
  async refreshUnlessCached(nodeId: string, version: number): Promise<boolean> {
    requireNodeId(nodeId);
    if (!this.unrefreshed.has(nodeId)) {
      const cached = await this.cache.get(cacheKeys.latest(nodeId)).catch((error: unknown) => {
        this.observer.failed(error, 'get');
        return undefined;
      });
      if (cached && (cached.kind !== 'version' || cached.node.version >= version)) return false;
    }
    await this.refresh(nodeId);
    return true;
  }

  /** Writes the entries of nodes refresh() could not; true once none is left. */
  async flushUnrefreshed(): Promise<boolean> {
    for (const nodeId of [...this.unrefreshed]) {
      try {
        await this.writeLatest(nodeId, await this.catalog.latest(nodeId));
        this.unrefreshed.delete(nodeId);
      } catch {
        return false;
      }
    }
    return true;
  }

  private async writeLatest(nodeId: string, latest: NodeVersion | undefined): Promise<void> {
    if (!latest) {
      await this.cache.set(cacheKeys.latest(nodeId), { kind: 'deleted' }, this.options.ttlSeconds);
      return;
    }
    const entry: CachedNode = { kind: 'version', node: latest };
    await this.cache.set(cacheKeys.latest(nodeId), entry, this.options.ttlSeconds);
    await this.cache.set(cacheKeys.version(nodeId, latest.version), entry, this.options.ttlSeconds);
  }
}
