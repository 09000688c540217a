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
}

/**
 * The trace once it is ready and two reads `pollMs` apart hold the same number of spans (services
 * export spans in batches, seconds after the request), or whatever Jaeger has at the deadline.
 */
export async function settledTrace(
  jaegerUrl: string,
  traceId: string,
  { waitMs, ready = () => true, pollMs = 1000 }: SettleOptions,
): Promise<JaegerTrace | undefined> {
  const deadline = Date.now() + waitMs;
  let previousCount = -1;
  for (;;) {
    const trace = await fetchTrace(jaegerUrl, traceId);
    const settled = trace !== undefined && trace.spans.length === previousCount && ready(trace);
    if (settled || Date.now() >= deadline) return trace;
    previousCount = trace?.spans.length ?? -1;
    await sleep(pollMs);
  }
}
