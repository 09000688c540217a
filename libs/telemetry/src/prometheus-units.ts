import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/**
 * The suffix the OpenTelemetry-to-Prometheus compatibility rules give a unit. Prometheus names carry
 * their unit (`_seconds`, `_bytes`); OpenTelemetry instruments carry it beside the name
 * (`rpc.server.call.duration`, unit `s`), and the JS Prometheus exporter does not append it.
 */
function unitSuffix(metric: MetricData): string | undefined {
  switch (metric.descriptor.unit) {
    case 's':
      return 'seconds';
    case 'By':
      return 'bytes';
    case '1':
      return metric.dataPointType === DataPointType.GAUGE ? 'ratio' : undefined;
    default:
      return undefined; // annotations such as {chunk} and no unit: no suffix
  }
}

function withUnitSuffix(metric: MetricData): MetricData {
  const suffix = unitSuffix(metric);
  const { name } = metric.descriptor;
  if (suffix === undefined || name.replace(/\./g, '_').endsWith(`_${suffix}`)) return metric;
  return { ...metric, descriptor: { ...metric.descriptor, name: `${name}_${suffix}` } };
}

/** The collected metrics with each name ending in its unit, ready for the Prometheus serializer. */
export function withUnitSuffixes(resourceMetrics: ResourceMetrics): ResourceMetrics {
  return {
    ...resourceMetrics,
    scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
      ...scope,
      metrics: scope.metrics.map(withUnitSuffix),
    })),
  };
}
