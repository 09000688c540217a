import type { LoopDelay } from './loop-delay-monitor';
import { OutcomeWindow, type CountedOutcome } from './outcome-window';

/** One operation on a dependency: when it was sent and settled (performance.now()), how it failed. */
export interface Outcome {
  startedAt: number;
  endedAt: number;
  /** `timeout`: no answer in time; `error`: refused, dropped or failed. */
  failure?: 'timeout' | 'error';
}

/**
 * How an outcome counted: `slow` answered late or not in time, `error` failed outright;
 * `discounted` was late while this process's own event loop was delayed, so it says nothing of
 * the dependency and is set aside.
 */
export type OutcomeKind = 'ok' | 'slow' | 'error' | 'discounted';

/** Which rule took a dependency down: mostly errors, or mostly slow answers. */
export type TripRule = 'errors' | 'slow';

export interface HealthVerdict {
  serving: boolean;
  /** Set while not serving. */
  rule?: TripRule;
  /** For people: why it is down ("4 of 5 redis operations over the last 5 s failed"). */
  detail: string;
}

/** When a dependency counts as down, and when as up again. See docs/reliability.md. */
export interface HealthPolicy {
  /** Outcomes are judged over this sliding window. */
  windowMs: number;
  /**
   * A window with fewer counted outcomes never trips. Probes come every 100 ms while in doubt
   * (probe-schedule.ts), so a sustained failure fills the window quickly; a few late pings do not.
   */
  minOutcomes: number;
  /** The share of failed (slow or error) outcomes in the window that trips, errors being most of them. */
  tripRatio: number;
  /**
   * The share of failed outcomes that trips when most of them are slow, not errors. A dependency
   * that answers, however late, is only judged down when nearly every answer is late: that is what
   * a slow network or an overloaded server does, while a saturated host (Redis beside us, starved
   * of CPU) leaves a mix of late and timely answers.
   */
  slowTripRatio: number;
  /** The failures in the window must be spread over at least this long: a burst never trips. */
  tripAfterMs: number;
  /** Down until it has answered well, with no failure, for this long. */
  recoverAfterMs: number;
  /** An answer slower than this is slow; a timeout is slow too. */
  slowMs: number;
  /** A late outcome during which the event loop was delayed by more than this is discounted. */
  loopDelayAllowanceMs: number;
}

export const DEFAULT_HEALTH_POLICY = {
  windowMs: 5_000,
  minOutcomes: 10,
  tripRatio: 0.5,
  slowTripRatio: 0.9,
  tripAfterMs: 2_000,
  recoverAfterMs: 2_000,
} as const;

/** Told every counted outcome and every change of verdict (metrics, logs). */
export interface HealthJudgeObserver {
  counted(kind: OutcomeKind): void;
  changed(verdict: HealthVerdict): void;
}

/**
 * Judges whether a dependency is usable from the outcomes of real operations and probes on it, with
 * hysteresis: it trips on failures sustained over a sliding window, not on one slow answer, and it
 * recovers after a sustained run of good answers. Starts serving. Each change clears the window.
 */
export class DependencyHealthJudge {
  private window: OutcomeWindow;
  private current: HealthVerdict = { serving: true, detail: 'serving' };
  /** While down: since when every counted outcome was good (undefined after a failure). */
  private goodSince: number | undefined;

  constructor(
    private readonly dependency: string,
    private readonly policy: HealthPolicy,
    private readonly loopDelay: LoopDelay,
    private readonly observer?: HealthJudgeObserver,
  ) {
    this.window = new OutcomeWindow(policy.windowMs);
  }

  verdict(): HealthVerdict {
    return this.current;
  }

  /**
   * Whether more evidence is wanted: judged down, or a failure counted within the last window.
   * Probes come more often while it is (probe-schedule.ts).
   */
  inDoubt(now = performance.now()): boolean {
    if (!this.current.serving) return true;
    const lastFailure = this.window.lastFailureAt();
    return lastFailure !== undefined && lastFailure > now - this.policy.windowMs;
  }

  /** Sets the verdict without judging, e.g. down when the dependency did not answer at start. */
  assume(verdict: HealthVerdict): void {
    this.change(verdict);
  }

  record(outcome: Outcome): OutcomeKind {
    const kind = this.classify(outcome);
    this.observer?.counted(kind);
    if (kind === 'discounted') return kind;
    if (this.current.serving) this.judgeWhileServing({ at: outcome.endedAt, kind });
    else this.judgeWhileDown({ at: outcome.endedAt, kind });
    return kind;
  }

  private classify({ startedAt, endedAt, failure }: Outcome): OutcomeKind {
    if (failure === 'error') return 'error';
    const late = failure === 'timeout' || endedAt - startedAt > this.policy.slowMs;
    if (!late) return 'ok';
    const ownDelay = this.loopDelay.delayDuring(startedAt, endedAt);
    return ownDelay > this.policy.loopDelayAllowanceMs ? 'discounted' : 'slow';
  }

  private judgeWhileServing(counted: CountedOutcome): void {
    const { windowMs, minOutcomes, tripRatio, slowTripRatio, tripAfterMs } = this.policy;
    const window = this.window;
    window.add(counted);
    if (counted.kind === 'ok' || window.size < minOutcomes) return;
    const rule: TripRule = window.errors >= window.failures - window.errors ? 'errors' : 'slow';
    const ratio = rule === 'errors' ? tripRatio : slowTripRatio;
    if (window.failures / window.size < ratio || window.failureSpanMs() < tripAfterMs) return;
    const what = rule === 'errors' ? 'failed' : `were slower than ${this.policy.slowMs} ms or timed out`;
    this.change({
      serving: false,
      rule,
      detail: `${window.failures} of ${window.size} ${this.dependency} operations over the last ${windowMs / 1000} s ${what}`,
    });
  }

  private judgeWhileDown({ at, kind }: CountedOutcome): void {
    if (kind !== 'ok') {
      this.goodSince = undefined;
      return;
    }
    this.goodSince ??= at;
    if (at - this.goodSince >= this.policy.recoverAfterMs) this.change({ serving: true, detail: 'serving' });
  }

  private change(verdict: HealthVerdict): void {
    this.current = verdict;
    this.window = new OutcomeWindow(this.policy.windowMs);
    this.goodSince = undefined;
    this.observer?.changed(verdict);
  }
}
