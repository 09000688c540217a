import 'reflect-metadata';
import { internalV1, metadataV1 } from '@tessera/contracts';
import type { Logger } from '@tessera/logging';
import {
  createHealthJudge,
  DEFAULT_HEALTH_POLICY,
  startService,
  stopOnSignals,
  type RunningService,
} from '@tessera/runtime';
import { createTidbPool } from '@tessera/sql';
import { Redis } from 'ioredis';
import { createGrpcClient, DEPENDENCY_HEALTH } from '@tessera/grpc';
import { createKafka, LifecycleConsumer } from '@tessera/events';
import { GrpcNodeRemover } from './adapters/grpc/grpc-node-remover';
import { OtelCacheObserver } from './adapters/otel/otel-cache-observer';
import { judgedCache } from './adapters/redis/judged-cache';
import { probeRedisHealth, redisAnswersAtStart } from './adapters/redis/redis-health-probe';
import { createRedisNodeCache } from './adapters/redis/redis-node-cache';
import { TidbNodeCatalog } from './adapters/tidb/tidb-node-catalog';
import type { MetadataServiceConfig } from './config/metadata-service.config';
import { LifecycleEventsConsumer } from './api/lifecycle-events.consumer';
import { CacheHealth } from './domain/cache-health';
import { NodeReader } from './domain/node-reader';
import { MetadataServiceModule } from './metadata-service.module';

export async function bootstrap(
  config: MetadataServiceConfig,
  logger: Logger,
  onShutdown: () => Promise<void>,
): Promise<RunningService> {
  const pool = createTidbPool({
    host: config.TIDB_HOST,
    port: config.TIDB_PORT,
    user: config.TIDB_USER,
    password: config.TIDB_PASSWORD,
    database: config.TIDB_DATABASE,
    connectionLimit: config.TIDB_POOL_SIZE,
  });
  // Commands fail fast instead of queueing while Redis is away: reads then go to TiDB.
  const redis = new Redis(config.REDIS_URL, {
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  redis.on('error', (error: Error) => logger.debug({ err: error }, 'redis connection error'));

  const redisJudge = createHealthJudge(
    'redis',
    {
      ...DEFAULT_HEALTH_POLICY,
      windowMs: config.REDIS_HEALTH_WINDOW_MS,
      tripAfterMs: config.REDIS_HEALTH_TRIP_AFTER_MS,
      recoverAfterMs: config.REDIS_HEALTH_RECOVER_AFTER_MS,
      slowMs: config.REDIS_COMMAND_TIMEOUT_MS,
      loopDelayAllowanceMs: config.REDIS_COMMAND_TIMEOUT_MS / 4,
    },
    logger,
  );

  const repositoryClient = createGrpcClient(internalV1.RepositoryService, config.REPOSITORY_SERVICE_ADDRESS);
  const reader = new NodeReader(
    new TidbNodeCatalog(pool),
    judgedCache(createRedisNodeCache(redis, config.REDIS_KEY_PREFIX), redisJudge),
    new OtelCacheObserver(logger),
    {
      ttlSeconds: config.NODE_CACHE_TTL_SECONDS,
      defaultPageSize: config.LIST_DEFAULT_PAGE_SIZE,
      maxPageSize: config.LIST_MAX_PAGE_SIZE,
    },
    new GrpcNodeRemover(repositoryClient),
  );

  const lifecycleEvents = new LifecycleEventsConsumer(reader, logger);
  const consumer = config.LIFECYCLE_CONSUMER_ENABLED
    ? new LifecycleConsumer({
        kafka: createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, logger }),
        topic: config.KAFKA_LIFECYCLE_TOPIC,
        groupId: config.KAFKA_CONSUMER_GROUP,
        fromBeginning: false,
        handle: (delivery) => lifecycleEvents.handle(delivery),
        logger,
      })
    : undefined;

  // Known before the first call: the intake gateway admits new uploads from the start.
  const cacheAnswers = await redisAnswersAtStart(redis, 5_000);
  if (!cacheAnswers)
    redisJudge.assume({ serving: false, rule: 'errors', detail: 'redis did not answer at start' });
  const cacheHealth = new CacheHealth(() => redisJudge.verdict(), cacheAnswers);
  const service = await startService({
    name: 'metadata-service',
    dependencyHealth: { [DEPENDENCY_HEALTH.metadataCache]: cacheAnswers },
    rootModule: MetadataServiceModule.register({ reader, cacheHealth }),
    logger,
    host: config.LISTEN_HOST,
    grpcPort: config.GRPC_PORT,
    httpPort: config.HTTP_PORT,
    grpcServices: [metadataV1.MetadataService, internalV1.NodeCacheService],
    maxReceiveMessageBytes: config.GRPC_MAX_RECEIVE_MESSAGE_BYTES,
    maxConcurrentStreams: config.GRPC_MAX_CONCURRENT_STREAMS,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    onShutdown: async () => {
      redisHealth.stop();
      await consumer?.stop();
      repositoryClient.close();
      redis.disconnect();
      await pool.end();
      await onShutdown();
    },
  });
  const redisHealth = probeRedisHealth(redis, redisJudge, config.REDIS_HEALTH_INTERVAL_MS, {
    catchUp: () => reader.flushUnrefreshed(),
    report: (serving) => {
      cacheHealth.report(serving);
      service.setDependencyHealth(DEPENDENCY_HEALTH.metadataCache, serving);
    },
  });
  consumer?.start();
  stopOnSignals(service, logger);
  return service;
}
