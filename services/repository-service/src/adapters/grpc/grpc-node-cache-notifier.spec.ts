import { status, type Client } from '@grpc/grpc-js';
import { GrpcNodeCacheNotifier } from './grpc-node-cache-notifier';

/** A client whose RefreshNode fails with `code` every time, counting the calls. */
function failingClient(code: status) {
  const calls = { count: 0 };
  const client = {
    RefreshNode: (
      _request: unknown,
      _metadata: unknown,
      _options: unknown,
      callback: (error: Error) => void,
    ) => {
      calls.count++;
      setImmediate(() => callback(Object.assign(new Error('failed'), { code })));
    },
  } as unknown as Client;
  return { client, calls };
}

describe('GrpcNodeCacheNotifier', () => {
  const options = { attempts: 3, timeoutMs: 100 };

  it('gives up after `attempts` failed calls', async () => {
    const { client, calls } = failingClient(status.DEADLINE_EXCEEDED);
    const notifier = new GrpcNodeCacheNotifier(client, { delayDuring: () => 0 }, options);
    await expect(notifier.nodeChanged('n')).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
    expect(calls.count).toBe(3);
  });

  it('does not count deadlines that passed while its own event loop was delayed (at most `attempts` of them)', async () => {
    const { client, calls } = failingClient(status.DEADLINE_EXCEEDED);
    const notifier = new GrpcNodeCacheNotifier(client, { delayDuring: () => 60 }, options);
    await expect(notifier.nodeChanged('n')).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
    expect(calls.count).toBe(6);
  });

  it('counts every other failure whatever the loop delay', async () => {
    const { client, calls } = failingClient(status.UNAVAILABLE);
    const notifier = new GrpcNodeCacheNotifier(client, { delayDuring: () => 60 }, options);
    await expect(notifier.nodeChanged('n')).rejects.toMatchObject({ code: status.UNAVAILABLE });
    expect(calls.count).toBe(3);
  });
});
