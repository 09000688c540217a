import { Redis } from 'ioredis';
import { stackEndpoints } from '@tessera/testing';

describe('Toxiproxy (real server)', () => {
  const { toxiproxy, redis } = stackEndpoints();
  const name = `smoke-redis-${Date.now()}`;

  async function api(path: string, method: string, body?: object): Promise<Response> {
    const response = await fetch(`${toxiproxy.url}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      ...(body && { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response;
  }

  async function pingMillis(client: Redis): Promise<number> {
    const start = performance.now();
    await client.ping();
    return performance.now() - start;
  }

  afterAll(() => api(`/proxies/${name}`, 'DELETE'));

  it('adds latency that a client can measure', async () => {
    const proxy = (await (
      await api('/proxies', 'POST', { name, listen: '127.0.0.1:0', upstream: `${redis.host}:${redis.port}` })
    ).json()) as { listen: string };
    const port = Number(proxy.listen.split(':').pop());
    const client = new Redis({ host: '127.0.0.1', port });
    try {
      await pingMillis(client);
      const before = await pingMillis(client);
      await api(`/proxies/${name}/toxics`, 'POST', {
        name: 'latency',
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: 300, jitter: 0 },
      });
      const after = await pingMillis(client);
      expect(before).toBeLessThan(200);
      expect(after).toBeGreaterThanOrEqual(290);
    } finally {
      client.disconnect();
    }
  });
});
