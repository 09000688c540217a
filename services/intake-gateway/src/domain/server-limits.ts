import type { uploadV1 } from '@tessera/contracts';
import type { Repository } from './repository.port';

/**
 * The repository service's limits (its configuration), asked once and kept for `ttlMs`: GetLimits
 * and the HTTP API's choice of one call or chunks need them on every request.
 */
export class ServerLimits {
  private kept: { limits: Promise<uploadV1.GetLimitsResponse>; until: number } | undefined;

  constructor(
    private readonly repository: Pick<Repository, 'getLimits'>,
    private readonly ttlMs = 60_000,
  ) {}

  get(): Promise<uploadV1.GetLimitsResponse> {
    const now = Date.now();
    if (!this.kept || this.kept.until <= now) {
      const limits = this.repository.getLimits();
      this.kept = { limits, until: now + this.ttlMs };
      limits.catch(() => (this.kept = undefined)); // a failed question is asked again next time
    }
    return this.kept.limits;
  }

  /** Files up to this size go in one call; 0 when the repository offers none. */
  async oneCallMaxBytes(): Promise<number> {
    return Number((await this.get()).limits?.maxOneCallFileBytes ?? 0n);
  }
}
