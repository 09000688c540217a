import { setTimeout as sleep } from 'node:timers/promises';
import type { HealthVerdict, Outcome } from '@tessera/runtime';
import { probeRedisHealth, redisOutcome } from './redis-health-probe';

/** Runs the probe against PING answers given in order, with a judge that is down after a failure. */
async function probe(answers: Array<'PONG' | Error>, catchUp: () => Promise<boolean> = async () => true) {
  const reports: boolean[] = [];
  const recorded: Outcome[] = [];
  let verdict: HealthVerdict = { serving: true, detail: 'serving' };
  const judge = {
    record: (outcome: Outcome) => {
      recorded.push(outcome);
      verdict = outcome.failure
        ? { serving: false, rule: 'errors', detail: 'failed' }
        : { serving: true, detail: '' };
      return outcome.failure ? ('error' as const) : ('ok' as const);
    },
    verdict: () => verdict,
    inDoubt: () => false,
  };
  let next = 0;
  const redis = {
    ping: async () => {
      const answer = answers[Math.min(next++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  const running = probeRedisHealth(redis, judge, 5, { catchUp, report: (serving) => reports.push(serving) });
  while (next < answers.length) await sleep(5);
  await sleep(20);
  running.stop();
  return { reports, recorded };
}

describe('probeRedisHealth', () => {
  it('gives every PING outcome to the judge, telling a timeout from an error', async () => {
    const { recorded } = await probe(['PONG', new Error('Command timed out'), new Error('ECONNREFUSED')]);
    expect(recorded.slice(0, 3).map((outcome) => outcome.failure)).toEqual([undefined, 'timeout', 'error']);
  });

  it("reports the judge's verdict: the first one and every change", async () => {
    const { reports } = await probe(['PONG', 'PONG', new Error('x'), new Error('x'), 'PONG']);
    expect(reports).toEqual([true, false, true]);
  });

  it('reports serving only once the catch-up succeeded', async () => {
    let caughtUp = false;
    const { reports } = await probe(['PONG', 'PONG', 'PONG'], async () => {
      const result = caughtUp;
      caughtUp = true;
      return result;
    });
    expect(reports).toEqual([false, true]);
  });

  it('keeps serving when a catch-up fails while Redis is judged up, and tries it again', async () => {
    let attempts = 0;
    const { reports } = await probe(['PONG', 'PONG', 'PONG', 'PONG'], async () => ++attempts !== 2);
    expect(reports).toEqual([true]);
    expect(attempts).toBeGreaterThanOrEqual(3);
  });

  it('after an outage, reports serving again only once the catch-up succeeded', async () => {
    const answers: Array<'PONG' | Error> = ['PONG', new Error('x'), 'PONG', 'PONG', 'PONG'];
    let attempts = 0;
    expect((await probe(answers, async () => ++attempts === 1)).reports).toEqual([true, false]);
    attempts = 0;
    expect((await probe(answers, async () => ++attempts !== 2)).reports).toEqual([true, false, true]);
  });
});

describe('redisOutcome', () => {
  it('finds the ioredis timeout in the cause of the cache error', () => {
    const error = new Error('cache unavailable: GET x', { cause: new Error('Command timed out') });
    expect(redisOutcome(performance.now(), error).failure).toBe('timeout');
    expect(redisOutcome(performance.now(), new Error('Connection is closed.')).failure).toBe('error');
    expect(redisOutcome(performance.now()).failure).toBeUndefined();
  });
});
