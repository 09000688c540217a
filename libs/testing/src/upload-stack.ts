import { stackEndpoints } from './stack-endpoints';
import { freePort, startServiceProcess, type ServiceProcess } from './service-process';

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
  /** Process ids, for memory measurements. */
  pids: { repository: number; intake: number; metadata: number };
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
  const started: ServiceProcess[] = [];
  const stop = async () => {
    for (const service of started.reverse()) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  };
  try {
    // The repository and metadata services call each other: the metadata port is chosen first.
    const metadataAddress = `127.0.0.1:${await freePort()}`;
    const repository = await startServiceProcess(
      'repository-service',
      {
        TIDB_DATABASE: run,
        S3_BUCKET: bucket,
        S3_ENDPOINT: minio.endpoint,
        S3_ACCESS_KEY_ID: minio.accessKeyId,
        S3_SECRET_ACCESS_KEY: minio.secretAccessKey,
        METADATA_SERVICE_ADDRESS: metadataAddress,
        TRACING_ENABLED: 'false',
        ...kafkaEnv,
        KAFKA_LIFECYCLE_TOPIC_PARTITIONS: '3',
        OUTBOX_POLL_INTERVAL_MS: '100',
        SCHEMA_REGISTRY_URL: apicurio.url,
        SCHEMA_GROUP: schemaGroup,
        ...repositoryEnv,
      },
      { nodeArgs },
    );
    started.push(repository);
    const metadata = await startServiceProcess(
      'metadata-service',
      {
        GRPC_PORT: metadataAddress.split(':')[1]!,
        TIDB_DATABASE: run,
        REDIS_URL: `redis://${redis.host}:${redis.port}`,
        REDIS_KEY_PREFIX: cachePrefix,
        REPOSITORY_SERVICE_ADDRESS: `127.0.0.1:${repository.grpcPort}`,
        TRACING_ENABLED: 'false',
        ...kafkaEnv,
        KAFKA_CONSUMER_GROUP: `${run}.metadata-service`,
        ...metadataEnv,
      },
      { nodeArgs },
    );
    started.push(metadata);
    const intake = await startServiceProcess(
      'intake-gateway',
      {
        S3_ENDPOINT: minio.endpoint,
        S3_ACCESS_KEY_ID: minio.accessKeyId,
        S3_SECRET_ACCESS_KEY: minio.secretAccessKey,
        REPOSITORY_SERVICE_ADDRESS: `127.0.0.1:${repository.grpcPort}`,
        METADATA_SERVICE_ADDRESS: metadataAddress,
        TRACING_ENABLED: 'false',
        ...intakeEnv,
      },
      { nodeArgs },
    );
    started.push(intake);
    return {
      bucket,
      database: run,
      cachePrefix,
      repositoryAddress: `127.0.0.1:${repository.grpcPort}`,
      intakeAddress: `127.0.0.1:${intake.grpcPort}`,
      intakeHttpUrl: `http://127.0.0.1:${intake.httpPort}`,
      metadataAddress,
      metadataHttpUrl: `http://127.0.0.1:${metadata.httpPort}`,
      metadataLogs: metadata.logs,
      repositoryHttpUrl: `http://127.0.0.1:${repository.httpPort}`,
      repositoryLogs: repository.logs,
      lifecycleTopic,
      pids: { repository: repository.child.pid!, intake: intake.child.pid!, metadata: metadata.child.pid! },
      stop,
    };
  } catch (error) {
    for (const service of started) service.child.kill('SIGKILL');
    throw error;
  }
}
