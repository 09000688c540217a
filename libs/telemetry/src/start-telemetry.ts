import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion: string;
  /** OTLP gRPC endpoint of the collector or Jaeger, e.g. http://127.0.0.1:4317. */
  otlpEndpoint: string;
  /** Receives the SDK's own warnings, e.g. failed exports (they never fail a request). */
  diagnostics?: DiagLogger;
}

export interface Telemetry {
  /** Flushes pending spans and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK. Call before anything that should be instrumented is loaded. The
 * SDK reads the standard variables itself: OTEL_TRACES_SAMPLER and _ARG (default
 * parentbased_always_on), OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (which win over the
 * names given here), OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT and _COMPRESSION.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (options.diagnostics) {
    diag.setLogger(options.diagnostics, DiagLogLevel.WARN);
  }
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: options.serviceVersion,
    }),
    traceExporter: new OTLPTraceExporter({ url: options.otlpEndpoint }),
    // Every gRPC call, HTTP request, Redis command, SQL query, S3 request and Kafka message becomes a
    // span; a consumed lifecycle event continues the trace in its headers.
    instrumentations: [
      new GrpcInstrumentation(),
      new HttpInstrumentation(),
      new IORedisInstrumentation(),
      new MySQL2Instrumentation(),
      new AwsInstrumentation({ suppressInternalInstrumentation: true }),
      new KafkaJsInstrumentation(),
    ],
    // Metrics are scraped from /metrics (metrics.ts), not pushed over OTLP.
    metricReaders: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
