import { z } from 'zod';
import {
  booleanFlag,
  hostPort,
  kafkaEnvShape,
  positiveInt,
  replacedBy,
  schemaRegistryEnvShape,
  serviceEnvShape,
  servicePortsShape,
  s3CredentialsPaired,
  s3EnvShape,
  tidbEnvShape,
} from '@tessera/config';

const MiB = 1024 * 1024;

/** Every environment variable the repository-service reads, validated at boot. */
export const RepositoryServiceEnvSchema = z
  .object({
    ...serviceEnvShape,
    ...servicePortsShape(50052, 8082),
    ...s3EnvShape,
    S3_BUCKET: z.string().min(3).default('tessera'),
    /** Create the bucket at start when it is missing, and turn its versioning on (local development). */
    S3_CREATE_BUCKET: booleanFlag(true),
    ...tidbEnvShape,
    /** The metadata service, told about every new version before CompleteUpload answers. */
    METADATA_SERVICE_ADDRESS: hostPort('127.0.0.1:50053'),
    /** Deadline of each RefreshNode call to the metadata service. */
    NODE_CACHE_REFRESH_TIMEOUT_MS: positiveInt(2_000),
    /**
     * RefreshNode attempts before CompleteUpload answers UNAVAILABLE; an attempt whose deadline
     * passed while this process's event loop was delayed does not count (docs/reliability.md).
     */
    NODE_CACHE_REFRESH_ATTEMPTS: positiveInt(3),
    /** Placeholders {drive_id}, {node_id}, {upload_id}; must name the node or the upload. */
    OBJECT_KEY_TEMPLATE: z
      .string()
      .refine((template) => /\{(node_id|upload_id)\}/.test(template), 'must contain {node_id} or {upload_id}')
      .default('{drive_id}/{node_id}'),
    STAGING_PREFIX: z.string().min(1).default('.tessera-staging/'),
    MAX_CHUNK_BYTES: positiveInt(64 * MiB).refine(
      (bytes) => bytes <= 5 * 1024 * MiB,
      'at most 5 GiB (an S3 part)',
    ),
    MAX_CHUNK_NUMBER: positiveInt(10_000_000),
    /** Files up to this size may be uploaded in one call (UploadFile); at most MAX_CHUNK_BYTES. */
    MAX_ONE_CALL_FILE_BYTES: positiveInt(4 * MiB),
    SUGGESTED_CHUNK_BYTES: positiveInt(8 * MiB),
    /**
     * Small chunks (below S3's 5 MiB part minimum) of one upload that arrive together on a stream are
     * staged as one object and recorded in one transaction, up to this many bytes (docs/upload.md,
     * "Group commit"). 0 writes every chunk alone.
     */
    GROUP_COMMIT_BYTES: z.coerce
      .number()
      .int()
      .min(0)
      .max(64 * MiB)
      .default(8 * MiB),
    /** Chunks of one upload being written or waiting at once; more are refused (RESOURCE_EXHAUSTED). */
    MAX_INFLIGHT_CHUNKS_PER_UPLOAD: positiveInt(16),
    /**
     * Chunk writes running at once (S3 part or staged object, then TiDB): the pool starts at
     * MIN_WORKERS and moves between the two from what it measures (docs/upload.md). Equal, it is fixed.
     */
    MIN_WORKERS: positiveInt(8),
    MAX_WORKERS: positiveInt(64),
    /** How often the pool's size is reconsidered. */
    WORKER_SCALE_INTERVAL_MS: positiveInt(1000),
    CHUNK_WORKERS: replacedBy('MIN_WORKERS and MAX_WORKERS'),
    /** Chunks waiting for a worker; beyond it new chunks are refused with RESOURCE_EXHAUSTED. */
    CHUNK_QUEUE_CAPACITY: z.coerce.number().int().min(0).default(64),
    /** The retry-after hint of a refused chunk. */
    THROTTLE_RETRY_AFTER_SECONDS: positiveInt(1),
    /** A chunk claim older than this is taken over: its writer is presumed dead. */
    CHUNK_CLAIM_STALE_AFTER_MS: positiveInt(5 * 60_000),
    ASSEMBLY_CONCURRENCY: positiveInt(4),
    /** PresignChunks: clients write chunks straight to S3 (docs/upload.md, "Direct chunks"). */
    DIRECT_UPLOADS: booleanFlag(true),
    /** Lifetime of a chunk's presigned URL when the client names none. */
    DIRECT_PART_URL_TTL_SECONDS: positiveInt(900),
    /** The longest lifetime a client may ask for. */
    DIRECT_PART_URL_MAX_TTL_SECONDS: positiveInt(3600),
    /**
     * Bytes of chunks stored ahead of their turn held in memory, over all uploads, so the whole
     * file's SHA-256 is kept as chunks arrive and CompleteUpload need not read the object back
     * (what is not held is read back then). 0 holds none.
     */
    FILE_HASH_HELD_BYTES: z.coerce
      .number()
      .int()
      .min(0)
      .default(64 * MiB),
    /** Uploads whose running SHA-256 is kept at once; the least recently fed is dropped beyond it. */
    FILE_HASH_MAX_UPLOADS: positiveInt(1000),
    /** An unfinished upload with no activity for this long is aborted by the janitor (default 24 h). */
    UPLOAD_IDLE_TTL_MS: positiveInt(24 * 3_600_000),
    /** How often the janitor looks for idle uploads (default 5 min). */
    UPLOAD_JANITOR_INTERVAL_MS: positiveInt(5 * 60_000),
    /** How often this instance writes its heartbeat in TiDB (repository_instances). */
    INSTANCE_HEARTBEAT_MS: positiveInt(2_000),
    /**
     * An instance whose heartbeat is older than this is gone (killed): its chunk claims are taken
     * over and its completions finished by the others. At least three heartbeats.
     */
    INSTANCE_STALE_AFTER_MS: positiveInt(10_000),
    /** How often to look for completions whose instance is gone (also once at start). */
    COMPLETION_RECOVERY_INTERVAL_MS: positiveInt(5_000),
    ...kafkaEnvShape,
    /** Create the lifecycle topic when it is missing (local development; production provisions it). */
    KAFKA_CREATE_TOPIC: booleanFlag(true),
    KAFKA_LIFECYCLE_TOPIC_PARTITIONS: positiveInt(6),
    ...schemaRegistryEnvShape,
    /** Most lifecycle events the outbox relay publishes in one Kafka request. */
    OUTBOX_BATCH_SIZE: positiveInt(500),
    /** How often the relay looks at an empty outbox; also its first pause after a failure. */
    OUTBOX_POLL_INTERVAL_MS: positiveInt(200),
    /** Longest pause between the relay's attempts while Kafka or the registry is unreachable. */
    OUTBOX_MAX_BACKOFF_MS: positiveInt(10_000),
  })
  .refine(...s3CredentialsPaired)
  .refine((env) => env.MAX_ONE_CALL_FILE_BYTES <= env.MAX_CHUNK_BYTES, {
    message: 'must be at most MAX_CHUNK_BYTES',
    path: ['MAX_ONE_CALL_FILE_BYTES'],
  })
  .refine((env) => env.DIRECT_PART_URL_TTL_SECONDS <= env.DIRECT_PART_URL_MAX_TTL_SECONDS, {
    message: 'must be at most DIRECT_PART_URL_MAX_TTL_SECONDS',
    path: ['DIRECT_PART_URL_TTL_SECONDS'],
  })
  .refine((env) => env.MIN_WORKERS <= env.MAX_WORKERS, {
    message: 'must be at least MIN_WORKERS',
    path: ['MAX_WORKERS'],
  })
  .refine((env) => env.INSTANCE_STALE_AFTER_MS >= 3 * env.INSTANCE_HEARTBEAT_MS, {
    message: 'must be at least three INSTANCE_HEARTBEAT_MS, so a slow beat is not taken for a death',
    path: ['INSTANCE_STALE_AFTER_MS'],
  });

export type RepositoryServiceConfig = z.output<typeof RepositoryServiceEnvSchema>;
