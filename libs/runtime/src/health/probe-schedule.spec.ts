import { setTimeout as sleep } from 'node:timers/promises';
import { scheduleProbes } from './probe-schedule';

describe('scheduleProbes', () => {
  it('probes at once, then every interval, and every 100 ms while in doubt, one probe at a time', async () => {
    const started: number[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    let doubt = false;
    const schedule = scheduleProbes(
      async () => {
        started.push(performance.now());
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        await sleep(20);
        inFlight--;
      },
      { intervalMs: 400, inDoubt: () => doubt },
    );
    await schedule.first;
    await sleep(900);
    const calm = started.length;
    doubt = true;
    await sleep(1_000);
    schedule.stop();
    const inDoubt = started.length - calm;
    expect(calm).toBeGreaterThanOrEqual(2);
    expect(calm).toBeLessThanOrEqual(3);
    expect(inDoubt).toBeGreaterThanOrEqual(4); // about 8 at 120 ms each; a busy machine is slower
    expect(mostInFlight).toBe(1);
    await sleep(300);
    expect(started.length).toBe(calm + inDoubt); // stopped
  });

  it('keeps probing after a probe failed', async () => {
    let probes = 0;
    const schedule = scheduleProbes(
      async () => {
        probes++;
        throw new Error('refused');
      },
      { intervalMs: 10, inDoubt: () => false },
    );
    await sleep(200);
    schedule.stop();
    expect(probes).toBeGreaterThan(3);
  });
});
