import type { Family, FuzzCase, Outcome } from './fuzz-case';
import { describeOutcome, violationOf } from './fuzz-verdict';

export interface Violation {
  family: Family;
  case: string;
  outcome: string;
  problem: string;
}

export interface RunReport {
  violations: Violation[];
  /** How many answers of each kind each family got, e.g. {"http": {"HTTP 404": 812}}. */
  answers: Record<string, Record<string, number>>;
}

function answerKind(outcome: Outcome): string {
  return outcome.kind === 'grpc' || outcome.kind === 'http'
    ? describeOutcome(outcome).split(' ').slice(0, 2).join(' ')
    : outcome.kind;
}

async function runOne(fuzzCase: FuzzCase, report: RunReport): Promise<void> {
  let outcomes: Outcome[];
  try {
    const result = await fuzzCase.run();
    outcomes = Array.isArray(result) ? result : [result];
  } catch (error) {
    report.violations.push({
      family: fuzzCase.family,
      case: fuzzCase.name,
      outcome: 'the case itself threw',
      problem: String(error),
    });
    return;
  }
  const tally = (report.answers[fuzzCase.family] ??= {});
  for (const outcome of outcomes) {
    const kind = answerKind(outcome);
    tally[kind] = (tally[kind] ?? 0) + 1;
    const problem = violationOf(fuzzCase, outcome);
    if (problem) {
      report.violations.push({
        family: fuzzCase.family,
        case: fuzzCase.name,
        outcome: describeOutcome(outcome),
        problem,
      });
    }
  }
}

/** Runs the cases with at most `concurrency` in flight, collecting every violation (none stops the run). */
export async function runCases(
  cases: readonly FuzzCase[],
  concurrency: number,
  report: RunReport,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < cases.length) await runOne(cases[next++]!, report);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
