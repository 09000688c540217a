import { z } from 'zod';
import { ConfigError } from './config-error';
import { hostPort, port, booleanFlag } from './env-schema.util';
import { loadConfig } from './load-config';
import { maskSecrets } from './mask-secrets';

const schema = z.object({
  GRPC_PORT: port(50051),
  REPOSITORY_ADDRESS: hostPort('127.0.0.1:50052'),
  OTEL_SDK_DISABLED: booleanFlag(false),
  S3_BUCKET: z.string().min(1),
});

describe('loadConfig', () => {
  it('applies defaults and coerces types', () => {
    const config = loadConfig(schema, { S3_BUCKET: 'b', OTEL_SDK_DISABLED: 'true', GRPC_PORT: '' });
    expect(config).toEqual({
      GRPC_PORT: 50051,
      REPOSITORY_ADDRESS: '127.0.0.1:50052',
      OTEL_SDK_DISABLED: true,
      S3_BUCKET: 'b',
    });
  });

  it('names every bad variable at once', () => {
    let caught: unknown;
    try {
      loadConfig(schema, { GRPC_PORT: '70000', REPOSITORY_ADDRESS: 'nowhere' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const variables = (caught as ConfigError).issues.map((issue) => issue.variable).sort();
    expect(variables).toEqual(['GRPC_PORT', 'REPOSITORY_ADDRESS', 'S3_BUCKET']);
    expect((caught as ConfigError).message).toContain('GRPC_PORT');
  });
});

describe('maskSecrets', () => {
  it('hides values of secret-looking keys at any depth', () => {
    expect(maskSecrets({ s3: { secretAccessKey: 'x', bucket: 'b' }, TIDB_PASSWORD: 'p' })).toEqual({
      s3: { secretAccessKey: '***', bucket: 'b' },
      TIDB_PASSWORD: '***',
    });
  });

  it('hides access key ids and passwords inside URLs, but not names that merely contain KEY', () => {
    expect(
      maskSecrets({
        S3_ACCESS_KEY_ID: 'AKIA',
        REDIS_URL: 'redis://default:hunter2@cache:6379/0',
        REDIS_KEY_PREFIX: 'tessera:',
        OBJECT_KEY_TEMPLATE: '{drive_id}/{node_id}',
        S3_ENDPOINT: 'http://127.0.0.1:9000',
      }),
    ).toEqual({
      S3_ACCESS_KEY_ID: '***',
      REDIS_URL: 'redis://default:***@cache:6379/0',
      REDIS_KEY_PREFIX: 'tessera:',
      OBJECT_KEY_TEMPLATE: '{drive_id}/{node_id}',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
    });
  });
});
