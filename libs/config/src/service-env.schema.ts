import { z } from 'zod';
import {
  logLevel,
  port,
  positiveInt,
  optionalMs,
  booleanFlag,
  httpUrl,
  hostPortList,
} from './env-schema.util';
import { openTelemetryEnvShape } from './open-telemetry-env.schema';

/** Variables every Tessera service reads; each service's schema extends these. */
export const serviceEnvShape = {
  LOG_LEVEL: logLevel,
  /** Interface both servers bind to. 127.0.0.1 by default; the Helm chart sets 0.0.0.0. */
  LISTEN_HOST: z.string().min(1).default('127.0.0.1'),
  GRPC_MAX_RECEIVE_MESSAGE_BYTES: positiveInt(80 * 1024 * 1024),
  /**
   * Calls one client connection may have open at once (HTTP/2 MAX_CONCURRENT_STREAMS); more wait on
   * the client's side. With the largest message, it bounds what one connection makes the server hold.
   */
  GRPC_MAX_CONCURRENT_STREAMS: positiveInt(100),
  SHUTDOWN_GRACE_MS: positiveInt(15_000),
  ...openTelemetryEnvShape,
};

/** The ports of one service, with its own defaults so all three can run side by side. */
export function servicePortsShape(grpcPort: number, httpPort: number) {
  return { GRPC_PORT: port(grpcPort), HTTP_PORT: port(httpPort) };
}

/** The TiDB connection of a service that reads or writes the metadata database. */
export const tidbEnvShape = {
  TIDB_HOST: z.string().min(1).default('127.0.0.1'),
  TIDB_PORT: positiveInt(4000),
  TIDB_USER: z.string().min(1).default('root'),
  TIDB_PASSWORD: z.string().default(''),
  TIDB_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_]+$/, 'letters, digits and _ only')
    .default('tessera'),
  TIDB_POOL_SIZE: positiveInt(20),
};

/**
 * Kafka and the lifecycle events topic, for a service that publishes or consumes lifecycle events
 * (docs/events.md).
 */
export const kafkaEnvShape = {
  /** Comma-separated host:port list of bootstrap brokers. */
  KAFKA_BROKERS: hostPortList('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: z.string().min(1).default('tessera'),
  KAFKA_LIFECYCLE_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'letters, digits, ".", "_" and "-" only, at most 249')
    .default('tessera.lifecycle.v1'),
};

/** Apicurio Registry, where every contract (service APIs and event schemas) is registered. */
export const schemaRegistryEnvShape = {
  /** Base of the registry's REST API v3. */
  SCHEMA_REGISTRY_URL: httpUrl('http://127.0.0.1:8080/apis/registry/v3'),
  SCHEMA_GROUP: z.string().min(1).default('tessera'),
};

/** The S3 connection of a service that reads or writes objects (the bucket is the service's own concern). */
export const s3EnvShape = {
  /** Empty for AWS S3 itself; the local stack's MinIO by default. */
  S3_ENDPOINT: z.string().default('http://127.0.0.1:9000'),
  /**
   * The S3 endpoint clients reach, signed into the presigned URLs handed to them (direct chunks,
   * download URLs) when it is not S3_ENDPOINT (a cluster-internal address); unset: S3_ENDPOINT.
   */
  S3_PUBLIC_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_FORCE_PATH_STYLE: booleanFlag(true),
  /** Static credentials; leave both unset to use the SDK's default chain (IRSA, instance role). */
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_MAX_ATTEMPTS: positiveInt(3),
  /** Opening a connection to S3; 0 = no limit. */
  S3_CONNECT_TIMEOUT_MS: optionalMs(5_000),
  /**
   * How long an S3 request's connection may stay silent (a hung connection) before the attempt
   * fails and is retried; bytes moving, however slowly, keep it alive. 0 = no limit.
   */
  S3_IDLE_TIMEOUT_MS: optionalMs(60_000),
  /** A whole S3 request up to its answer, body upload included; 0 (default) = no limit. */
  S3_REQUEST_TIMEOUT_MS: optionalMs(0),
};

/** Refinement of a schema with s3EnvShape: static credentials come in pairs. */
export const s3CredentialsPaired: [
  (env: { S3_ACCESS_KEY_ID?: string | undefined; S3_SECRET_ACCESS_KEY?: string | undefined }) => boolean,
  { message: string; path: string[] },
] = [
  (env) => (env.S3_ACCESS_KEY_ID === undefined) === (env.S3_SECRET_ACCESS_KEY === undefined),
  {
    message: 'set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither',
    path: ['S3_SECRET_ACCESS_KEY'],
  },
];

/** createS3Client options from a config with s3EnvShape. */
export function s3ClientOptionsOf(config: {
  S3_ENDPOINT: string;
  S3_REGION: string;
  S3_FORCE_PATH_STYLE: boolean;
  S3_ACCESS_KEY_ID?: string | undefined;
  S3_SECRET_ACCESS_KEY?: string | undefined;
  S3_MAX_ATTEMPTS: number;
  S3_CONNECT_TIMEOUT_MS: number;
  S3_IDLE_TIMEOUT_MS: number;
  S3_REQUEST_TIMEOUT_MS: number;
}) {
  return {
    region: config.S3_REGION,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    maxAttempts: config.S3_MAX_ATTEMPTS,
    timeouts: {
      connectMs: config.S3_CONNECT_TIMEOUT_MS,
      idleMs: config.S3_IDLE_TIMEOUT_MS,
      requestMs: config.S3_REQUEST_TIMEOUT_MS,
    },
    ...(config.S3_ENDPOINT && { endpoint: config.S3_ENDPOINT }),
    ...(config.S3_ACCESS_KEY_ID &&
      config.S3_SECRET_ACCESS_KEY && {
        credentials: { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY },
      }),
  };
}

/** The S3 client options for signing URLs that clients use: S3_PUBLIC_ENDPOINT when set. */
export function s3SigningOptionsOf(
  config: Parameters<typeof s3ClientOptionsOf>[0] & { S3_PUBLIC_ENDPOINT?: string | undefined },
) {
  const options = s3ClientOptionsOf(config);
  return config.S3_PUBLIC_ENDPOINT ? { ...options, endpoint: config.S3_PUBLIC_ENDPOINT } : options;
}
