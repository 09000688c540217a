import type { Client } from '@grpc/grpc-js';
import { checkHealth, DEPENDENCY_HEALTH } from '@tessera/grpc';
import type { CacheHealth } from '../domain/new-upload-gate';

/**
 * The metadata cache's health from the metadata service's gRPC health service, asked at most once
 * per `maxAgeMs` (concurrent callers share one question). A metadata service that cannot be asked
 * counts as not serving.
 */
export class GrpcCacheHealth implements CacheHealth {
  private answer: { at: number; serving: Promise<boolean> } | undefined;

  constructor(
    private readonly client: Client,
    private readonly maxAgeMs: number,
    private readonly timeoutMs: number,
  ) {}

  serving(): Promise<boolean> {
    const now = Date.now();
    if (!this.answer || now - this.answer.at > this.maxAgeMs) {
      const serving = checkHealth(this.client, DEPENDENCY_HEALTH.metadataCache, this.timeoutMs).then(
        (status) => status === 'SERVING',
        () => false,
      );
      this.answer = { at: now, serving };
    }
    return this.answer.serving;
  }
}
