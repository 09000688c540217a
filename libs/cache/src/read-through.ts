import type { KeyValueCache } from './key-value-cache.port';
import type { SingleFlight } from './single-flight';

export interface ReadThroughOptions<T> {
  cache: KeyValueCache<T>;
  singleFlight: SingleFlight<T | undefined>;
  ttlSeconds: number;
  /** Called when the cache fails; the read goes on without it. */
  onCacheError: (error: unknown, operation: 'get' | 'set') => void;
}

export interface ReadResult<T> {
  value: T | undefined;
  cacheHit: boolean;
}

/**
 * Cache first; on a miss (or when the cache fails) one load per key at a time from the source of
 * truth, whose result fills the cache. Missing values are not cached.
 */
export async function readThrough<T>(
  key: string,
  load: () => Promise<T | undefined>,
  options: ReadThroughOptions<T>,
): Promise<ReadResult<T>> {
  try {
    const cached = await options.cache.get(key);
    if (cached !== undefined) return { value: cached, cacheHit: true };
  } catch (error) {
    options.onCacheError(error, 'get');
  }
  const value = await options.singleFlight.run(key, async () => {
    const loaded = await load();
    if (loaded !== undefined) {
      await options.cache
        .set(key, loaded, options.ttlSeconds)
        .catch((error: unknown) => options.onCacheError(error, 'set'));
    }
    return loaded;
  });
  return { value, cacheHit: false };
}
