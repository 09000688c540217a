import type { NodeVersion } from '@tessera/nodes';

/** What the cache holds for a node: a version, or the mark that the node was deleted. */
export type CachedNode = { kind: 'version'; node: NodeVersion } | { kind: 'deleted' };

/** Cache keys: the latest version of a node, and each version by number. */
export const cacheKeys = {
  latest: (nodeId: string) => `node:${nodeId}`,
  version: (nodeId: string, version: number) => `node:${nodeId}:v${version}`,
};

/** Observes cache use, for metrics and traces. */
export interface CacheObserver {
  lookedUp(hit: boolean): void;
  /** The cache failed and the read went to TiDB (or a fill was skipped). */
  failed(error: unknown, operation: 'get' | 'set'): void;
}
