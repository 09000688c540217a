import { trace } from '@opentelemetry/api';
import { startTelemetry } from '@tessera/telemetry';
import { eventually, stackEndpoints } from '@tessera/testing';

interface JaegerTrace {
  spans: { spanID: string; operationName: string; processID: string }[];
  processes: Record<string, { serviceName: string }>;
}

describe('Jaeger v2 (real server)', () => {
  const { jaeger } = stackEndpoints();

  it('receives a span exported over OTLP by @opentelemetry/sdk-node and serves it on its query API', async () => {
    const serviceName = `smoke-${Date.now()}`;
    const telemetry = startTelemetry({
      serviceName,
      serviceVersion: '0.0.0',
      otlpEndpoint: jaeger.otlpGrpc,
      sampleRatio: 1,
    });
    const span = trace
      .getTracer('smoke')
      .startSpan('smoke-operation', { attributes: { 'tessera.smoke': true } });
    const traceId = span.spanContext().traceId;
    span.end();
    await telemetry.shutdown();

    const found = await eventually(
      async () => {
        const response = await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`);
        expect(response.status).toBe(200);
        const body = (await response.json()) as { data: JaegerTrace[] };
        return body.data[0]!;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    const [foundSpan] = found.spans;
    expect(foundSpan?.operationName).toBe('smoke-operation');
    expect(found.processes[foundSpan!.processID]?.serviceName).toBe(serviceName);
  });
});
