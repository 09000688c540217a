import { ErrorCode, TesseraError } from '@tessera/errors';

/** Whether the metadata service's cache (Redis) is usable, and if not, why. */
export interface CacheHealth {
  status(): Promise<{ serving: true } | { serving: false; reason: string }>;
}

/**
 * New uploads need the metadata cache: while it is down or overwhelmed they are refused with
 * UNAVAILABLE and a retry-after hint, saying which rule tripped. Uploads already started carry on:
 * their chunks and completion do not pass through here.
 */
export class NewUploadGate {
  constructor(
    private readonly cache: CacheHealth,
    private readonly retryAfterSeconds: number,
  ) {}

  async admit(): Promise<void> {
    const status = await this.cache.status();
    if (status.serving) return;
    throw new TesseraError(
      ErrorCode.Unavailable,
      `new uploads are refused while ${status.reason}; uploads already started continue — retry later`,
      { retryAfterSeconds: this.retryAfterSeconds },
    );
  }
}
