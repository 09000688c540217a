import { metrics } from '@opentelemetry/api';
import type { Logger } from '@tessera/logging';
import {
  DependencyHealthJudge,
  type HealthJudgeObserver,
  type HealthPolicy,
  type HealthVerdict,
  type OutcomeKind,
} from './dependency-health-judge';
import { processLoopDelay } from './loop-delay-monitor';

const meter = metrics.getMeter('tessera.health');
const outcomes = meter.createCounter('tessera.dependency.outcomes', {
  description: 'Operations and probes on a dependency, by how they counted (ok, slow, error, discounted)',
});
const transitions = meter.createCounter('tessera.dependency.transitions', {
  description: 'Changes of a dependency verdict, by the state entered and the rule (errors, slow, recovered)',
});
const up = meter.createObservableGauge('tessera.dependency.up', {
  description: 'Whether a dependency is judged usable (1) or down (0)',
});
const verdicts = new Map<string, () => HealthVerdict>();
up.addCallback((result) => {
  for (const [dependency, verdict] of verdicts) result.observe(verdict().serving ? 1 : 0, { dependency });
});

/**
 * A dependency's health as metrics (`tessera_dependency_up`, `_outcomes_total`,
 * `_transitions_total`) and each change as a log line naming the rule.
 */
export function healthJudgeMetrics(
  dependency: string,
  verdict: () => HealthVerdict,
  logger: Pick<Logger, 'info' | 'warn'>,
): HealthJudgeObserver {
  verdicts.set(dependency, verdict);
  return {
    counted: (kind: OutcomeKind) => outcomes.add(1, { dependency, outcome: kind }),
    changed: (next: HealthVerdict) => {
      transitions.add(1, {
        dependency,
        state: next.serving ? 'up' : 'down',
        rule: next.rule ?? 'recovered',
      });
      if (next.serving) logger.info({ dependency }, `${dependency} judged up again`);
      else
        logger.warn(
          { dependency, rule: next.rule, detail: next.detail },
          `${dependency} judged down: ${next.detail}`,
        );
    },
  };
}

/** A judge of `dependency` against this process's loop delay, with its metrics and log lines. */
export function createHealthJudge(
  dependency: string,
  policy: HealthPolicy,
  logger: Pick<Logger, 'info' | 'warn'>,
): DependencyHealthJudge {
  const observer = healthJudgeMetrics(dependency, () => judge.verdict(), logger);
  const judge = new DependencyHealthJudge(dependency, policy, processLoopDelay(), observer);
  return judge;
}
