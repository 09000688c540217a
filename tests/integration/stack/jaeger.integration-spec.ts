import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eventually, REPO_ROOT, stackEndpoints } from '@tessera/testing';

interface JaegerTrace {
  spans: { spanID: string; operationName: string; processID: string }[];
  processes: Record<string, { serviceName: string }>;
}

describe('Jaeger v2 (real server)', () => {
  const { jaeger } = stackEndpoints();

  it('receives a span exported over OTLP by @opentelemetry/sdk-node and serves it on its query API', async () => {
    const serviceName = `smoke-${Date.now()}`;
    // In a process of its own, as in a service: the OTLP exporter loads grpc-js with a dynamic
    // import, which Jest's module sandbox refuses.
    const script = `
      const { trace } = require('@opentelemetry/api');
      const { startTelemetry } = require('@tessera/telemetry');
      const telemetry = startTelemetry({ serviceName: ${JSON.stringify(serviceName)}, serviceVersion: '0.0.0', otlpEndpoint: ${JSON.stringify(jaeger.otlpGrpc)} });
      const span = trace.getTracer('smoke').startSpan('smoke-operation', { attributes: { 'tessera.smoke': true } });
      span.end();
      telemetry.shutdown().then(() => process.stdout.write(span.spanContext().traceId));
    `;
    const { stdout: traceId } = await promisify(execFile)(process.execPath, ['-e', script], {
      cwd: REPO_ROOT,
      timeout: 30_000,
    });

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
