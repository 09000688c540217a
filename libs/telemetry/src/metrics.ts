import type { IncomingMessage, ServerResponse } from 'node:http';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { withUnitSuffixes } from './prometheus-units';

export type MetricsHandler = (request: IncomingMessage, response: ServerResponse) => void;

let handler: MetricsHandler | undefined;

/** Instruments in seconds that their instrumentation (kafkajs) creates without a unit. */
const UNITLESS_SECONDS = ['messaging.client.operation.duration', 'messaging.process.duration'];

/**
 * Collects the service's OpenTelemetry metrics for a Prometheus scrape of `/metrics` (served by the
 * service's HTTP server, see metricsHandler), with Node.js runtime metrics: event-loop delay and
 * utilisation, V8 garbage collections and heap. Independent of tracing: metrics work with it off.
 */
export function startMetrics(serviceName: string): { shutdown(): Promise<void> } {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const serializer = new PrometheusSerializer();
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    readers: [exporter],
    views: UNITLESS_SECONDS.map((instrumentName) => ({ instrumentName, name: `${instrumentName}_seconds` })),
  });
  metrics.setGlobalMeterProvider(provider);
  const unregister = registerInstrumentations({
    instrumentations: [new RuntimeNodeInstrumentation()],
    meterProvider: provider,
  });
  handler = (_request, response) => {
    exporter.collect().then(
      ({ resourceMetrics }) => {
        response.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
        response.end(serializer.serialize(withUnitSuffixes(resourceMetrics)));
      },
      (error: unknown) => {
        response.statusCode = 500;
        response.end(`# failed to collect metrics: ${String(error)}\n`);
      },
    );
  };
  return {
    shutdown: () => {
      unregister();
      return provider.shutdown();
    },
  };
}

/** The Prometheus text endpoint of the started metrics; undefined before startMetrics. */
export function metricsHandler(): MetricsHandler | undefined {
  return handler;
}
