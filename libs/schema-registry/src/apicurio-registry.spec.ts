import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '@tessera/errors';
import { ApicurioRegistry } from './apicurio-registry';

describe('ApicurioRegistry', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer(() => undefined); // reads requests, never answers: a hung registry
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/apis/registry/v3`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails UNAVAILABLE when the registry does not answer in time, instead of waiting forever', async () => {
    const startedAt = performance.now();
    await expect(new ApicurioRegistry(url, fetch, 300).ensureGroup('g', 'BACKWARD')).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
      message: expect.stringContaining('no answer within 300 ms'),
    });
    expect(performance.now() - startedAt).toBeLessThan(5_000);
  });
});
