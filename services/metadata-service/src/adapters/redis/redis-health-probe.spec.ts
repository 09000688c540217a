import { setTimeout as sleep } from 'node:timers/promises';
import { probeRedisHealth } from './redis-health-probe';

/** Runs the probe against PING answers given in order (true: answers), collecting what it reports. */
async function reportsFor(answers: boolean[], failuresToDown: number): Promise<boolean[]> {
  const reports: boolean[] = [];
  let next = 0;
  const redis = {
    ping: async () => {
      const answer = answers[Math.min(next++, answers.length - 1)];
      if (!answer) throw new Error('Command timed out');
      return 'PONG' as const;
    },
  };
  const logger = { info: () => undefined, warn: () => undefined };
  const probe = probeRedisHealth(
    redis,
    { intervalMs: 5, failuresToDown },
    { catchUp: async () => true, report: (serving) => reports.push(serving) },
    logger,
  );
  while (next < answers.length) await sleep(5);
  await sleep(20);
  probe.stop();
  return reports;
}

describe('probeRedisHealth', () => {
  it('reports down only after failuresToDown failed pings in a row, and up at the first answer', async () => {
    expect(await reportsFor([true, false, true, false, false, false, true], 2)).toEqual([true, false, true]);
  });

  it('reports the first result as it is, down included', async () => {
    expect(await reportsFor([false, false, true], 2)).toEqual([false, true]);
  });

  it('reports every failure with failuresToDown 1', async () => {
    expect(await reportsFor([true, false, true, false, true], 1)).toEqual([true, false, true, false, true]);
  });
});
