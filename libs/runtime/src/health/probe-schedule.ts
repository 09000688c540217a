/** While a judge is in doubt, probes come at least this often: more evidence, sooner, either way. */
export const DOUBT_PROBE_INTERVAL_MS = 100;

export interface ProbeSchedule {
  /** The first probe, started at once. */
  first: Promise<void>;
  stop(): void;
}

/**
 * Runs `probe` now and then again `intervalMs` after each one settles, one at a time; while
 * `inDoubt()` (a failure in the judge's window, or judged down) every `DOUBT_PROBE_INTERVAL_MS`
 * instead. A handful of slow answers among few probes is no evidence of an outage on a busy
 * machine; many probes in a row, mostly failed, are.
 */
export function scheduleProbes(
  probe: () => Promise<void>,
  { intervalMs, inDoubt }: { intervalMs: number; inDoubt: () => boolean },
): ProbeSchedule {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = (): Promise<void> =>
    probe()
      .catch(() => undefined)
      .finally(() => {
        if (stopped) return;
        timer = setTimeout(run, inDoubt() ? Math.min(intervalMs, DOUBT_PROBE_INTERVAL_MS) : intervalMs);
        timer.unref();
      });
  return {
    first: run(),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
