import { context, SpanStatusCode, trace, type Span } from '@opentelemetry/api';

const tracer = trace.getTracer('tessera');

/** Runs work in a new active span (ended when the work settles; a failure is recorded on it). */
export function inSpan<T>(name: string, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Iterates `source` inside a new span that lasts from the first item asked for to the last one (or
 * the failure, or the consumer stopping early). Work the iterator starts while producing an item —
 * parallel reads, say — runs in the span's context, so its spans become the span's children.
 */
export function iterateInSpan<T>(
  name: string,
  source: AsyncIterable<T>,
  attributes: Record<string, string | number> = {},
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const span = tracer.startSpan(name, { attributes });
      const spanContext = trace.setSpan(context.active(), span);
      const iterator = context.with(spanContext, () => source[Symbol.asyncIterator]());
      let ended = false;
      const end = (error?: unknown) => {
        if (ended) return;
        ended = true;
        if (error !== undefined) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        }
        span.end();
      };
      return {
        next: () =>
          context
            .with(spanContext, () => iterator.next())
            .then(
              (result) => {
                if (result.done) end();
                return result;
              },
              (error: unknown) => {
                end(error);
                throw error;
              },
            ),
        return: async (value?: unknown) => {
          end();
          return (await iterator.return?.(value)) ?? { done: true, value: undefined };
        },
      };
    },
  };
}
