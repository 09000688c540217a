import { setTimeout as sleep } from 'node:timers/promises';
import { LoopDelayMonitor } from './loop-delay-monitor';

function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: the event loop cannot run timers
  }
}

describe('LoopDelayMonitor', () => {
  const monitor = new LoopDelayMonitor(10, 10_000);
  beforeAll(() => void monitor.start());
  afterAll(() => monitor.stop());

  it('reports little delay while the loop runs freely', async () => {
    const from = performance.now();
    await sleep(100);
    expect(monitor.delayDuring(from, performance.now())).toBeLessThan(40);
  });

  it('reports a block of the loop to a timer that was due during it', async () => {
    const from = performance.now();
    const timedOut = new Promise<number>((resolve) =>
      setTimeout(() => resolve(monitor.delayDuring(from, performance.now())), 50),
    );
    await sleep(20);
    blockFor(300);
    expect(await timedOut).toBeGreaterThan(200);
  });

  it('does not report a block to a span that ended before it', async () => {
    await sleep(20);
    const from = performance.now();
    await sleep(50);
    const to = performance.now();
    await sleep(20);
    blockFor(200);
    await sleep(30);
    expect(monitor.delayDuring(from, to)).toBeLessThan(40);
  });
});
