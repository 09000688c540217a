import type { IncomingMessage, ServerResponse } from 'node:http';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export type MetricsHandler = (request: IncomingMessage, response: ServerResponse) => void;

let handler: MetricsHandler | undefined;

/**
 * Collects the service's OpenTelemetry metrics for a Prometheus scrape of `/metrics` (served by the
 * service's HTTP server, see metricsHandler). Independent of tracing: metrics work with it off.
 */
export function startMetrics(serviceName: string): { shutdown(): Promise<void> } {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    readers: [exporter],
  });
  metrics.setGlobalMeterProvider(provider);
  handler = (request, response) => exporter.getMetricsRequestHandler(request, response);
  return { shutdown: () => provider.shutdown() };
}

/** The Prometheus text endpoint of the started metrics; undefined before startMetrics. */
export function metricsHandler(): MetricsHandler | undefined {
  return handler;
}
