import { ApicurioRegistry, readProtoFiles, registerContracts } from '@tessera/schema-registry';
import { stackEndpoints } from '@tessera/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO_ROOT = join(__dirname, '../../..');

export interface ServiceProcess {
  child: ChildProcess;
  grpcPort: number;
  httpPort: number;
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
}

/**
 * Starts a built service (`node services/<name>/dist/main.js`) on free ports and waits (at most
 * `timeoutMs`) for its "listening" log line, which is logged at info level.
 */
export async function startServiceProcess(
  name: string,
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'services', name, 'dist', 'main.js')], {
    env: { ...process.env, GRPC_PORT: '0', HTTP_PORT: '0', LISTEN_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr = (stderr + data.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<{ grpcPort: number; httpPort: number }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (typeof entry['grpcPort'] === 'number') {
        resolve({ grpcPort: entry['grpcPort'], httpPort: entry['httpPort'] as number });
      }
    });
    void exited.then((code) => reject(new Error(`${name} exited with ${code} before listening: ${stderr}`)));
    setTimeout(
      () => reject(new Error(`${name} did not log that it listens within ${timeoutMs} ms`)),
      timeoutMs,
    ).unref();
  });
  try {
    return { child, logs, exited, ...(await listening) };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

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
  repositoryEnv?: Record<string, string>;
  intakeEnv?: Record<string, string>;
  metadataEnv?: Record<string, string>;
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The Apicurio group every test stack's services look their event schemas up in. */
export const TEST_SCHEMA_GROUP = 'tessera-tests';

let contractsRegistered: Promise<unknown> | undefined;

/** Registers the contracts once per test process, as `make schemas` does before a deploy. */
function registerTestContracts(): Promise<unknown> {
  contractsRegistered ??= registerContracts(
    new ApicurioRegistry(stackEndpoints().apicurio.url),
    TEST_SCHEMA_GROUP,
    readProtoFiles(join(REPO_ROOT, 'proto')),
  );
  return contractsRegistered;
}

/**
 * The three services on a fresh database, bucket, cache prefix and lifecycle topic, with optional
 * settings for each.
 */
export async function startUploadStack(
  name: string,
  { repositoryEnv = {}, intakeEnv = {}, metadataEnv = {} }: UploadStackSettings = {},
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
  await registerTestContracts();
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
    const repository = await startServiceProcess('repository-service', {
      TIDB_DATABASE: run,
      S3_BUCKET: bucket,
      S3_ENDPOINT: minio.endpoint,
      S3_ACCESS_KEY_ID: minio.accessKeyId,
      S3_SECRET_ACCESS_KEY: minio.secretAccessKey,
      METADATA_SERVICE_ADDRESS: metadataAddress,
      TRACING_ENABLED: 'false',
      ...kafkaEnv,
      KAFKA_LIFECYCLE_TOPIC_PARTITIONS: '3',
      SCHEMA_REGISTRY_URL: apicurio.url,
      SCHEMA_GROUP: TEST_SCHEMA_GROUP,
      OUTBOX_POLL_INTERVAL_MS: '100',
      ...repositoryEnv,
    });
    started.push(repository);
    const metadata = await startServiceProcess('metadata-service', {
      GRPC_PORT: metadataAddress.split(':')[1]!,
      TIDB_DATABASE: run,
      REDIS_URL: `redis://${redis.host}:${redis.port}`,
      REDIS_KEY_PREFIX: cachePrefix,
      REPOSITORY_SERVICE_ADDRESS: `127.0.0.1:${repository.grpcPort}`,
      TRACING_ENABLED: 'false',
      ...kafkaEnv,
      KAFKA_CONSUMER_GROUP: `${run}.metadata-service`,
      ...metadataEnv,
    });
    started.push(metadata);
    const intake = await startServiceProcess('intake-gateway', {
      S3_ENDPOINT: minio.endpoint,
      S3_ACCESS_KEY_ID: minio.accessKeyId,
      S3_SECRET_ACCESS_KEY: minio.secretAccessKey,
      REPOSITORY_SERVICE_ADDRESS: `127.0.0.1:${repository.grpcPort}`,
      METADATA_SERVICE_ADDRESS: metadataAddress,
      TRACING_ENABLED: 'false',
      ...intakeEnv,
    });
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
