import { createRequire } from 'node:module';

/** The parts of kafkajs's internal RequestQueue (src/network/requestQueue) the fix touches. */
interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own pause before checking pending requests again when it is not throttled. */
const CHECK_PENDING_REQUESTS_MS = 10;
let applied = false;

/**
 * Stops kafkajs 2.2.4 from spinning while idle. After its first request, every broker connection's
 * RequestQueue re-arms a timer of `throttledUntil - now` (negative when not throttled, so 1 ms)
 * whether or not anything is pending: about a thousand wake-ups a second per connection, forever
 * (kafkajs issues #1556 and #1704, Node 24's TimeoutNegativeWarning; the fix is unreleased and
 * kafkajs unmaintained). Measured as most of an idle repository's and metadata service's CPU
 * (docs/benchmarks.md). The replacement schedules only what the original meant to: a check when
 * requests wait, at the end of a throttle or after kafkajs's 10 ms; with nothing pending and no
 * throttle, the next push or fulfilled request checks the queue, as it does already.
 */
export function stopKafkajsIdleLoop(): void {
  if (applied) return;
  applied = true;
  const queueClass = createRequire(require.resolve('kafkajs'))('./src/network/requestQueue') as {
    prototype: RequestQueue;
  };
  queueClass.prototype.scheduleCheckPendingRequests = function (this: RequestQueue) {
    if (this.throttleCheckTimeoutId) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    if (this.pending.length === 0 && untilUnthrottled <= 0) return;
    const delay = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_MS;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
}
