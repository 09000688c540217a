import type { KeyValueCache } from '@tessera/cache';
import { ErrorCode, TesseraError } from '@tessera/errors';
import type { DependencyHealthJudge } from '@tessera/runtime';
import { redisOutcome } from './redis-health-probe';

/**
 * The cache, each operation's outcome told to `judge`: real operations, not only probes, decide
 * whether Redis counts as down. Only the cache's own UNAVAILABLE failures count against Redis.
 */
export function judgedCache<T>(
  cache: KeyValueCache<T>,
  judge: Pick<DependencyHealthJudge, 'record'>,
): KeyValueCache<T> {
  const judged = async <R>(operation: () => Promise<R>): Promise<R> => {
    const startedAt = performance.now();
    try {
      const result = await operation();
      judge.record(redisOutcome(startedAt));
      return result;
    } catch (error) {
      if (error instanceof TesseraError && error.code === ErrorCode.Unavailable)
        judge.record(redisOutcome(startedAt, error));
      throw error;
    }
  };
  return {
    get: (key) => judged(() => cache.get(key)),
    set: (key, value, ttlSeconds) => judged(() => cache.set(key, value, ttlSeconds)),
    delete: (key) => judged(() => cache.delete(key)),
  };
}
