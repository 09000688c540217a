import type { CacheHealth } from './domain/cache-health';
import type { NodeReader } from './domain/node-reader';

/** Injection token of the metadata service's domain, built at the composition root. */
export const METADATA_DOMAIN = Symbol('MetadataDomain');

export interface MetadataDomain {
  reader: NodeReader;
  /** Whether the cache is usable; the intake gateway admits new uploads only while it is. */
  cacheHealth: CacheHealth;
}
