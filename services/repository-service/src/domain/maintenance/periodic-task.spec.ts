import { setTimeout as sleep } from 'node:timers/promises';
import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  it('runs at once when asked, then every interval, and goes on after a failed run', async () => {
    const runs: number[] = [];
    const errors: unknown[] = [];
    const task = new PeriodicTask(
      async () => {
        runs.push(runs.length);
        if (runs.length === 2) throw new Error('second run failed');
      },
      20,
      (error) => errors.push(error),
    );
    task.start({ immediately: true });
    await sleep(5);
    expect(runs).toEqual([0]);
    await sleep(100);
    await task.stop();
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(errors).toEqual([new Error('second run failed')]);
  });

  it('waits for a run under way when stopped, and runs no more', async () => {
    let finished = false;
    const task = new PeriodicTask(
      async () => {
        await sleep(30);
        finished = true;
      },
      1,
      () => undefined,
    );
    task.start({ immediately: true });
    await sleep(5);
    await task.stop();
    expect(finished).toBe(true);
    expect(task.isStopped).toBe(true);
  });
});
