import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { internalV1 } from '@tessera/contracts';
import type { Logger } from '@tessera/logging';
import { createS3Client, S3DirectParts, S3ObjectStore } from '@tessera/object-storage';
import { processLoopDelay, startService, stopOnSignals, type RunningService } from '@tessera/runtime';
import { createTidbPool, migrate } from '@tessera/sql';
import { s3ClientOptionsOf, s3SigningOptionsOf } from '@tessera/config';
import { createGrpcClient, HTTP2_WINDOWS, type ServerWindows } from '@tessera/grpc';
import { createLifecycleRelay } from './adapters/events/lifecycle-relay';
import { GrpcNodeCacheNotifier } from './adapters/grpc/grpc-node-cache-notifier';
import { MeteredChunkWriter } from './adapters/otel/metered-chunk-writer';
import { OtelAdmissionMetrics } from './adapters/otel/otel-admission-metrics';
import { OtelDirectChunkMetrics } from './adapters/otel/otel-direct-chunk-metrics';
import { MIGRATIONS } from './adapters/tidb/migrations';
import { TidbDirectChunks } from './adapters/tidb/tidb-direct-chunks';
import { TidbInstanceHeartbeat } from './adapters/tidb/tidb-instance-heartbeat';
import { TidbNodeStore } from './adapters/tidb/tidb-node-store';
import { TidbUploadStore } from './adapters/tidb/tidb-upload-store';
import type { RepositoryServiceConfig } from './config/repository-service.config';
import { AdaptiveChunkWorkers } from './domain/admission/adaptive-chunk-workers';
import { ChunkAdmission } from './domain/admission/chunk-admission';
import { ChunkWriter } from './domain/chunks/chunk-writer';
import { DirectChunks } from './domain/chunks/direct-chunks';
import { GroupCommit } from './domain/chunks/group-commit';
import { MultipartUploads } from './domain/chunks/multipart-uploads';
import { CompletionRecovery } from './domain/completion/completion-recovery';
import { NodeDeleter } from './domain/maintenance/node-deleter';
import { ObjectAssembler } from './domain/completion/object-assembler';
import { RunningFileHashes } from './domain/chunks/running-file-hashes';
import { UploadCompleter } from './domain/completion/upload-completer';
import { UploadJanitor } from './domain/maintenance/upload-janitor';
import { UploadSessions } from './domain/uploads/upload-sessions';
import { OneCallUploads } from './domain/uploads/one-call-uploads';
import { PeriodicTask } from './domain/maintenance/periodic-task';
import { DEFAULT_POOL_SIZING, WorkerPoolSizer } from './domain/admission/worker-pool-sizer';
import { RepositoryServiceModule } from './repository-service.module';

/** Chunks one PresignChunks call may plan: each is a TiDB transaction (docs/design/direct-transfers.md). */
const MAX_PRESIGNED_CHUNKS_PER_CALL = 256;

/**
 * Every version of a node shares one key under the default template, so only S3 versioning keeps a
 * version's bytes once the next one is written (and a failed or losing write from replacing them).
 */
async function requireSafeVersioning(objects: S3ObjectStore, template: string): Promise<void> {
  if (template.includes('{upload_id}') || (await objects.isVersioned())) return;
  throw new Error(
    `S3_BUCKET ${objects.bucket} does not have versioning enabled, and OBJECT_KEY_TEMPLATE "${template}" ` +
      'puts every version of a node at the same key: enable versioning on the bucket, or add {upload_id} ' +
      'to OBJECT_KEY_TEMPLATE so each version gets a key of its own',
  );
}

export async function bootstrap(
  config: RepositoryServiceConfig,
  logger: Logger,
  onShutdown: () => Promise<void>,
): Promise<RunningService> {
  const tidb = {
    host: config.TIDB_HOST,
    port: config.TIDB_PORT,
    user: config.TIDB_USER,
    password: config.TIDB_PASSWORD,
    database: config.TIDB_DATABASE,
  };
  const admin = createTidbPool({ ...tidb, connectionLimit: 1 }, false);
  const applied = await migrate(admin, {
    database: tidb.database,
    migrations: MIGRATIONS,
    lockTimeoutSeconds: 60,
  }).finally(() => admin.end());
  logger.info({ applied, database: tidb.database }, 'schema up to date');
  const pool = createTidbPool({ ...tidb, connectionLimit: config.TIDB_POOL_SIZE, multipleStatements: true });

  const s3 = createS3Client(s3ClientOptionsOf(config));
  const signer = config.S3_PUBLIC_ENDPOINT ? createS3Client(s3SigningOptionsOf(config)) : s3;
  const objects = new S3ObjectStore(s3, config.S3_BUCKET);
  if (config.S3_CREATE_BUCKET) await objects.ensureBucket();
  await requireSafeVersioning(objects, config.OBJECT_KEY_TEMPLATE);

  const metadataClient = createGrpcClient(internalV1.NodeCacheService, config.METADATA_SERVICE_ADDRESS);
  const notifier = new GrpcNodeCacheNotifier(metadataClient, processLoopDelay(), {
    attempts: config.NODE_CACHE_REFRESH_ATTEMPTS,
    timeoutMs: config.NODE_CACHE_REFRESH_TIMEOUT_MS,
    onAttemptFailed: (failure) => logger.warn(failure, 'metadata cache refresh attempt failed'),
  });
  const instanceId = randomUUID();
  const heartbeatPool = createTidbPool({ ...tidb, connectionLimit: 1 });
  const groupCommit = new GroupCommit(config.GROUP_COMMIT_BYTES, (on) =>
    on
      ? logger.info('group commit on: every live repository instance reads chunks staged together')
      : logger.warn('group commit off: a live repository instance of an earlier release cannot read it'),
  );
  const heartbeat = new TidbInstanceHeartbeat(heartbeatPool, {
    instanceId,
    intervalMs: config.INSTANCE_HEARTBEAT_MS,
    staleAfterMs: config.INSTANCE_STALE_AFTER_MS,
    forgetAfterMs: 24 * 3_600_000,
    onError: (error) => logger.warn({ err: error, instanceId }, 'instance heartbeat not written'),
    onPeers: (everyoneReadsBatches) => groupCommit.peersSeen(everyoneReadsBatches),
  });
  await heartbeat.start();
  logger.info({ instanceId }, 'instance heartbeat started');
  const uploads = new TidbUploadStore(pool, { instanceId, staleAfterMs: config.INSTANCE_STALE_AFTER_MS });
  const nodes = new TidbNodeStore(pool);
  const direct = config.DIRECT_UPLOADS
    ? new DirectChunks(
        new TidbDirectChunks(pool),
        uploads,
        new S3DirectParts(signer, s3, config.S3_BUCKET),
        new MultipartUploads(uploads, objects),
        {
          defaultTtlSeconds: config.DIRECT_PART_URL_TTL_SECONDS,
          maxTtlSeconds: config.DIRECT_PART_URL_MAX_TTL_SECONDS,
          maxChunksPerCall: MAX_PRESIGNED_CHUNKS_PER_CALL,
          observer: new OtelDirectChunkMetrics(),
        },
      )
    : undefined;
  const sessions = new UploadSessions(
    uploads,
    nodes,
    objects,
    { objectKeyTemplate: config.OBJECT_KEY_TEMPLATE, stagingPrefix: config.STAGING_PREFIX },
    direct,
  );
  const fileHashes = new RunningFileHashes({
    maxHeldBytes: config.FILE_HASH_HELD_BYTES,
    maxUploads: config.FILE_HASH_MAX_UPLOADS,
  });
  const admissionMetrics = new OtelAdmissionMetrics();
  const chunkAdmission = new ChunkAdmission(
    new MeteredChunkWriter(
      new ChunkWriter(
        uploads,
        objects,
        {
          maxChunkBytes: config.MAX_CHUNK_BYTES,
          maxChunkNumber: config.MAX_CHUNK_NUMBER,
          claimStaleAfterMs: config.CHUNK_CLAIM_STALE_AFTER_MS,
          stagingPrefix: config.STAGING_PREFIX,
        },
        fileHashes,
      ),
    ),
    {
      workers: config.MIN_WORKERS,
      queueCapacity: config.CHUNK_QUEUE_CAPACITY,
      perUploadInflight: config.MAX_INFLIGHT_CHUNKS_PER_UPLOAD,
      retryAfterSeconds: config.THROTTLE_RETRY_AFTER_SECONDS,
    },
    admissionMetrics,
  );
  admissionMetrics.observe(() => chunkAdmission.state());
  const adaptivePool = new AdaptiveChunkWorkers(
    chunkAdmission,
    new WorkerPoolSizer({
      ...DEFAULT_POOL_SIZING,
      minWorkers: config.MIN_WORKERS,
      maxWorkers: config.MAX_WORKERS,
    }),
    (decision, from) => {
      admissionMetrics.resized(decision.change);
      logger.info(
        { from, to: decision.workers, change: decision.change },
        `chunk workers ${from} → ${decision.workers}: ${decision.why}`,
      );
    },
  );
  const poolSizing = new PeriodicTask(
    async () => adaptivePool.adjust(),
    config.WORKER_SCALE_INTERVAL_MS,
    (error) => logger.warn({ err: error }, 'chunk worker pool not resized'),
  );
  const domain = {
    sessions,
    deleter: new NodeDeleter(uploads, sessions, nodes, objects, notifier),
    writer: chunkAdmission,
    groupCommit,
    completer: new UploadCompleter(
      uploads,
      nodes,
      objects,
      new ObjectAssembler(objects, {
        stagingPrefix: config.STAGING_PREFIX,
        concurrency: config.ASSEMBLY_CONCURRENCY,
      }),
      notifier,
      fileHashes,
      direct,
    ),
    direct,
    oneCall: new OneCallUploads(uploads, nodes, objects, notifier, chunkAdmission, {
      objectKeyTemplate: config.OBJECT_KEY_TEMPLATE,
      maxBytes: config.MAX_ONE_CALL_FILE_BYTES,
    }),
    limits: {
      maxOneCallFileBytes: config.MAX_ONE_CALL_FILE_BYTES,
      suggestedChunkBytes: config.SUGGESTED_CHUNK_BYTES,
      maxChunkBytes: config.MAX_CHUNK_BYTES,
      maxChunkNumber: config.MAX_CHUNK_NUMBER,
      maxInflightChunksPerUpload: config.MAX_INFLIGHT_CHUNKS_PER_UPLOAD,
    },
  };

  const janitor = new UploadJanitor(
    uploads,
    domain.sessions,
    {
      idleTtlMs: config.UPLOAD_IDLE_TTL_MS,
      intervalMs: config.UPLOAD_JANITOR_INTERVAL_MS,
      batchSize: 100,
    },
    {
      aborted: (uploadId, idleSince) =>
        logger.info({ uploadId, idleSince: idleSince.toISOString() }, 'janitor aborted idle upload'),
      failed: (uploadId, error) => logger.warn({ uploadId, err: error }, 'janitor could not abort upload'),
    },
  );

  const recovery = new CompletionRecovery(
    uploads,
    domain.completer,
    { intervalMs: config.COMPLETION_RECOVERY_INTERVAL_MS, batchSize: 20 },
    {
      recovered: (uploadId, { node, foundAssembled }) =>
        logger.info(
          { uploadId, nodeId: node.nodeId, version: node.version, foundAssembled },
          'completion of a gone instance finished',
        ),
      failed: (uploadId, error) =>
        logger.warn({ uploadId, err: error }, 'completion of a gone instance not finished'),
    },
  );

  const relay = createLifecycleRelay(config, pool, logger);

  const service = await startService({
    name: 'repository-service',
    rootModule: RepositoryServiceModule.register(domain),
    logger,
    host: config.LISTEN_HOST,
    grpcPort: config.GRPC_PORT,
    httpPort: config.HTTP_PORT,
    grpcServices: [internalV1.RepositoryService],
    maxReceiveMessageBytes: config.GRPC_MAX_RECEIVE_MESSAGE_BYTES,
    maxConcurrentStreams: config.GRPC_MAX_CONCURRENT_STREAMS,
    grpcWindows: relayWindowsFor(config.GROUP_COMMIT_BYTES),
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    onShutdown: async () => {
      await janitor.stop();
      await poolSizing.stop();
      await recovery.stop();
      await relay.stop();
      await heartbeat.stop();
      await heartbeatPool.end();
      metadataClient.close();
      await pool.end();
      s3.destroy();
      await onShutdown();
    },
  });
  janitor.start();
  if (config.MIN_WORKERS < config.MAX_WORKERS) poolSizing.start();
  recovery.start();
  relay.start();
  stopOnSignals(service, logger);
  return service;
}

/**
 * A batch of small chunks (group commit) is what has arrived on a RelayChunks stream: a stream
 * window of the batch's size lets that much arrive while the batch before it is written. The
 * connection's fits four such streams (the SDK's default). At most that much is unread per
 * connection from the intake gateway.
 */
function relayWindowsFor(groupCommitBytes: number): ServerWindows {
  const streamBytes = Math.max(HTTP2_WINDOWS.streamBytes, groupCommitBytes);
  return {
    ...HTTP2_WINDOWS,
    streamBytes,
    connectionBytes: Math.max(HTTP2_WINDOWS.connectionBytes, 4 * streamBytes),
  };
}
