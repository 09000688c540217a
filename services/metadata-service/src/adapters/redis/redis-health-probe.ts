import type { Redis } from 'ioredis';
import type { Logger } from '@tessera/logging';

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

/**
 * Pings Redis every `intervalMs` and reports whether it answered within the client's command
 * timeout — down or overwhelmed (too slow) is "not serving" — and, once it does, whether `catchUp`
 * (writing what could not be written meanwhile) succeeded. "Not serving" takes `failuresToDown`
 * failed probes in a row (one slow PING on a loaded machine is not an outage); one good probe is
 * "serving" again. Reports the first result and every change, and logs each change.
 */
export function probeRedisHealth(
  redis: Pick<Redis, 'ping'>,
  { intervalMs, failuresToDown }: { intervalMs: number; failuresToDown: number },
  { catchUp, report }: { catchUp: () => Promise<boolean>; report: (serving: boolean) => void },
  logger: Pick<Logger, 'info' | 'warn'>,
): { stop(): void } {
  let last: boolean | undefined;
  let failures = 0;
  let running = false;
  const probe = async () => {
    if (running) return; // a slow PING is still out: it will report
    running = true;
    const answers = await redis.ping().then(
      () => true,
      () => false,
    );
    const healthy = answers && (await catchUp().catch(() => false));
    running = false;
    failures = healthy ? 0 : failures + 1;
    const serving = healthy || (failures < failuresToDown && last !== undefined ? last : false);
    if (serving === last) return;
    last = serving;
    report(serving);
    if (serving) logger.info('redis answers again: new uploads are admitted');
    else logger.warn({ failures }, 'redis does not answer in time: new uploads are refused until it does');
  };
  void probe();
  const timer = setInterval(() => void probe(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
