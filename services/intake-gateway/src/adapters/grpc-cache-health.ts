import { status as grpcStatus, type Client, type ServiceError } from '@grpc/grpc-js';
import { internalV1 } from '@tessera/contracts';
import { callUnary } from '@tessera/grpc';
import type { DependencyHealthJudge, Outcome } from '@tessera/runtime';
import type { CacheHealth } from '../domain/new-upload-gate';

type Answer = internalV1.GetCacheHealthResponse;

/**
 * The metadata cache's health, asked of the metadata service every `intervalMs` in the background
 * (NodeCacheService.GetCacheHealth), so a new upload never waits for the question. The metadata
 * service's answer is taken as it is: it judges Redis itself. Whether the metadata service can be
 * asked at all is judged by `judge` from these calls' outcomes, as the metadata service judges Redis:
 * one late answer on a busy machine does not refuse uploads, failures sustained over its window do.
 * Until the first answer comes, new uploads wait for the first question; if it fails, they are
 * admitted unless the failures go on (the metadata service judges Redis up at start too).
 */
export class GrpcCacheHealth implements CacheHealth {
  private last: Answer | undefined;
  private readonly firstAnswer: Promise<void>;
  private timer: NodeJS.Timeout | undefined;
  private asking = false;

  constructor(
    private readonly client: Client,
    private readonly judge: Pick<DependencyHealthJudge, 'record' | 'verdict'>,
    private readonly options: { intervalMs: number; timeoutMs: number },
  ) {
    this.firstAnswer = this.ask();
    this.timer = setInterval(() => void this.ask(), options.intervalMs);
    this.timer.unref();
  }

  async status(): Promise<{ serving: true } | { serving: false; reason: string }> {
    await this.firstAnswer;
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
    clearInterval(this.timer);
  }

  private async ask(): Promise<void> {
    if (this.asking) return; // the last question is still out: its outcome will count
    this.asking = true;
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
    } finally {
      this.asking = false;
    }
  }
}

function callFailure(startedAt: number, error: ServiceError): Outcome {
  const failure = error.code === grpcStatus.DEADLINE_EXCEEDED ? 'timeout' : 'error';
  return { startedAt, endedAt: performance.now(), failure };
}
