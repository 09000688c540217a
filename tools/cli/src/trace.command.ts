import { settledTrace } from '@tessera/jaeger';
import { renderWaterfall } from './trace-waterfall';

export interface TraceOptions {
  traceId: string;
  /** Jaeger's query UI/API base, e.g. http://127.0.0.1:16686 */
  jaegerUrl: string;
  columns: number;
  /** How long to wait for the trace to arrive and stop growing; 0 takes what Jaeger has now. */
  waitSeconds?: number;
}

/** `tessera trace <trace-id>`: fetches the trace from Jaeger and prints it as a waterfall. */
export async function printTrace(options: TraceOptions, print: (line: string) => void): Promise<void> {
  if (!/^[0-9a-f]{1,32}$/i.test(options.traceId)) {
    throw new Error(`trace id ${options.traceId} is not hexadecimal (up to 32 digits)`);
  }
  const trace = await settledTrace(options.jaegerUrl, options.traceId, {
    waitMs: (options.waitSeconds ?? 0) * 1000,
  });
  if (!trace) throw new Error(`Jaeger has no trace ${options.traceId}`);
  renderWaterfall(trace, options.columns).forEach((line) => print(line));
  print(`${options.jaegerUrl}/trace/${trace.traceID}`);
}
