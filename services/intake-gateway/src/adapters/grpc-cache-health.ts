import { status as grpcStatus, type Client, type ServiceError } from '@grpc/grpc-js';
import { internalV1 } from '@tessera/contracts';
import { callUnary } from '@tessera/grpc';
import {
  scheduleProbes,
  type DependencyHealthJudge,
  type Outcome,
  type ProbeSchedule,
} from '@tessera/runtime';
import type { CacheHealth } from '../domain/new-upload-gate';

type Answer = internalV1.GetCacheHealthResponse;

/**
 * The metadata cache's health, asked of the metadata service every `intervalMs` (every 100 ms while
 * the judge is in doubt) in the background (NodeCacheService.GetCacheHealth), so a new upload never waits for the question. The metadata
 * service's answer is taken as it is: it judges Redis itself. Whether the metadata service can be
 * asked at all is judged by `judge` from these calls' outcomes, as the metadata service judges Redis:
 * one late answer on a busy machine does not refuse uploads, failures sustained over its window do.
 * Until the first answer comes, new uploads wait for the first question; if it fails, they are
 * admitted unless the failures go on (the metadata service judges Redis up at start too).
 */
export class GrpcCacheHealth implements CacheHealth {
  private last: Answer | undefined;
  private readonly questions: ProbeSchedule;

  constructor(
    private readonly client: Client,
    private readonly judge: Pick<DependencyHealthJudge, 'record' | 'verdict' | 'inDoubt'>,
    private readonly options: { intervalMs: number; timeoutMs: number },
  ) {
    this.questions = scheduleProbes(() => this.ask(), {
      intervalMs: options.intervalMs,
      inDoubt: () => judge.inDoubt(),
    });
  }

  async status(): Promise<{ serving: true } | { serving: false; reason: string }> {
    await this.questions.first;
    const reachable = this.judge.verdict();
    if (!reachable.serving)
      return {
        serving: false,
        reason: `the metadata service cannot be asked (${reachable.rule}: ${reachable.detail})`,
      };
    // No answer yet, but no sustained failure either (one late first answer on a busy machine):
    // the judge decides, as it does for every later question.
    if (!this.last || this.last.serving) return { serving: true };
    return {
      serving: false,
      reason: `the metadata cache (Redis) is unavailable (${this.last.rule}: ${this.last.detail})`,
    };
  }

  stop(): void {
    this.questions.stop();
  }

  private async ask(): Promise<void> {
    const startedAt = performance.now();
    const deadline = new Date(Date.now() + this.options.timeoutMs);
    try {
      this.last = await callUnary(
        this.client,
        internalV1.NodeCacheService.method.getCacheHealth,
        {},
        { deadline },
      );
      this.judge.record({ startedAt, endedAt: performance.now() });
    } catch (error) {
      this.judge.record(callFailure(startedAt, error as ServiceError));
    }
  }
}

function callFailure(startedAt: number, error: ServiceError): Outcome {
  const failure = error.code === grpcStatus.DEADLINE_EXCEEDED ? 'timeout' : 'error';
  return { startedAt, endedAt: performance.now(), failure };
}
