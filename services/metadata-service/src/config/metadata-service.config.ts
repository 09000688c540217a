import { z } from 'zod';
import {
  booleanFlag,
  hostPort,
  kafkaEnvShape,
  positiveInt,
  serviceEnvShape,
  servicePortsShape,
  tidbEnvShape,
} from '@tessera/config';

/** Every environment variable the metadata-service reads, validated at boot. */
export const MetadataServiceEnvSchema = z.object({
  ...serviceEnvShape,
  ...servicePortsShape(50053, 8083),
  ...tidbEnvShape,
  TIDB_POOL_SIZE: positiveInt(10),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  /** A Redis command slower than this counts as a cache failure: the read goes to TiDB. */
  REDIS_COMMAND_TIMEOUT_MS: positiveInt(200),
  REDIS_KEY_PREFIX: z.string().default('tessera:'),
  /**
   * How often Redis is pinged. Pings and the cache's real operations decide whether the cache is
   * down (docs/reliability.md, "Health gates"); while it is, the intake refuses new uploads.
   */
  REDIS_HEALTH_INTERVAL_MS: positiveInt(1000),
  /** The sliding window over which Redis's outcomes are judged. */
  REDIS_HEALTH_WINDOW_MS: positiveInt(5000),
  /** Failures must be spread over at least this long to trip the gate: a burst does not. */
  REDIS_HEALTH_TRIP_AFTER_MS: positiveInt(2000),
  /** Once down, Redis must answer well for this long before the cache counts as up again. */
  REDIS_HEALTH_RECOVER_AFTER_MS: positiveInt(2000),
  /** How long a cached node entry lives. */
  NODE_CACHE_TTL_SECONDS: positiveInt(300),
  LIST_DEFAULT_PAGE_SIZE: positiveInt(100),
  LIST_MAX_PAGE_SIZE: positiveInt(1000),
  /** The repository service, which deletes a node's records and bytes. */
  REPOSITORY_SERVICE_ADDRESS: hostPort('127.0.0.1:50052'),
  ...kafkaEnvShape,
  /** Consume lifecycle events to refresh the cache (a backstop: docs/events.md). */
  LIFECYCLE_CONSUMER_ENABLED: booleanFlag(true),
  KAFKA_CONSUMER_GROUP: z.string().min(1).default('tessera-metadata-service'),
});

export type MetadataServiceConfig = z.output<typeof MetadataServiceEnvSchema>;
