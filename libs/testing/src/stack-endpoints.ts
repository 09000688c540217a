/** Where the local stack's servers listen, as scripts/stack/common.sh starts them. */
export interface StackEndpoints {
  redis: { host: string; port: number };
  tidb: { host: string; port: number; user: string };
  minio: { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string };
  kafka: { brokers: string[] };
  jaeger: { otlpGrpc: string; queryUrl: string };
  apicurio: { url: string };
  toxiproxy: { url: string };
}

const HOST = '127.0.0.1';

function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  return value ? Number(value) : fallback;
}

/** Reads the same TESSERA_*_PORT overrides as the stack scripts. */
export function stackEndpoints(env: NodeJS.ProcessEnv = process.env): StackEndpoints {
  return {
    redis: { host: HOST, port: portFrom(env, 'TESSERA_REDIS_PORT', 6379) },
    tidb: { host: HOST, port: portFrom(env, 'TESSERA_TIDB_PORT', 4000), user: 'root' },
    minio: {
      endpoint: `http://${HOST}:${portFrom(env, 'TESSERA_MINIO_PORT', 9000)}`,
      accessKeyId: env['TESSERA_MINIO_USER'] ?? 'tessera',
      secretAccessKey: env['TESSERA_MINIO_PASSWORD'] ?? 'tessera-secret',
      region: 'us-east-1',
    },
    kafka: { brokers: [`${HOST}:${portFrom(env, 'TESSERA_KAFKA_PORT', 9092)}`] },
    jaeger: {
      otlpGrpc: `http://${HOST}:${portFrom(env, 'TESSERA_JAEGER_OTLP_GRPC_PORT', 4317)}`,
      queryUrl: `http://${HOST}:${portFrom(env, 'TESSERA_JAEGER_QUERY_PORT', 16686)}`,
    },
    apicurio: { url: `http://${HOST}:${portFrom(env, 'TESSERA_APICURIO_PORT', 8080)}/apis/registry/v3` },
    toxiproxy: { url: `http://${HOST}:${portFrom(env, 'TESSERA_TOXIPROXY_PORT', 8474)}` },
  };
}

/** The services' default S3 timeouts (S3_CONNECT_TIMEOUT_MS, S3_IDLE_TIMEOUT_MS, S3_REQUEST_TIMEOUT_MS). */
export const SERVICE_S3_TIMEOUTS = { connectMs: 5000, idleMs: 60_000, requestMs: 0 };

/** Options for an S3 client of the local stack's MinIO (for createS3Client). */
export function minioClientOptions(
  maxAttempts = 2,
  env: NodeJS.ProcessEnv = process.env,
  timeouts = SERVICE_S3_TIMEOUTS,
) {
  const { minio } = stackEndpoints(env);
  return {
    endpoint: minio.endpoint,
    region: minio.region,
    forcePathStyle: true,
    credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
    maxAttempts,
    timeouts,
  };
}
