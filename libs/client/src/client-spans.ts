import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { Metadata } from '@grpc/grpc-js';

const tracer = trace.getTracer('@tessera/client');

/**
 * The operation's W3C trace (the traceparent newTrace put in its metadata) as a context, so the
 * requests the SDK sends past the services (direct PUTs and GETs to S3) join the same trace.
 */
export function traceContextOf(metadata: Metadata): Context {
  const [traceparent] = metadata.get('traceparent');
  const [, traceId, spanId] = String(traceparent ?? '').split('-');
  if (!traceId || !spanId) return context.active();
  return trace.setSpanContext(context.active(), {
    traceId,
    spanId,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/**
 * Runs `work` in a CLIENT span under `parent`. Recorded only when the application registered an
 * OpenTelemetry tracer provider (the CLI does when OTEL_EXPORTER_OTLP_ENDPOINT is set); otherwise
 * the span is a no-op.
 */
export async function inClientSpan<T>(
  name: string,
  parent: Context,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
  try {
    return await work(span);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/** Where a presigned request goes, without its query: that holds the signature and credential scope. */
export function urlAttributes(url: string): Attributes {
  if (!URL.canParse(url)) return {};
  const target = new URL(url);
  return {
    'server.address': target.hostname,
    'server.port': Number(target.port || (target.protocol === 'https:' ? 443 : 80)),
    'url.path': target.pathname,
  };
}
