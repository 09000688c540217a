import { setTimeout as sleep } from 'node:timers/promises';
import { status, type ServiceError } from '@grpc/grpc-js';

/** Refusals that say "not now": the same request may succeed after the server's retry-after hint. */
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([status.RESOURCE_EXHAUSTED, status.UNAVAILABLE]);

export function isRetryable(code: number | undefined): boolean {
  return code !== undefined && RETRYABLE_CODES.has(code);
}

/**
 * How long to wait before round `round` (0-based) of sending again: the longest retry-after hint
 * among the refusals (1 s without one), doubled per round, with ±20 % jitter so that clients
 * refused together do not come back together.
 */
export function retryDelayMs(
  hintsSeconds: (number | undefined)[],
  round: number,
  random = Math.random,
): number {
  const hintSeconds = Math.max(1, ...hintsSeconds.map((hint) => hint ?? 1));
  return Math.round(hintSeconds * 1000 * 2 ** round * (0.8 + random() * 0.4));
}

/** The server's retry-after hint (seconds) carried in a refused call's metadata. */
function retryAfterOf(error: ServiceError): number | undefined {
  const [value] = error.metadata?.get('retry-after') ?? [];
  const seconds = Number(value);
  return value !== undefined && Number.isFinite(seconds) ? seconds : undefined;
}

/**
 * Runs a call that is safe to repeat until it succeeds, sending it again after a refusal for now
 * (RESOURCE_EXHAUSTED, UNAVAILABLE: a service restarting, a dependency down) at most maxRetries
 * times, waiting as retryDelayMs says. Any other failure, or the last one, is thrown.
 */
export async function retryWhileUnavailable<T>(
  call: () => Promise<T>,
  maxRetries: number,
  onRetry?: (error: ServiceError, waitMs: number) => void,
): Promise<T> {
  for (let round = 0; ; round++) {
    try {
      return await call();
    } catch (error) {
      const refused = error as ServiceError;
      if (!isRetryable(refused.code) || round >= maxRetries) throw error;
      const waitMs = retryDelayMs([retryAfterOf(refused)], round);
      onRetry?.(refused, waitMs);
      await sleep(waitMs);
    }
  }
}
