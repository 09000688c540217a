import { ErrorCode } from '@tessera/errors';
import { createProxy, stackEndpoints } from '@tessera/testing';
import { Redis } from 'ioredis';
import { readThrough } from './read-through';
import { RedisKeyValueCache } from './redis-key-value-cache';
import { FINAL_VERSION, RedisVersionedCache } from './redis-versioned-cache';
import { SingleFlight } from './single-flight';

const { redis, toxiproxy } = stackEndpoints();
const prefix = `cache-test:${Date.now()}:`;

function client(port: number): Redis {
  return new Redis({
    host: '127.0.0.1',
    port,
    commandTimeout: 200,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    lazyConnect: false,
  });
}

describe('RedisKeyValueCache against Redis', () => {
  const connection = client(redis.port);
  const cache = new RedisKeyValueCache<{ nodeId: string; size: string }>(connection, prefix);

  beforeAll(() => new Promise((resolve) => connection.once('ready', resolve)));
  afterAll(() => connection.quit());

  it('stores JSON values under its prefix with a TTL, and deletes them', async () => {
    await cache.set('n1', { nodeId: 'n1', size: '18446744073709551615' }, 30);
    expect(await cache.get('n1')).toEqual({ nodeId: 'n1', size: '18446744073709551615' });
    expect(await connection.ttl(`${prefix}n1`)).toBeGreaterThan(25);
    await cache.delete('n1');
    expect(await cache.get('n1')).toBeUndefined();
  });

  it('never lets a stale fill replace a newer version, nor anything replace a final tombstone', async () => {
    type Entry = { version: number; at: Date };
    const versioned = new RedisVersionedCache<Entry>(
      connection,
      prefix,
      (entry) => entry.version,
      (parsed) => ({ ...(parsed as Entry), at: new Date((parsed as { at: string }).at) }),
    );
    const at = new Date('2026-01-02T03:04:05.678Z');
    await versioned.set('v', { version: 2, at }, 30);
    await versioned.set('v', { version: 1, at }, 30);
    expect(await versioned.get('v')).toEqual({ version: 2, at });
    await versioned.set('v', { version: 3, at }, 30);
    expect((await versioned.get('v'))?.version).toBe(3);
    await versioned.set('v', { version: FINAL_VERSION, at }, 30);
    await versioned.set('v', { version: 4, at }, 30);
    expect((await versioned.get('v'))?.version).toBe(FINAL_VERSION);
    expect(await connection.ttl(`${prefix}v`)).toBeGreaterThan(25);
  });

  it('turns a slow Redis into UNAVAILABLE within the command timeout, and reads fall back to the loader', async () => {
    const proxy = await createProxy(toxiproxy.url, `slow-redis-${Date.now()}`, `${redis.host}:${redis.port}`);
    const slowConnection = client(proxy.port);
    try {
      await new Promise((resolve) => slowConnection.once('ready', resolve));
      await proxy.addLatency(2000);
      const slowCache = new RedisKeyValueCache<string>(slowConnection, prefix);
      const started = performance.now();
      await expect(slowCache.get('n1')).rejects.toMatchObject({ code: ErrorCode.Unavailable });
      expect(performance.now() - started).toBeLessThan(1000);

      const failures: string[] = [];
      const read = await readThrough('n2', async () => 'from-tidb', {
        cache: slowCache,
        singleFlight: new SingleFlight(),
        ttlSeconds: 30,
        onCacheError: (_error, operation) => failures.push(operation),
      });
      expect(read).toEqual({ value: 'from-tidb', cacheHit: false });
      expect(failures).toEqual(['get', 'set']);
    } finally {
      slowConnection.disconnect();
      await proxy.remove();
    }
  });

  it('reports a Redis that is not there as UNAVAILABLE', async () => {
    const nowhere = client(1);
    nowhere.on('error', () => undefined);
    await expect(new RedisKeyValueCache<string>(nowhere, prefix).get('n1')).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
    });
    nowhere.disconnect();
  });
});
