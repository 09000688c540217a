import { setTimeout as sleep } from 'node:timers/promises';
import type { JaegerTrace } from './jaeger-trace';

/** One trace from Jaeger's query API; undefined when Jaeger has none (yet). */
export async function fetchTrace(jaegerUrl: string, traceId: string): Promise<JaegerTrace | undefined> {
  const url = `${jaegerUrl}/api/traces/${traceId}`;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`Jaeger unreachable at ${jaegerUrl}: ${(error as Error).message}`);
  }
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`Jaeger answered ${response.status} to GET ${url}`);
  const { data } = (await response.json()) as { data?: JaegerTrace[] };
  return data?.[0];
}

export interface SettleOptions {
  /** How long to wait for the trace to be ready and stop growing. */
  waitMs: number;
  /** What a finished trace must hold besides stable spans (default: anything). */
  ready?: (trace: JaegerTrace) => boolean;
  pollMs?: number;
  /**
   * How long the span count must stay unchanged before the trace counts as complete. Each service
   * exports its spans in its own batch, up to OTel's batch delay (OTEL_BSP_SCHEDULE_DELAY, 5 s by
   * default) after the request, so a shorter quiet spell can end between two services' batches.
   */
  quietMs?: number;
}

/** A little more than OTel's default batch delay: every service has exported once within it. */
export const BATCH_EXPORT_QUIET_MS = 6000;

/**
 * The trace once it is ready and its span count has not changed for `quietMs`, or whatever Jaeger
 * has at the deadline.
 */
export async function settledTrace(
  jaegerUrl: string,
  traceId: string,
  { waitMs, ready = () => true, pollMs = 1000, quietMs = BATCH_EXPORT_QUIET_MS }: SettleOptions,
): Promise<JaegerTrace | undefined> {
  const deadline = Date.now() + waitMs;
  let previousCount = -1;
  let unchangedSince = Date.now();
  for (;;) {
    const trace = await fetchTrace(jaegerUrl, traceId);
    const count = trace?.spans.length ?? -1;
    if (count !== previousCount) unchangedSince = Date.now();
    previousCount = count;
    const settled = trace !== undefined && Date.now() - unchangedSince >= quietMs && ready(trace);
    if (settled || Date.now() >= deadline) return trace;
    await sleep(pollMs);
  }
}
