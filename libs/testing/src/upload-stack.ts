import { stackEndpoints } from './stack-endpoints';
import { freePort, startServiceProcess, type ServiceProcess } from './service-process';

export type StackService = 'repository' | 'metadata' | 'intake';

const PACKAGES: Record<StackService, string> = {
  repository: 'repository-service',
  metadata: 'metadata-service',
  intake: 'intake-gateway',
};

/** The repository service (fresh database and bucket) with the intake gateway in front of it. */
export interface UploadStack {
  bucket: string;
  /** The TiDB database the services share. */
  database: string;
  /** Prefix of this stack's keys in Redis. */
  cachePrefix: string;
  intakeAddress: string;
  /** The intake gateway's HTTP API, e.g. http://127.0.0.1:8081 */
  intakeHttpUrl: string;
  repositoryAddress: string;
  metadataAddress: string;
  /** The metadata service's HTTP server (/healthz, /metrics). */
  metadataHttpUrl: string;
  /** The metadata service's JSON log lines so far (the array grows as it logs). */
  metadataLogs: Record<string, unknown>[];
  /** The repository service's HTTP server (/healthz, /metrics) and log lines. */
  repositoryHttpUrl: string;
  repositoryLogs: Record<string, unknown>[];
  /** This stack's own lifecycle topic (the services' KAFKA_LIFECYCLE_TOPIC). */
  lifecycleTopic: string;
  /** Process ids, for memory measurements (they change when a service is restarted). */
  pids: { repository: number; intake: number; metadata: number };
  /** kill -9 of one service: no shutdown of any kind. */
  kill(service: StackService): Promise<void>;
  /** Starts a killed service again with its settings and ports; its logs start afresh. */
  restart(service: StackService): Promise<void>;
  stop(): Promise<void>;
}

export interface UploadStackSettings {
  /** The Apicurio group the relay looks the event schemas up in (registered by the caller). */
  schemaGroup?: string;
  repositoryEnv?: Record<string, string>;
  intakeEnv?: Record<string, string>;
  metadataEnv?: Record<string, string>;
  /** Arguments to node for each service, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/profiles']. */
  nodeArgs?: string[];
}

/**
 * The three services on a fresh database, bucket, cache prefix and lifecycle topic, with optional
 * settings for each. The contracts must be registered in `schemaGroup` (default `tessera-local`)
 * first (`registerContracts`), as `make schemas` does before a deploy.
 */
export async function startLocalUploadStack(
  name: string,
  {
    schemaGroup = 'tessera-local',
    repositoryEnv = {},
    intakeEnv = {},
    metadataEnv = {},
    nodeArgs = [],
  }: UploadStackSettings = {},
): Promise<UploadStack> {
  const { minio, redis, kafka, apicurio } = stackEndpoints();
  const run = `${name}_${Date.now()}`;
  const bucket = run.replaceAll('_', '-');
  const cachePrefix = `${run}:`;
  const lifecycleTopic = `tessera.lifecycle.${run}`;
  const kafkaEnv = {
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_LIFECYCLE_TOPIC: lifecycleTopic,
  };
  const running: Partial<Record<StackService, ServiceProcess>> = {};
  const envs: Partial<Record<StackService, Record<string, string>>> = {};
  // Ports chosen up front (not 0): a restarted service gets its own back (see freePort).
  const start = async (service: StackService, env: Record<string, string>) => {
    const ports = { GRPC_PORT: String(await freePort()), HTTP_PORT: String(await freePort()) };
    envs[service] = { ...ports, ...env };
    running[service] = await startServiceProcess(PACKAGES[service], envs[service], { nodeArgs });
    return running[service];
  };
  const stop = async () => {
    for (const service of ['intake', 'metadata', 'repository'] as const) {
      running[service]?.child.kill('SIGTERM');
      await running[service]?.exited;
    }
  };
  const kill = async (service: StackService) => {
    running[service]!.child.kill('SIGKILL');
    await running[service]!.exited;
  };
  const restart = async (service: StackService) => {
    await start(service, envs[service]!);
  };
  try {
    // The repository and metadata services call each other: the metadata port is chosen first.
    const metadataAddress = `127.0.0.1:${await freePort()}`;
    const repository = await start('repository', {
      TIDB_DATABASE: run,
      S3_BUCKET: bucket,
      S3_ENDPOINT: minio.endpoint,
      S3_ACCESS_KEY_ID: minio.accessKeyId,
      S3_SECRET_ACCESS_KEY: minio.secretAccessKey,
      METADATA_SERVICE_ADDRESS: metadataAddress,
      OTEL_SDK_DISABLED: 'true',
      ...kafkaEnv,
      KAFKA_LIFECYCLE_TOPIC_PARTITIONS: '3',
      OUTBOX_POLL_INTERVAL_MS: '100',
      SCHEMA_REGISTRY_URL: apicurio.url,
      SCHEMA_GROUP: schemaGroup,
      ...repositoryEnv,
    });
    const metadata = await start('metadata', {
      GRPC_PORT: metadataAddress.split(':')[1]!,
      TIDB_DATABASE: run,
      REDIS_URL: `redis://${redis.host}:${redis.port}`,
      REDIS_KEY_PREFIX: cachePrefix,
      REPOSITORY_SERVICE_ADDRESS: `127.0.0.1:${repository.grpcPort}`,
      OTEL_SDK_DISABLED: 'true',
      ...kafkaEnv,
      KAFKA_CONSUMER_GROUP: `${run}.metadata-service`,
      ...metadataEnv,
    });
    const intake = await start('intake', {
      S3_ENDPOINT: minio.endpoint,
      S3_ACCESS_KEY_ID: minio.accessKeyId,
      S3_SECRET_ACCESS_KEY: minio.secretAccessKey,
      REPOSITORY_SERVICE_ADDRESS: `127.0.0.1:${repository.grpcPort}`,
      METADATA_SERVICE_ADDRESS: metadataAddress,
      OTEL_SDK_DISABLED: 'true',
      ...intakeEnv,
    });
    return {
      bucket,
      database: run,
      cachePrefix,
      repositoryAddress: `127.0.0.1:${repository.grpcPort}`,
      intakeAddress: `127.0.0.1:${intake.grpcPort}`,
      intakeHttpUrl: `http://127.0.0.1:${intake.httpPort}`,
      metadataAddress,
      metadataHttpUrl: `http://127.0.0.1:${metadata.httpPort}`,
      get metadataLogs() {
        return running.metadata!.logs;
      },
      repositoryHttpUrl: `http://127.0.0.1:${repository.httpPort}`,
      get repositoryLogs() {
        return running.repository!.logs;
      },
      lifecycleTopic,
      get pids() {
        return {
          repository: running.repository!.child.pid!,
          intake: running.intake!.child.pid!,
          metadata: running.metadata!.child.pid!,
        };
      },
      kill,
      restart,
      stop,
    };
  } catch (error) {
    for (const service of Object.values(running)) service.child.kill('SIGKILL');
    throw error;
  }
}
