import { loadConfig } from '@tessera/config';
import { MetadataServiceEnvSchema } from './metadata-service.config';

describe('metadata-service config', () => {
  it('has its own default ports so the three services run side by side', () => {
    expect(loadConfig(MetadataServiceEnvSchema, {})).toMatchObject({ GRPC_PORT: 50053, HTTP_PORT: 8083 });
  });

  it('reads the sampler ratio and refuses one above 1', () => {
    expect(
      loadConfig(MetadataServiceEnvSchema, { OTEL_TRACES_SAMPLER_RATIO: '0.25' }).OTEL_TRACES_SAMPLER_RATIO,
    ).toBe(0.25);
    expect(() => loadConfig(MetadataServiceEnvSchema, { OTEL_TRACES_SAMPLER_RATIO: '2' })).toThrow(
      /OTEL_TRACES_SAMPLER_RATIO/,
    );
  });
});
