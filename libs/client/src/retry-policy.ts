import { status } from '@grpc/grpc-js';

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
