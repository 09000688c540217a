import { status, type Client, type ServiceError } from '@grpc/grpc-js';
import { internalV1 } from '@tessera/contracts';
import { callUnary } from '@tessera/grpc';
import type { LoopDelay } from '@tessera/runtime';
import type { NodeChangeListener } from '../../domain/ports/node-change.port';

export interface NotifierOptions {
  attempts: number;
  /** Deadline of each attempt. */
  timeoutMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Tells the metadata service (NodeCacheService.RefreshNode) about a changed node, with retries. An
 * attempt whose deadline passed while this process's own event loop was delayed by more than a
 * quarter of it does not count against `attempts` (at most `attempts` such): the answer may have
 * been waiting unread.
 */
export class GrpcNodeCacheNotifier implements NodeChangeListener {
  constructor(
    private readonly client: Client,
    private readonly loopDelay: LoopDelay,
    private readonly options: NotifierOptions,
  ) {}

  async nodeChanged(nodeId: string): Promise<void> {
    let excused = 0;
    for (let attempt = 1; ; attempt++) {
      const startedAt = performance.now();
      try {
        await callUnary(
          this.client,
          internalV1.NodeCacheService.method.refreshNode,
          { nodeId },
          { deadline: Date.now() + this.options.timeoutMs },
        );
        return;
      } catch (error) {
        if (this.lateOnOurSide(error, startedAt) && excused < this.options.attempts) {
          excused++;
          attempt--;
          continue;
        }
        if (attempt >= this.options.attempts) throw error;
        await sleep(100 * 2 ** (attempt - 1));
      }
    }
  }

  private lateOnOurSide(error: unknown, startedAt: number): boolean {
    if ((error as ServiceError).code !== status.DEADLINE_EXCEEDED) return false;
    return this.loopDelay.delayDuring(startedAt, performance.now()) > this.options.timeoutMs / 4;
  }
}
