import type { MessageInitShape } from '@bufbuild/protobuf';
import { status, type Client, type ServiceError } from '@grpc/grpc-js';
import { internalV1 } from '@tessera/contracts';
import { callUnary } from '@tessera/grpc';
import { toNodeMessage } from '@tessera/nodes';
import type { LoopDelay } from '@tessera/runtime';
import type { NodeChangeListener } from '../../domain/ports/node-change.port';
import type { NodeVersion } from '../../domain/ports/node-store.port';

type RefreshRequest = MessageInitShape<typeof internalV1.RefreshNodeRequestSchema> & { nodeId: string };

export interface NotifierOptions {
  attempts: number;
  /** Deadline of each attempt. */
  timeoutMs: number;
  /** Told of each failed attempt, for the log: a refresh given up on must explain itself. */
  onAttemptFailed?: (failure: RefreshAttemptFailure) => void;
}

export interface RefreshAttemptFailure {
  nodeId: string;
  attempt: number;
  code: number | undefined;
  elapsedMs: number;
  /** How late this process's own event loop was while the attempt ran. */
  loopDelayMs: number;
  /** Late on our side: the attempt is made again without counting. */
  excused: boolean;
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

  /** The version goes along: the metadata service caches it without reading TiDB again. */
  versionWritten(node: NodeVersion): Promise<void> {
    return this.refresh({
      nodeId: node.nodeId,
      written: toNodeMessage(node),
      writtenByUploadId: node.uploadId,
    });
  }

  nodeChanged(nodeId: string): Promise<void> {
    return this.refresh({ nodeId });
  }

  private async refresh(request: RefreshRequest): Promise<void> {
    let excused = 0;
    for (let attempt = 1; ; attempt++) {
      const startedAt = performance.now();
      try {
        await callUnary(this.client, internalV1.NodeCacheService.method.refreshNode, request, {
          deadline: Date.now() + this.options.timeoutMs,
        });
        return;
      } catch (error) {
        const failure = this.describe(request.nodeId, attempt, error, startedAt);
        const excuse = this.lateOnOurSide(failure) && excused < this.options.attempts;
        this.options.onAttemptFailed?.({ ...failure, excused: excuse });
        if (excuse) {
          excused++;
          attempt--;
          continue;
        }
        if (attempt >= this.options.attempts) throw error;
        await sleep(100 * 2 ** (attempt - 1));
      }
    }
  }

  private describe(
    nodeId: string,
    attempt: number,
    error: unknown,
    startedAt: number,
  ): RefreshAttemptFailure {
    const now = performance.now();
    return {
      nodeId,
      attempt,
      code: (error as ServiceError).code,
      elapsedMs: Math.round(now - startedAt),
      loopDelayMs: Math.round(this.loopDelay.delayDuring(startedAt, now)),
      excused: false,
    };
  }

  private lateOnOurSide(failure: RefreshAttemptFailure): boolean {
    return failure.code === status.DEADLINE_EXCEEDED && failure.loopDelayMs > this.options.timeoutMs / 4;
  }
}
