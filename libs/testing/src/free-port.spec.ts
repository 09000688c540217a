import { freePort } from './service-process';

describe('freePort', () => {
  const worker = process.env.JEST_WORKER_ID;
  afterEach(() => {
    if (worker === undefined) delete process.env.JEST_WORKER_ID;
    else process.env.JEST_WORKER_ID = worker;
  });

  it('never hands out the same port twice in one process, even when each was freed again', async () => {
    const ports = [];
    for (let i = 0; i < 200; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('gives two jest workers ports from disjoint slices below the ephemeral range', async () => {
    const draw = async (workerId: string) => {
      process.env.JEST_WORKER_ID = workerId;
      const ports = [];
      for (let i = 0; i < 50; i++) ports.push(await freePort());
      return ports;
    };
    const first = await draw('1');
    const second = await draw('2');
    expect(Math.max(...first)).toBeLessThan(Math.min(...second));
    expect(Math.min(...first)).toBeGreaterThanOrEqual(20_000);
  });
});
