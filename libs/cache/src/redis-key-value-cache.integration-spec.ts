import { ErrorCode } from '@tessera/errors';
import { stackEndpoints } from '@tessera/testing';
import { Redis } from 'ioredis';
import { readThrough } from './read-through';
import { RedisKeyValueCache } from './redis-key-value-cache';
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

async function toxiproxyApi(path: string, method: string, body?: object): Promise<Response> {
  const response = await fetch(`${toxiproxy.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body && { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
  return response;
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

  it('turns a slow Redis into UNAVAILABLE within the command timeout, and reads fall back to the loader', async () => {
    const name = `slow-redis-${Date.now()}`;
    const proxy = (await (
      await toxiproxyApi('/proxies', 'POST', {
        name,
        listen: '127.0.0.1:0',
        upstream: `${redis.host}:${redis.port}`,
      })
    ).json()) as { listen: string };
    const slowConnection = client(Number(proxy.listen.split(':').pop()));
    try {
      await new Promise((resolve) => slowConnection.once('ready', resolve));
      await toxiproxyApi(`/proxies/${name}/toxics`, 'POST', {
        type: 'latency',
        attributes: { latency: 2000 },
      });
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
      await toxiproxyApi(`/proxies/${name}`, 'DELETE');
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
