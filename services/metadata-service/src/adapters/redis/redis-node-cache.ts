import { FINAL_VERSION, RedisVersionedCache } from '@tessera/cache';
import type { Redis } from 'ioredis';
import type { CachedNode } from '../../domain/cached-node';

function versionOf(entry: CachedNode): number {
  return entry.kind === 'version' ? entry.node.version : FINAL_VERSION;
}

function revive(parsed: unknown): CachedNode {
  const entry = parsed as CachedNode;
  if (entry.kind !== 'version') return entry;
  return { kind: 'version', node: { ...entry.node, createdAt: new Date(entry.node.createdAt) } };
}

/** Node entries in Redis; a deletion mark is final, an older version never replaces a newer one. */
export function createRedisNodeCache(redis: Redis, prefix: string): RedisVersionedCache<CachedNode> {
  return new RedisVersionedCache<CachedNode>(redis, prefix, versionOf, revive);
}
