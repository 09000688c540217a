import { setTimeout as sleep } from 'node:timers/promises';
import { status, type Client } from '@grpc/grpc-js';
import { DependencyHealthJudge } from '@tessera/runtime';
import { GrpcCacheHealth } from './grpc-cache-health';

type Reply = { serving: boolean; rule?: string; detail?: string } | status;

/** A metadata service answering GetCacheHealth with `reply()` (a gRPC status code fails the call). */
function metadataService(reply: () => Reply): Client {
  return {
    GetCacheHealth: (
      _request: unknown,
      _metadata: unknown,
      _options: unknown,
      callback: (...args: unknown[]) => void,
    ) =>
      setImmediate(() => {
        const answer = reply();
        if (typeof answer === 'number') callback(Object.assign(new Error('failed'), { code: answer }));
        else callback(null, { rule: '', detail: '', ...answer });
      }),
  } as unknown as Client;
}

const policy = {
  windowMs: 200,
  minOutcomes: 3,
  tripRatio: 0.5,
  slowTripRatio: 0.9,
  tripAfterMs: 50,
  recoverAfterMs: 50,
  slowMs: 100,
  loopDelayAllowanceMs: 25,
};

describe('GrpcCacheHealth', () => {
  let health: GrpcCacheHealth | undefined;
  afterEach(() => health?.stop());

  function healthOf(reply: () => Reply) {
    const judge = new DependencyHealthJudge('metadata-service', policy, { delayDuring: () => 0 });
    health = new GrpcCacheHealth(metadataService(reply), judge, { intervalMs: 10, timeoutMs: 100 });
    return health;
  }

  it('admits new uploads when the first question failed: one late answer is not an outage', async () => {
    let calls = 0;
    const cacheHealth = healthOf(() => (calls++ === 0 ? status.DEADLINE_EXCEEDED : { serving: true }));
    expect(await cacheHealth.status()).toEqual({ serving: true });
  });

  it("passes the metadata service's verdict on, with its rule and detail", async () => {
    const cacheHealth = healthOf(() => ({ serving: false, rule: 'slow', detail: '9 of 10 …' }));
    expect(await cacheHealth.status()).toEqual({
      serving: false,
      reason: 'the metadata cache (Redis) is unavailable (slow: 9 of 10 …)',
    });
  });

  it('refuses once the metadata service cannot be asked for a sustained time', async () => {
    const cacheHealth = healthOf(() => status.UNAVAILABLE);
    expect((await cacheHealth.status()).serving).toBe(true);
    await sleep(150);
    expect(await cacheHealth.status()).toMatchObject({
      serving: false,
      reason: expect.stringMatching(
        /^the metadata service cannot be asked \(errors: \d+ of \d+ metadata-service operations/,
      ),
    });
  });
});
