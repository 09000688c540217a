import { z } from 'zod';
import { logLevel, port, positiveInt, ratio, booleanFlag, httpUrl } from './env-schema.util';

/** Variables every Tessera service reads; each service's schema extends these. */
export const serviceEnvShape = {
  LOG_LEVEL: logLevel,
  /** Interface both servers bind to. 127.0.0.1 by default; the Helm chart sets 0.0.0.0. */
  LISTEN_HOST: z.string().min(1).default('127.0.0.1'),
  GRPC_MAX_RECEIVE_MESSAGE_BYTES: positiveInt(80 * 1024 * 1024),
  SHUTDOWN_GRACE_MS: positiveInt(15_000),
  TRACING_ENABLED: booleanFlag(true),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl('http://127.0.0.1:4317'),
  OTEL_TRACES_SAMPLER_RATIO: ratio(1),
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
