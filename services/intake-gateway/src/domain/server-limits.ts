import { create } from '@bufbuild/protobuf';
import { uploadV1 } from '@tessera/contracts';
import { TesseraError } from '@tessera/errors';
import type { Repository } from './repository.port';

/**
 * The limits clients are told (GetLimits): the repository service's (its configuration), asked once
 * and kept for `ttlMs`, capped by this gateway's own chunk limit, which bounds what it receives in
 * one message, a whole file included.
 */
export class ServerLimits {
  private kept: { limits: Promise<uploadV1.GetLimitsResponse>; until: number } | undefined;

  constructor(
    private readonly repository: Pick<Repository, 'getLimits'>,
    private readonly gateway: { maxChunkBytes: number },
    private readonly ttlMs = 60_000,
  ) {}

  get(): Promise<uploadV1.GetLimitsResponse> {
    const now = Date.now();
    if (!this.kept || this.kept.until <= now) {
      const limits = this.repository.getLimits().then((answer) => this.capped(answer));
      this.kept = { limits, until: now + this.ttlMs };
      limits.catch(() => (this.kept = undefined)); // a failed question is asked again next time
    }
    return this.kept.limits;
  }

  /** Files up to this size go in one call; 0 when none is offered. */
  async oneCallMaxBytes(): Promise<number> {
    return Number((await this.get()).limits?.maxOneCallFileBytes ?? 0n);
  }

  /** Refuses a file too large for one call, naming the field, before it is forwarded. */
  async checkOneCall(bytes: number): Promise<void> {
    const max = await this.oneCallMaxBytes();
    if (bytes > max)
      throw TesseraError.invalidArgument(
        'data',
        `must be at most ${max} bytes in one call; upload larger files in chunks (InitiateUpload)`,
      );
  }

  private capped(answer: uploadV1.GetLimitsResponse): uploadV1.GetLimitsResponse {
    const cap = BigInt(this.gateway.maxChunkBytes);
    const limits = answer.limits ?? create(uploadV1.ServerLimitsSchema);
    const min = (value: bigint) => (value < cap ? value : cap);
    return create(uploadV1.GetLimitsResponseSchema, {
      suggestedChunkBytes: min(answer.suggestedChunkBytes),
      limits: {
        ...limits,
        maxChunkBytes: min(limits.maxChunkBytes),
        maxOneCallFileBytes: min(limits.maxOneCallFileBytes),
      },
    });
  }
}
