import type { Redis } from 'ioredis';
import { scheduleProbes, type DependencyHealthJudge, type Outcome } from '@tessera/runtime';

/**
 * Whether Redis answers a PING within `timeoutMs`, waiting for the first connection (commands are
 * not queued while connecting, so a PING right after start would fail however healthy Redis is).
 */
export async function redisAnswersAtStart(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status !== 'ready') {
    let timer: NodeJS.Timeout | undefined;
    const ready = await Promise.race([
      new Promise<boolean>((resolve) => redis.once('ready', () => resolve(true))),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!ready) return false;
  }
  return redis.ping().then(
    () => true,
    () => false,
  );
}

/** ioredis rejects a command that got no answer within `commandTimeout` with this message. */
function isCommandTimeout(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause.message === 'Command timed out') return true;
  }
  return false;
}

/** How a Redis command that started at `startedAt` and settled now (with `error` or not) went. */
export function redisOutcome(startedAt: number, error?: unknown): Outcome {
  const endedAt = performance.now();
  if (error === undefined) return { startedAt, endedAt };
  return { startedAt, endedAt, failure: isCommandTimeout(error) ? 'timeout' : 'error' };
}

/**
 * Pings Redis every `intervalMs` (every 100 ms while the judge is in doubt) and gives each answer
 * (or its absence) to `judge`, beside the outcomes of the cache's real operations. Then reports
 * whether the cache is serving: judged up and caught up. After an outage (or at start) that takes
 * `catchUp` (writing what could not be written meanwhile) to succeed; while serving, a catch-up that
 * fails (one cache write late on a busy host) is only tried again at the next probe: the cache
 * counts as down when the judge says so, its failed writes among the outcomes it weighs, not on
 * one late write. Reports the first result and every change.
 */
export function probeRedisHealth(
  redis: Pick<Redis, 'ping'>,
  judge: Pick<DependencyHealthJudge, 'record' | 'verdict' | 'inDoubt'>,
  intervalMs: number,
  { catchUp, report }: { catchUp: () => Promise<boolean>; report: (serving: boolean) => void },
): { stop(): void } {
  let last: boolean | undefined;
  const probe = async () => {
    const startedAt = performance.now();
    judge.record(
      await redis.ping().then(
        () => redisOutcome(startedAt),
        (error: unknown) => redisOutcome(startedAt, error ?? 'failed'),
      ),
    );
    const judgedUp = judge.verdict().serving;
    const caughtUp = judgedUp && (await catchUp().catch(() => false));
    const serving = judgedUp && (caughtUp || last === true);
    if (serving === last) return;
    last = serving;
    report(serving);
  };
  return scheduleProbes(probe, { intervalMs, inDoubt: () => judge.inDoubt() });
}
