import { loadConfig, s3ClientOptionsOf } from '@tessera/config';
import { RepositoryServiceEnvSchema } from './repository-service.config';

describe('repository-service config', () => {
  it('has its own default ports and local-stack defaults', () => {
    expect(loadConfig(RepositoryServiceEnvSchema, {})).toMatchObject({
      GRPC_PORT: 50052,
      HTTP_PORT: 8082,
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      TIDB_DATABASE: 'tessera',
      OBJECT_KEY_TEMPLATE: '{drive_id}/{node_id}',
    });
  });

  it('sizes the chunk write pool between MIN_WORKERS and MAX_WORKERS, and names CHUNK_WORKERS as replaced', () => {
    expect(loadConfig(RepositoryServiceEnvSchema, {})).toMatchObject({ MIN_WORKERS: 8, MAX_WORKERS: 64 });
    expect(() => loadConfig(RepositoryServiceEnvSchema, { MIN_WORKERS: '16', MAX_WORKERS: '8' })).toThrow(
      /MAX_WORKERS: must be at least MIN_WORKERS/,
    );
    expect(() => loadConfig(RepositoryServiceEnvSchema, { CHUNK_WORKERS: '32' })).toThrow(
      /CHUNK_WORKERS: no longer read: use MIN_WORKERS and MAX_WORKERS/,
    );
  });

  it('reads the sampler ratio and refuses one above 1', () => {
    expect(
      loadConfig(RepositoryServiceEnvSchema, { OTEL_TRACES_SAMPLER_ARG: '0.25' }).OTEL_TRACES_SAMPLER_ARG,
    ).toBe(0.25);
    expect(() => loadConfig(RepositoryServiceEnvSchema, { OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(
      /OTEL_TRACES_SAMPLER_ARG/,
    );
  });

  it('names the variable of a key template without a unique placeholder, and of half-set credentials', () => {
    expect(() => loadConfig(RepositoryServiceEnvSchema, { OBJECT_KEY_TEMPLATE: '{drive_id}/file' })).toThrow(
      /OBJECT_KEY_TEMPLATE: must contain/,
    );
    expect(() => loadConfig(RepositoryServiceEnvSchema, { S3_ACCESS_KEY_ID: 'id' })).toThrow(
      /S3_SECRET_ACCESS_KEY/,
    );
  });

  it('gives every S3 client a connect and an idle timeout, no whole-request limit, and reads overrides', () => {
    expect(s3ClientOptionsOf(loadConfig(RepositoryServiceEnvSchema, {})).timeouts).toEqual({
      connectMs: 5000,
      idleMs: 60_000,
      requestMs: 0,
    });
    const tight = loadConfig(RepositoryServiceEnvSchema, {
      S3_CONNECT_TIMEOUT_MS: '1000',
      S3_IDLE_TIMEOUT_MS: '2000',
      S3_REQUEST_TIMEOUT_MS: '600000',
    });
    expect(s3ClientOptionsOf(tight).timeouts).toEqual({ connectMs: 1000, idleMs: 2000, requestMs: 600_000 });
    expect(() => loadConfig(RepositoryServiceEnvSchema, { S3_IDLE_TIMEOUT_MS: '-1' })).toThrow(
      /S3_IDLE_TIMEOUT_MS/,
    );
  });
});
