import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { iterateInSpan } from './in-span';

describe('iterateInSpan', () => {
  const exporter = new InMemorySpanExporter();
  const manager = new AsyncLocalStorageContextManager().enable();

  beforeAll(() => {
    context.setGlobalContextManager(manager);
    trace.setGlobalTracerProvider(
      new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
    );
  });

  afterAll(() => {
    trace.disable();
    context.disable();
  });

  beforeEach(() => exporter.reset());

  /** Items produced by "reads" that each open a span, two at a time, like a download's GETs. */
  async function* reads(count: number): AsyncIterable<number> {
    const tracer = trace.getTracer('test');
    const read = (n: number) =>
      tracer.startActiveSpan(`read ${n}`, async (span) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        span.end();
        return n;
      });
    const pending = [read(0), read(1)];
    for (let n = 0; n < count; n++) {
      const value = await pending.shift()!;
      if (n + 2 < count) pending.push(read(n + 2));
      yield value;
    }
  }

  it('makes the spans of work started while iterating its children, and ends after the last item', async () => {
    const items: number[] = [];
    for await (const item of iterateInSpan('stream', reads(4), { parts: 4 })) items.push(item);
    expect(items).toEqual([0, 1, 2, 3]);
    const spans = exporter.getFinishedSpans();
    const stream = spans.find((span) => span.name === 'stream')!;
    expect(stream.attributes).toEqual({ parts: 4 });
    const children = spans.filter((span) => span.name.startsWith('read'));
    expect(children).toHaveLength(4);
    expect(children.every((span) => span.parentSpanContext?.spanId === stream.spanContext().spanId)).toBe(
      true,
    );
  });

  it('ends the span when the consumer stops early', async () => {
    for await (const item of iterateInSpan('stream', reads(4))) if (item === 1) break;
    expect(exporter.getFinishedSpans().map((span) => span.name)).toContain('stream');
  });
});
