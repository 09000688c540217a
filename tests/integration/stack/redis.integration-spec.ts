import { Redis } from 'ioredis';
import { stackEndpoints } from '@tessera/testing';

describe('Redis (real server)', () => {
  const { redis: endpoint } = stackEndpoints();
  const client = new Redis({ host: endpoint.host, port: endpoint.port, lazyConnect: true });

  afterAll(() => client.quit());

  it('stores and returns a value', async () => {
    await client.connect();
    const key = `smoke:${Date.now()}`;
    await client.set(key, 'tessera', 'EX', 60);
    expect(await client.get(key)).toBe('tessera');
    expect((await client.info('server')).match(/redis_version:(\S+)/)?.[1]).toMatch(/^\d+\.\d+/);
  });
});
