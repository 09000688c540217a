import { ConfigError, loadConfig } from '@tessera/config';
import { IntakeGatewayEnvSchema } from './intake-gateway.config';

describe('intake-gateway config', () => {
  it('boots on defaults that match the local stack', () => {
    const config = loadConfig(IntakeGatewayEnvSchema, {});
    expect(config).toMatchObject({
      GRPC_PORT: 50051,
      HTTP_PORT: 8081,
      LISTEN_HOST: '127.0.0.1',
      REPOSITORY_SERVICE_ADDRESS: '127.0.0.1:50052',
      METADATA_SERVICE_ADDRESS: '127.0.0.1:50053',
    });
  });

  it('rejects an upstream address without a port, naming the variable', () => {
    expect(() => loadConfig(IntakeGatewayEnvSchema, { METADATA_SERVICE_ADDRESS: 'metadata' })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig(IntakeGatewayEnvSchema, { METADATA_SERVICE_ADDRESS: 'metadata' })).toThrow(
      /METADATA_SERVICE_ADDRESS: expected host:port/,
    );
  });

  it('takes an http(s) S3_PUBLIC_ENDPOINT for download URLs, and refuses anything else', () => {
    expect(
      loadConfig(IntakeGatewayEnvSchema, { S3_PUBLIC_ENDPOINT: 'https://s3.example.com' }).S3_PUBLIC_ENDPOINT,
    ).toBe('https://s3.example.com');
    expect(() => loadConfig(IntakeGatewayEnvSchema, { S3_PUBLIC_ENDPOINT: 's3.example.com' })).toThrow(
      /S3_PUBLIC_ENDPOINT/,
    );
  });
});
