import { z } from 'zod';
import { booleanFlag, httpUrl, replacedBy } from './env-schema.util';

/** The samplers of the OpenTelemetry specification's OTEL_TRACES_SAMPLER. */
const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/**
 * The standard OpenTelemetry variables Tessera's services honour. The SDK reads them itself
 * (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS and _TIMEOUT too); they
 * are declared here so that a bad value fails the start naming the variable instead of being
 * replaced by a default with a warning.
 */
export const openTelemetryEnvShape = {
  OTEL_SDK_DISABLED: booleanFlag(false),
  OTEL_TRACES_SAMPLER: z.enum(SAMPLERS).default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  /** OTLP/gRPC. The specification's default is localhost; 127.0.0.1 avoids trying ::1 first. */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl('http://127.0.0.1:4317'),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  TRACING_ENABLED: replacedBy('OTEL_SDK_DISABLED=true to turn tracing off'),
  OTEL_TRACES_SAMPLER_RATIO: replacedBy(
    'OTEL_TRACES_SAMPLER=parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG',
  ),
};
