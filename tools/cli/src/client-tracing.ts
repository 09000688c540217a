import { trace } from '@opentelemetry/api';

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, the spans the SDK records itself — its direct PUTs and
 * GETs to S3 — are exported there as service `tessera-cli`, so `tessera trace` shows them beside
 * the services' calls. Returns what flushes them before the command exits. Loaded only then: the
 * exporter is not needed otherwise.
 */
export async function startClientTracing(env: NodeJS.ProcessEnv): Promise<() => Promise<void>> {
  const endpoint = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (!endpoint || env['OTEL_SDK_DISABLED'] === 'true') return async () => undefined;
  const [{ TracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/exporter-trace-otlp-grpc'),
      import('@opentelemetry/resources'),
    ]);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] ?? 'tessera-cli' }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: endpoint }) })],
  });
  trace.setGlobalTracerProvider(provider);
  return () => provider.shutdown().catch(() => undefined);
}
