import { renderWaterfall, type JaegerTrace } from './trace-waterfall';

export interface TraceOptions {
  traceId: string;
  /** Jaeger's query UI/API base, e.g. http://127.0.0.1:16686 */
  jaegerUrl: string;
  columns: number;
}

/** `tessera trace <trace-id>`: fetches the trace from Jaeger and prints it as a waterfall. */
export async function printTrace(options: TraceOptions, print: (line: string) => void): Promise<void> {
  if (!/^[0-9a-f]{1,32}$/i.test(options.traceId)) {
    throw new Error(`trace id ${options.traceId} is not hexadecimal (up to 32 digits)`);
  }
  const url = `${options.jaegerUrl}/api/traces/${options.traceId}`;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`Jaeger unreachable at ${options.jaegerUrl}: ${(error as Error).message}`);
  }
  if (response.status === 404) throw new Error(`Jaeger has no trace ${options.traceId}`);
  if (!response.ok) throw new Error(`Jaeger answered ${response.status} to GET ${url}`);
  const { data } = (await response.json()) as { data?: JaegerTrace[] };
  const trace = data?.[0];
  if (!trace) throw new Error(`Jaeger has no trace ${options.traceId}`);
  renderWaterfall(trace, options.columns).forEach((line) => print(line));
  print(`${options.jaegerUrl}/trace/${trace.traceID}`);
}
