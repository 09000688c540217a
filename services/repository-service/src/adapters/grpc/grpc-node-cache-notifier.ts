import type { Client } from '@grpc/grpc-js';
import { internalV1 } from '@tessera/contracts';
import { callUnary } from '@tessera/grpc';
import type { NodeChangeListener } from '../../domain/node-change.port';

export interface NotifierOptions {
  attempts: number;
  /** Deadline of each attempt. */
  timeoutMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tells the metadata service (NodeCacheService.RefreshNode) about a changed node, with retries. */
export class GrpcNodeCacheNotifier implements NodeChangeListener {
  constructor(
    private readonly client: Client,
    private readonly options: NotifierOptions,
  ) {}

  async nodeChanged(nodeId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await callUnary(
          this.client,
          internalV1.NodeCacheService.method.refreshNode,
          { nodeId },
          { deadline: Date.now() + this.options.timeoutMs },
        );
        return;
      } catch (error) {
        if (attempt >= this.options.attempts) throw error;
        await sleep(100 * 2 ** (attempt - 1));
      }
    }
  }
}
