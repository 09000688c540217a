import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { settledTrace } from './jaeger-query';
import type { JaegerSpan } from './jaeger-trace';

const span = (spanID: string): JaegerSpan => ({
  spanID,
  operationName: spanID,
  references: [],
  startTime: 0,
  duration: 1,
  processID: 'p1',
});

/** A query API whose trace gains its spans in batches, as services export them. */
async function jaegerServing(batches: { afterMs: number; spans: string[] }[]): Promise<Server> {
  const started = Date.now();
  const server = createServer((_request, response) => {
    const elapsed = Date.now() - started;
    const spans = batches.filter((batch) => batch.afterMs <= elapsed).flatMap((batch) => batch.spans);
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ data: [{ traceID: 'ab', spans: spans.map(span), processes: {} }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('settledTrace', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('waits out a quiet spell shorter than quietMs: a later service’s batch still arrives', async () => {
    server = await jaegerServing([
      { afterMs: 0, spans: ['gateway'] },
      { afterMs: 400, spans: ['repository', 'S3.GetObject'] },
    ]);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const trace = await settledTrace(url, 'ab', { waitMs: 5000, pollMs: 100, quietMs: 600 });
    expect(trace?.spans.map((s) => s.spanID)).toEqual(['gateway', 'repository', 'S3.GetObject']);
  });

  it('gives what Jaeger has at the deadline when the trace keeps growing', async () => {
    server = await jaegerServing([
      { afterMs: 0, spans: ['a'] },
      { afterMs: 150, spans: ['b'] },
      { afterMs: 300, spans: ['c'] },
    ]);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const started = Date.now();
    const trace = await settledTrace(url, 'ab', { waitMs: 250, pollMs: 50, quietMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(trace?.spans.length).toBeGreaterThanOrEqual(1);
  });
});
