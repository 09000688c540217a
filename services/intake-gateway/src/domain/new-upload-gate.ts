import { ErrorCode, TesseraError } from '@tessera/errors';

/** Whether the metadata service's cache (Redis) is usable, as that service reports it. */
export interface CacheHealth {
  serving(): Promise<boolean>;
}

/**
 * New uploads need the metadata cache: while it is down or overwhelmed they are refused with
 * UNAVAILABLE and a retry-after hint. Uploads already started carry on: their chunks and completion
 * do not pass through here.
 */
export class NewUploadGate {
  constructor(
    private readonly cache: CacheHealth,
    private readonly retryAfterSeconds: number,
  ) {}

  async admit(): Promise<void> {
    if (await this.cache.serving()) return;
    throw new TesseraError(
      ErrorCode.Unavailable,
      'new uploads are refused while the metadata cache (Redis) is unavailable or overloaded; uploads already started continue — retry later',
      { retryAfterSeconds: this.retryAfterSeconds },
    );
  }
}
