import { trace } from '@opentelemetry/api';
import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  service: string;
  level: string;
  /** Where JSON lines go; stdout by default. */
  destination?: DestinationStream;
}

/**
 * The trace and span a line was written in, under the names the OpenTelemetry log data model and
 * its pino instrumentation use, so a log line can be looked up in Jaeger. Empty outside a span.
 */
export function traceFields(): { trace_id?: string; span_id?: string; trace_flags?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext === undefined) return {};
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: spanContext.traceFlags.toString(16).padStart(2, '0'),
  };
}

/**
 * A structured JSON logger: one object per line with time, level, service and message, and the
 * trace and span ids of the active span. A mixin rather than the pino instrumentation, because the
 * logger is created before the OpenTelemetry SDK starts (to log its configuration and errors).
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceFields,
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
