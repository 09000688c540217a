import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { createLogger } from './create-logger';

describe('createLogger', () => {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ service: 'test-service', level: 'info', destination });
  const manager = new AsyncLocalStorageContextManager().enable();

  beforeAll(() => {
    context.setGlobalContextManager(manager);
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(
      new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
    );
  });

  afterAll(() => {
    trace.disable();
    context.disable();
  });

  beforeEach(() => lines.splice(0));

  it('writes the trace and span ids of the active span on every line', () => {
    trace.getTracer('test').startActiveSpan('call', (span) => {
      logger.info('inside');
      const { traceId, spanId } = span.spanContext();
      expect(lines[0]).toMatchObject({
        message: 'inside',
        trace_id: traceId,
        span_id: spanId,
        trace_flags: '01',
      });
      span.end();
    });
  });

  it('writes no trace fields outside a span', () => {
    logger.info('outside');
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[0]).not.toHaveProperty('span_id');
  });
});
