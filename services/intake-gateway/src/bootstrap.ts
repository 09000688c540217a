import 'reflect-metadata';
import { s3ClientOptionsOf, s3SigningOptionsOf } from '@tessera/config';
import { downloadV1, internalV1, metadataV1, uploadV1 } from '@tessera/contracts';
import { createGrpcClient } from '@tessera/grpc';
import type { Logger } from '@tessera/logging';
import {
  createHealthJudge,
  DEFAULT_HEALTH_POLICY,
  startService,
  stopOnSignals,
  type RunningService,
} from '@tessera/runtime';
import { createS3Client } from '@tessera/object-storage';
import { GrpcCacheHealth } from './adapters/grpc-cache-health';
import { GrpcNodeDirectory } from './adapters/grpc-node-directory';
import { GrpcRepository } from './adapters/grpc-repository';
import { ServerLimits } from './domain/server-limits';
import { S3ObjectReader } from './adapters/s3-object-reader';
import { OtelChunkBytesMetrics } from './adapters/otel-chunk-bytes-metrics';
import { ChunkBytesBudget } from './domain/chunk-bytes-budget';
import { NewUploadGate } from './domain/new-upload-gate';
import { FileReader } from './domain/file-reader';
import { IntakeGatewayModule } from './intake-gateway.module';
import type { IntakeGatewayConfig } from './config/intake-gateway.config';

export async function bootstrap(
  config: IntakeGatewayConfig,
  logger: Logger,
  onShutdown: () => Promise<void>,
): Promise<RunningService> {
  const repositoryClient = createGrpcClient(internalV1.RepositoryService, config.REPOSITORY_SERVICE_ADDRESS);
  const metadataClient = createGrpcClient(metadataV1.MetadataService, config.METADATA_SERVICE_ADDRESS);
  const s3 = createS3Client(s3ClientOptionsOf(config));
  const urlSigner = config.S3_PUBLIC_ENDPOINT ? createS3Client(s3SigningOptionsOf(config)) : s3;
  const chunkBytesMetrics = new OtelChunkBytesMetrics();
  const nodes = new GrpcNodeDirectory(metadataClient);
  const nodeCacheClient = createGrpcClient(internalV1.NodeCacheService, config.METADATA_SERVICE_ADDRESS);
  const cacheHealth = new GrpcCacheHealth(
    nodeCacheClient,
    createHealthJudge(
      'metadata-service',
      {
        ...DEFAULT_HEALTH_POLICY,
        slowMs: config.CACHE_HEALTH_TIMEOUT_MS,
        loopDelayAllowanceMs: config.CACHE_HEALTH_TIMEOUT_MS / 4,
      },
      logger,
    ),
    { intervalMs: config.CACHE_HEALTH_INTERVAL_MS, timeoutMs: config.CACHE_HEALTH_TIMEOUT_MS },
  );
  const repository = new GrpcRepository(repositoryClient);
  const domain = {
    repository,
    serverLimits: new ServerLimits(repository, { maxChunkBytes: config.MAX_CHUNK_BYTES }),
    newUploads: new NewUploadGate(cacheHealth, config.THROTTLE_RETRY_AFTER_SECONDS),
    limits: { maxChunkBytes: config.MAX_CHUNK_BYTES },
    chunkBytes: new ChunkBytesBudget(
      { maxBytes: config.MAX_INFLIGHT_CHUNK_BYTES, retryAfterSeconds: config.THROTTLE_RETRY_AFTER_SECONDS },
      chunkBytesMetrics,
    ),
    files: new FileReader(nodes, new S3ObjectReader(s3, urlSigner), {
      parallelism: config.READ_PARALLELISM,
      readBytes: config.READ_RANGE_BYTES,
      pieceBytes: config.READ_MESSAGE_BYTES,
      urlTtlSeconds: { default: config.DOWNLOAD_URL_TTL_SECONDS, max: config.DOWNLOAD_URL_MAX_TTL_SECONDS },
    }),
    nodes,
    readMessageBytes: config.READ_MESSAGE_BYTES,
  };
  chunkBytesMetrics.observe(() => domain.chunkBytes.heldBytes());
  const service = await startService({
    name: 'intake-gateway',
    rootModule: IntakeGatewayModule.register(domain),
    logger,
    host: config.LISTEN_HOST,
    grpcPort: config.GRPC_PORT,
    httpPort: config.HTTP_PORT,
    grpcServices: [uploadV1.UploadService, downloadV1.DownloadService, metadataV1.MetadataService],
    maxReceiveMessageBytes: config.GRPC_MAX_RECEIVE_MESSAGE_BYTES,
    maxConcurrentStreams: config.GRPC_MAX_CONCURRENT_STREAMS,
    // Each call may carry a whole chunk: their number bounds what this gateway holds.
    callLimit: {
      methods: ['UploadChunk', 'UploadChunks', 'StreamChunks'].map(
        (name) => `/${uploadV1.UploadService.typeName}/${name}`,
      ),
      max: config.MAX_OPEN_CHUNK_CALLS,
      retryAfterSeconds: config.THROTTLE_RETRY_AFTER_SECONDS,
      what: 'UploadChunk/UploadChunks/StreamChunks calls',
    },
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    onShutdown: async () => {
      repositoryClient.close();
      metadataClient.close();
      cacheHealth.stop();
      nodeCacheClient.close();
      s3.destroy();
      if (urlSigner !== s3) urlSigner.destroy();
      await onShutdown();
    },
  });
  stopOnSignals(service, logger);
  return service;
}
