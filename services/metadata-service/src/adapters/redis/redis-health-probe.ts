import type { Redis } from 'ioredis';
import type { Logger } from '@tessera/logging';

/**
 * Pings Redis every `intervalMs` and reports whether it answered within the client's command
 * timeout — down or overwhelmed (too slow) is "not serving" — and, once it does, whether `catchUp`
 * (writing what could not be written meanwhile) succeeded. Reports the first result and every
 * change, and logs each change.
 */
export function probeRedisHealth(
  redis: Redis,
  intervalMs: number,
  { catchUp, report }: { catchUp: () => Promise<boolean>; report: (serving: boolean) => void },
  logger: Logger,
): { stop(): void } {
  let last: boolean | undefined;
  let running = false;
  const probe = async () => {
    if (running) return; // a slow PING is still out: it will report
    running = true;
    const answers = await redis.ping().then(
      () => true,
      () => false,
    );
    const serving = answers && (await catchUp().catch(() => false));
    running = false;
    if (serving === last) return;
    last = serving;
    report(serving);
    if (serving) logger.info('redis answers again: new uploads are admitted');
    else logger.warn('redis does not answer in time: new uploads are refused until it does');
  };
  void probe();
  const timer = setInterval(() => void probe(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
