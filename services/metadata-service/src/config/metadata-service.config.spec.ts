import { loadConfig } from '@tessera/config';
import { MetadataServiceEnvSchema } from './metadata-service.config';

describe('metadata-service config', () => {
  it('has its own default ports so the three services run side by side', () => {
    expect(loadConfig(MetadataServiceEnvSchema, {})).toMatchObject({ GRPC_PORT: 50053, HTTP_PORT: 8083 });
  });

  it('reads the sampler ratio and refuses one above 1', () => {
    expect(
      loadConfig(MetadataServiceEnvSchema, { OTEL_TRACES_SAMPLER_ARG: '0.25' }).OTEL_TRACES_SAMPLER_ARG,
    ).toBe(0.25);
    expect(() => loadConfig(MetadataServiceEnvSchema, { OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(
      /OTEL_TRACES_SAMPLER_ARG/,
    );
  });

  it('refuses the replaced tracing switches, naming their standard replacements', () => {
    expect(() => loadConfig(MetadataServiceEnvSchema, { TRACING_ENABLED: 'false' })).toThrow(
      /TRACING_ENABLED.*OTEL_SDK_DISABLED/s,
    );
    expect(() => loadConfig(MetadataServiceEnvSchema, { OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(
      /OTEL_TRACES_SAMPLER/,
    );
  });
});
