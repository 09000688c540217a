import { loadConfig } from '@tessera/config';
import { RepositoryServiceEnvSchema } from './repository-service.config';

describe('repository-service config', () => {
  it('has its own default ports so the three services run side by side', () => {
    expect(loadConfig(RepositoryServiceEnvSchema, {})).toMatchObject({ GRPC_PORT: 50052, HTTP_PORT: 8082 });
  });

  it('reads the sampler ratio and refuses one above 1', () => {
    expect(
      loadConfig(RepositoryServiceEnvSchema, { OTEL_TRACES_SAMPLER_RATIO: '0.25' }).OTEL_TRACES_SAMPLER_RATIO,
    ).toBe(0.25);
    expect(() => loadConfig(RepositoryServiceEnvSchema, { OTEL_TRACES_SAMPLER_RATIO: '2' })).toThrow(
      /OTEL_TRACES_SAMPLER_RATIO/,
    );
  });
});
