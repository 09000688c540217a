/**
 * A cache of values by key. Implementations fail with TesseraError UNAVAILABLE when the cache
 * cannot answer in time; callers treat that as a miss (see readThrough).
 */
export interface KeyValueCache<T> {
  get(key: string): Promise<T | undefined>;
  set(key: string, value: T, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}
